"""Domain errors and their rendering as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from flask import Response, json

PROBLEM_MIMETYPE = "application/problem+json"


class DomainError(Exception):
    """A rule of the domain was not met; carries a stable machine-readable code."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra


class Unauthorized(DomainError):
    """No valid credentials were given."""

    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it."""

    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"
    title = "Conflict"


class Invalid(DomainError):
    """The input is well-formed but breaks a rule (422)."""

    status = 422
    code = "validation_error"
    title = "Unprocessable content"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:wijkruimte:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def render_domain_error(error: DomainError) -> Response:
    """Render a DomainError as problem+json."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return problem_response(
        error.status,
        error.code,
        error.title,
        error.detail,
        errors=error.errors,
        extra=error.extra,
        headers=headers,
    )


DATABASE_RETRY_AFTER_SECONDS = 5


def render_database_unavailable(error: Exception) -> Response:
    """An unreachable, stalled or overloaded database: 503, so clients and balancers retry."""
    import logging

    logging.getLogger(__name__).warning("database unavailable: %s", type(error).__name__)
    return problem_response(
        503,
        "database_unavailable",
        "Service unavailable",
        "The database did not answer in time; try again in a few seconds.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )
