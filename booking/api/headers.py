"""Response headers every answer carries: no sniffing, no referrer leaks, a CSP on pages."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

NO_RETRY_AFTER_UNLESS = frozenset({429, 503})
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_csp(html: bytes) -> str:
    """A CSP for the Swagger UI page: its own assets, plus its one inline script by hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        # Swagger UI sets style attributes from its script.
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


# Pages: our own stylesheet, no scripts at all, forms only to ourselves.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

# SVG answers (charts, the poster): the pages' CSP, with the inline <style> an SVG carries.
# No script runs, not pygal's, not one a text could smuggle in, even when opened directly.
SVG_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def secure_headers(response: Response) -> Response:
    """Add the headers every response carries; Retry-After only where it means something."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Private feed URLs carry a secret: never send any URL of ours on as a referrer.
    response.headers["Referrer-Policy"] = "no-referrer"
    if response.status_code not in NO_RETRY_AFTER_UNLESS:
        response.headers.pop("Retry-After", None)
    if request.endpoint == "api-docs.openapi_swagger_ui" and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = docs_csp(response.get_data())
    elif response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    elif response.mimetype == "image/svg+xml":
        response.headers.setdefault("Content-Security-Policy", SVG_CSP)
    elif response.mimetype in {"application/json", "application/problem+json"}:
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
        )
    return response


def install_headers(app: Flask) -> None:
    """Register before Flask-Limiter so this runs after it (after_request runs in reverse)."""
    app.after_request(secure_headers)
