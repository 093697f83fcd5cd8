"""API plumbing: problem+json for HTTP errors, views in one transaction, id converter."""

from __future__ import annotations

import logging
from typing import Any

from flask.views import MethodView
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from booking.api.openapi import ProblemDocsMixin
from booking.errors import render_http_error
from booking.models.base import MAX_ID
from booking.schemas.common import ProblemSchema
from booking.transaction import unit_of_work

log = logging.getLogger(__name__)

# OpenAPI: the operation needs a bearer token.
SECURED: dict[str, Any] = {"security": [{"bearerAuth": []}]}
# A token changes what the operation does, and none is needed.
OPTIONALLY_SECURED: dict[str, Any] = {"security": [{"bearerAuth": []}, {}]}

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
        return render_http_error(status, code, error.name, detail, errors=errors, headers=headers)


def tupled(args: dict[str, Any]) -> dict[str, Any]:
    """Query arguments with every repeated filter (a list) as a tuple, for a filter dataclass."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in args.items()}


def page_of(items: list[Any], pagination: Any) -> list[Any]:
    """One page of a computed (not queried) list; sets the X-Pagination total."""
    pagination.item_count = len(items)
    first = (pagination.page - 1) * pagination.page_size
    return items[first : first + pagination.page_size]


class OneSchemaParser(FlaskParser):
    """webargs' parser, keeping one instance per schema class: given a class, webargs
    builds a schema on every request (deep copies of every field), which cost a quarter of
    a short request. A schema keeps no state between loads, so one instance serves all."""

    def __init__(self) -> None:
        super().__init__()
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            found = self._schemas.get(argmap)
            if found is None:
                found = self._schemas[argmap] = argmap()
            return found
        return super()._get_schema(argmap, req)  # type: ignore[no-any-return]


class Blueprint(SmorestBlueprint):
    """Blueprint with the contract's pagination defaults (50 per page, at most 100)."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 100}
    ARGUMENTS_PARSER = OneSchemaParser()
    PAGINATION_ARGUMENTS_PARSER = OneSchemaParser()

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict[str, int]:
        """flask-smorest's pagination header, written directly (it builds a schema per
        request to copy these integers)."""
        if item_count == 0:
            return {"total": 0, "total_pages": 0}
        last_page = (item_count - 1) // page_size + 1
        found = {"total": item_count, "total_pages": last_page, "first_page": 1}
        found["last_page"] = last_page
        if page <= last_page:
            found["page"] = page
            if page > 1:
                found["previous_page"] = page - 1
            if page < last_page:
                found["next_page"] = page + 1
        return found


class View(MethodView):
    """Base view: every method runs inside one transaction."""

    decorators = [unit_of_work]
