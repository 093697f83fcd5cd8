"""Domain errors and their rendering: RFC 9457 problem+json for machines, a page for people.

The pages register how they show an error (`ERROR_PAGES` in the app's extensions); this
module picks which one a request gets, so the API never imports the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, json, request

PROBLEM_MIMETYPE = "application/problem+json"
# Paths that belong to machines: they keep their problem+json answers.
MACHINE_PREFIXES = ("/api/v1", "/feeds/", "/healthz", "/readyz", "/metrics")
# The app extension that holds the pages' renderer: (status, headers) -> a response.
ERROR_PAGES = "wijkruimte_error_pages"
PageRenderer = Callable[[int, dict[str, str]], Any]


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


class Gone(DomainError):
    """The object was there for everyone, and is no longer (cancelled, made private)."""

    status = 410
    code = "gone"
    title = "Gone"


class TooLarge(DomainError):
    """A body over what the operation takes (a photo over 10 MB)."""

    status = 413
    code = "payload_too_large"
    title = "Payload too large"


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


def wants_page() -> bool:
    """Whether this request is for a page (or an unknown address outside the API)."""
    if request.blueprint == "web":
        return True
    return request.blueprint is None and not request.path.startswith(MACHINE_PREFIXES)


def render_http_error(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """An HTTP error as a page where a person asked for one, else as problem+json."""
    pages: PageRenderer | None = current_app.extensions.get(ERROR_PAGES)
    if pages is not None and wants_page():
        return pages(status, headers or {})
    return problem_response(status, code, title, detail, errors=errors, headers=headers)


def render_stale_data(_error: Exception) -> Any:
    """A row changed or went under the request (a host removed while the place is deleted):
    409, to be tried again, never a 500."""
    return render_http_error(
        409,
        "changed_meanwhile",
        "Conflict",
        "What this request changes was changed or removed meanwhile; load it again.",
    )


def render_domain_error(error: DomainError) -> Response:
    """Render a DomainError as problem+json (and count conflicts and broken rules)."""
    from booking.metrics import CONFLICTS, RULE_VIOLATIONS

    if error.status == 409:
        CONFLICTS.labels(error.code).inc()
    for code in error.extra.get("violations") or ():
        RULE_VIOLATIONS.labels(str(code)).inc()
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


# The 409 code of each unique constraint (named by the models' naming convention).
UNIQUE_CONSTRAINT_CODES = {
    "uq_accounts_email": "email_taken",
    "uq_places_slug": "slug_taken",
    "uq_neighbourhoods_slug": "slug_taken",
    "pk_place_hosts": "already_a_host",
}


def _constraint_name(error: Any) -> str:
    """The violated constraint: from PostgreSQL's diagnostics, or SQLite's message."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return str(diag.constraint_name)
    message = str(error.orig)
    if "UNIQUE constraint failed: " in message:
        columns = message.split("UNIQUE constraint failed: ", 1)[1].split(", ")
        table, column = columns[0].split(".", 1)
        return f"uq_{table}_{column}" if len(columns) == 1 else f"pk_{table}"
    return ""


def is_unique_violation(error: Any) -> bool:
    """Whether an IntegrityError is a duplicate key (PostgreSQL 23505, SQLite UNIQUE)."""
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        error.orig
    )


def integrity_conflict(error: Any) -> DomainError:
    """An integrity error the services did not foresee, as a 409 with a stable code."""
    if is_unique_violation(error):
        name = _constraint_name(error)
        code = UNIQUE_CONSTRAINT_CODES.get(name, "already_exists")
        return Conflict("That already exists (it was created at the same moment).", code=code)
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "23P01" or "occupancy_overlap" in str(error.orig):
        return Conflict("The room is already booked at that time.", code="booking_conflict")
    if sqlstate == "23503" or "FOREIGN KEY constraint failed" in str(error.orig):
        return Conflict(
            "Something this refers to was changed or removed at the same moment.",
            code="reference_conflict",
        )
    return Conflict("The change conflicts with the stored data.", code="conflict")
