"""API plumbing: problem+json for HTTP errors, the transaction boundary, id converter."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask.views import MethodView
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from booking.api.openapi import ProblemDocsMixin
from booking.errors import integrity_conflict, is_unique_violation, problem_response
from booking.models.base import MAX_ID
from booking.schemas.common import ProblemSchema

log = logging.getLogger(__name__)

# OpenAPI: the operation needs a bearer token.
SECURED: dict[str, Any] = {"security": [{"bearerAuth": []}]}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
}


class IdConverter(IntegerConverter):
    """A positive 32-bit id in a URL; an id beyond MAX_ID cannot exist, so it is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def _flatten_messages(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location (json, query); the client wants fields."""
    errors: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            errors.update(location_messages)
    return errors


class ProblemApi(ProblemDocsMixin, Api):
    """flask-smorest Api whose HTTP errors are problem+json with a stable code."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Render any HTTPException (404, 405, 413, 422 from webargs...) as a problem."""
        status = error.code or 500
        code = HTTP_CODES.get(status, "http_error")
        data = getattr(error, "data", None) or {}
        errors = _flatten_messages(data["messages"]) if "messages" in data else None
        detail = error.description or error.name
        if status == 422:
            detail = "The request did not validate; see `errors` for each field."
        elif status == 400 and "Invalid JSON" in str(data.get("messages", "")):
            code, detail = "malformed_json", "The request body is not valid JSON."
        elif status == 500:
            detail = "An unexpected error occurred; it has been logged."
        headers = {}
        if status == 405:
            # werkzeug sets Allow on its own response; carry it over.
            headers["Allow"] = error.get_response().headers.get("Allow", "")
        if status == 429:
            retry_after = error.get_response().headers.get("Retry-After")
            if retry_after:
                headers["Retry-After"] = retry_after
        from booking.web.errors import error_page, rate_limited_page, wants_page

        if wants_page():
            if status == 429:
                page, status = rate_limited_page(headers.get("Retry-After"))
            else:
                page, status = error_page(status)
            return page, status, headers
        return problem_response(status, code, error.name, detail, errors=errors, headers=headers)


def tupled(args: dict[str, Any]) -> dict[str, Any]:
    """Query arguments with every repeated filter (a list) as a tuple, for a filter dataclass."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in args.items()}


def page_of(items: list[Any], pagination: Any) -> list[Any]:
    """One page of a computed (not queried) list; sets the X-Pagination total."""
    pagination.item_count = len(items)
    first = (pagination.page - 1) * pagination.page_size
    return items[first : first + pagination.page_size]


class Blueprint(SmorestBlueprint):
    """Blueprint with the contract's pagination defaults (50 per page, at most 100)."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 100}


# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected),
# e.g. two inserts checking the exclusion constraint against each other's new rows, or a
# transaction it cannot serialise. Nothing was written; running the request again is safe.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def unit_of_work(view: Callable[..., Any]) -> Callable[..., Any]:
    """One transaction per request: commit when the view returns, roll back on any error.

    A transaction the database aborted to break a deadlock is run again (at most three
    times), so a lost race becomes the answer it should be (often a 409), not a 500. So is
    one that lost a race for a unique key (two sign-ups with one e-mail, two places whose
    generated slugs collide): run again, the service's own check sees the winner's row and
    answers its 409, or generates another slug.
    """
    from booking.extensions import db

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = view(*args, **kwargs)
                db.session.commit()
                return result
            except OperationalError as error:
                _rollback(db)
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == ATTEMPTS:
                    raise
                log.info("transaction aborted (%s); attempt %d of %d", sqlstate, attempt, ATTEMPTS)
            except IntegrityError as error:
                _rollback(db)
                if not is_unique_violation(error) or attempt == ATTEMPTS:
                    raise integrity_conflict(error) from None
                log.info("lost a unique-key race; attempt %d of %d", attempt, ATTEMPTS)
            except BaseException:
                _rollback(db)
                raise
            time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def _rollback(db: Any) -> None:
    try:
        db.session.rollback()
    except OperationalError:  # the connection is gone; the pool replaces it
        log.warning("rollback failed: connection lost")


class View(MethodView):
    """Base view: every method runs inside one transaction."""

    decorators = [unit_of_work]
