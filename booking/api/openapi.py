"""The OpenAPI document states every status an operation can answer, as problem+json.

flask-smorest documents the success and the 422 of argument parsing, plus a blanket
`default`. The blanket hides what a client must handle, so it is gone; instead each
operation lists the problems that the shared machinery can answer (a bad token, an unknown
id, a malformed body, a rate limit, a sick database), each with its real content type.
"""

from __future__ import annotations

import http
from typing import Any

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from booking.errors import PROBLEM_MIMETYPE

RATE_LIMITED_PREFIXES = ("/api/v1/bookings", "/api/v1/series", "/feeds/")
# Anonymous calls with their own limits (BOOKING_FEEDBACK_RATE_LIMIT, and the open figures').
RATE_LIMITED_ANONYMOUS = {
    ("/api/v1/places/{place_id}/feedback", "post"),
    ("/api/v1/places/{place_id}/complaints", "post"),
    # The open figures without a token (BOOKING_OPEN_FIGURES_RATE_LIMIT).
    ("/api/v1/reports/impact", "get"),
}
# Open to anyone, yet a 403 for some asks: the impact report's downloads need full access.
FORBIDDEN_SOMETIMES = {("/api/v1/reports/impact", "get")}
# flask-smorest describes the header as an object; on the wire it is JSON text.
PAGINATION_HEADER = {
    "description": "Pagination as JSON: total, total_pages, first_page, last_page, page, "
    "previous_page, next_page",
    "schema": {"type": "string"},
}


def _problem(api: Api, status: int) -> dict[str, str]:
    # get_ref also registers the lazily declared response component.
    return api.spec.components.get_ref("response", http.HTTPStatus(status).name)  # type: ignore[no-any-return]


def common_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The problem statuses an operation can answer besides its own documented ones."""
    statuses = [401, 422, 503]  # a sent token is always checked; unknown parameters
    if "requestBody" in operation:
        statuses += [400, 413]
    if method in {"post", "patch", "put", "delete"}:
        statuses.append(409)  # the state changed underneath (a lost race, a reference)
    if operation.get("security") or (path, method) in FORBIDDEN_SOMETIMES:
        statuses.append(403)
    if "{" in path or "requestBody" in operation:
        # An id in the address, or one a body refers to (a room, an initiative), that does
        # not exist or that the caller may not see.
        statuses.append(404)
    limited = path.startswith(RATE_LIMITED_PREFIXES) and (
        method != "get" or path.startswith("/feeds/")
    )
    if (
        limited
        or (path, method) in RATE_LIMITED_ANONYMOUS
        or (path == "/api/v1/accounts" and method == "post")
    ):
        statuses.append(429)
    return statuses


def document_problems(api: Api) -> None:
    """Add every common problem status to every operation of the document."""
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete", "head"}:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            for status in common_statuses(path, method, operation):
                responses.setdefault(str(status), _problem(api, status))
            # The app refuses an overlong path and query itself (BOOKING_MAX_URL_LENGTH).
            responses.setdefault("414", _problem(api, 414))
    headers = api.spec.components.headers
    if "PAGINATION" in headers:
        headers["PAGINATION"] = PAGINATION_HEADER


class ProblemDocsMixin:
    """Registers the error responses as application/problem+json, and no blanket default."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA  # type: ignore[attr-defined]
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)  # type: ignore[attr-defined]
            self.spec.components.response(status.name, response, lazy=True)  # type: ignore[attr-defined]
