"""Checks every request passes before any view parses it.

In order: a sent token is authenticated; a protected operation without one is a 401 before
its body is read or anything is looked up; query parameters must be known to the operation
(and repeated only where it takes a list); text may not carry NUL, lone surrogates or
non-characters; a JSON body may not nest deeper than MAX_JSON_DEPTH nor hold numbers beyond
what any field takes. Each refusal is a problem+json 4xx with nothing written.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from marshmallow import Schema, fields
from werkzeug.exceptions import RequestEntityTooLarge

from booking.api.auth import current_actor
from booking.errors import DomainError, Invalid, Unauthorized
from booking.text import first_forbidden_character

MAX_JSON_DEPTH = 32
_ASCII_INTEGER = re.compile(r"-?[0-9]{1,18}")
# The longest integer any field takes is a 32-bit id (10 digits); leave room for a sign.
MAX_INTEGER_DIGITS = 20
JSON_MIMETYPES = ("application/json", "application/merge-patch+json")


class UriTooLong(DomainError):
    """The request's path and query are longer than any operation needs."""

    status = 414
    code = "uri_too_long"
    title = "URI too long"


class UnsupportedMediaType(DomainError):
    """A body in another format than the operation reads."""

    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class MalformedJson(DomainError):
    """The body is not JSON this service can read."""

    status = 400
    code = "malformed_json"
    title = "Bad request"


@dataclass(frozen=True)
class Operation:
    """What a view declares: whether it needs a token, and its query parameters."""

    protected: bool
    query: frozenset[str]
    repeatable: frozenset[str]
    integers: frozenset[str]
    body_required: bool = False
    # Reads a JSON body (an `@blp.arguments` in the json location, required or not).
    takes_json: bool = False


def _schema_instance(schema: Any) -> Schema:
    return schema() if isinstance(schema, type) else schema


@functools.cache
def _operation(view_function: Any, method: str) -> Operation | None:
    view_class = getattr(view_function, "view_class", None)
    name = "get" if method == "HEAD" else method.lower()  # Flask answers HEAD with GET
    handler = getattr(view_class, name, None) if view_class else view_function
    apidoc = getattr(handler, "_apidoc", None)
    if apidoc is None:
        return None
    # A security list with an empty alternative ({}) makes the token optional (OpenAPI).
    security = apidoc.get("manual_doc", {}).get("security")
    protected = bool(security) and {} not in security
    query: set[str] = set()
    repeatable: set[str] = set()
    integers: set[str] = set()
    parameters = [
        *apidoc.get("arguments", {}).get("parameters", []),
        *([apidoc["pagination"]["parameters"]] if "pagination" in apidoc else []),
    ]
    body_required = takes_json = False
    for parameter in parameters:
        if parameter.get("in") == "json":
            takes_json = True
            body_required = body_required or parameter.get("required", True)
        if parameter.get("in") != "query":
            continue
        schema = _schema_instance(parameter["schema"])
        for name, field in schema.fields.items():
            if field.dump_only:
                continue
            key = field.data_key or name
            query.add(key)
            if isinstance(field, fields.List):
                repeatable.add(key)
                field = field.inner
            if isinstance(field, fields.Integer):
                integers.add(key)
    return Operation(
        protected,
        frozenset(query),
        frozenset(repeatable),
        frozenset(integers),
        body_required,
        takes_json,
    )


# Operations that take a file, with the largest body each reads (a photo: 10 MB). Every
# other request keeps BOOKING_MAX_CONTENT_LENGTH.
LARGE_BODIES = {
    "photos.PlacePhotos": 10 * 1024 * 1024 + 64 * 1024,
    "web.upload_photo": 10 * 1024 * 1024 + 64 * 1024,
}


def _body_limit() -> None:
    """A larger limit for an upload, and a 413 before anything of an oversized body is read
    when its length is sent."""
    limit = LARGE_BODIES.get(request.endpoint or "")
    if limit is not None and request.method == "POST":
        request.max_content_length = limit
    allowed = request.max_content_length
    if allowed is not None and (request.content_length or 0) > allowed:
        raise RequestEntityTooLarge(f"The body is larger than {allowed} bytes.")


def check_request() -> None:
    """Run every guard on the incoming request (registered as a before_request hook)."""
    _check_length()
    _body_limit()
    _check_chunked_body()
    if request.method == "OPTIONS" or request.endpoint is None:
        return
    actor = current_actor() if "Authorization" in request.headers else None
    view_function = current_app.view_functions.get(request.endpoint)
    operation = _operation(view_function, request.method) if view_function else None
    if operation and operation.protected and actor is None:
        raise Unauthorized("This endpoint needs an API token.")
    _check_query(operation)
    body = request.get_data(cache=True)
    if operation and operation.takes_json and body and request.mimetype not in JSON_MIMETYPES:
        raise UnsupportedMediaType(
            f"The body is {request.mimetype or 'of no type'}; send it as JSON with "
            "Content-Type: application/json.",
        )
    if operation and operation.body_required and not body:
        raise Invalid(
            "This operation needs a JSON body (an empty object {} where nothing changes).",
            code="body_required",
        )
    if request.mimetype in JSON_MIMETYPES and body:
        check_json_body(body)


def _check_length() -> None:
    # gunicorn reads request lines far longer than this (see gunicorn.conf.py), so that an
    # overlong one gets this problem+json instead of gunicorn's own HTML page.
    limit = current_app.config["MAX_URL_LENGTH"]
    length = len(request.environ.get("PATH_INFO", "").encode("latin-1", "replace")) + len(
        request.query_string
    )
    if length > limit:
        raise UriTooLong(
            f"The path and query are {length} bytes; at most {limit} are read. "
            "Send fewer or shorter filters."
        )


def _check_chunked_body() -> None:
    """A body sent in chunks has no Content-Length to refuse up front, and werkzeug would
    cut it at MAX_CONTENT_LENGTH without a word (a JSON error, or worse, a truncated text).
    Read at most one byte more than the limit: over it is a 413, under it is kept as the
    body with its length known."""
    if request.content_length is not None or "wsgi.input" not in request.environ:
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    limit = int(request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"])
    body = request.environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge(f"The body is larger than {limit} bytes.")
    # The whole body is now in hand: werkzeug may read the stream to its end.
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["wsgi.input_terminated"] = True
    request.__dict__.pop("stream", None)


def _check_query(operation: Operation | None) -> None:
    args = request.args
    for key in args:
        for value in args.getlist(key):
            for text, where in ((key, "parameter name"), (value, "value")):
                bad = first_forbidden_character(text)
                if bad is not None:
                    raise Invalid(
                        f"The query {where} {key[:40]!r} holds a character that is not "
                        f"allowed ({bad}).",
                        code="invalid_character",
                        errors={key[:40]: [f"Contains {bad}."]},
                    )
    if operation is None:
        return
    not_digits = sorted(
        k
        for k in operation.integers & set(args)
        if not all(_ASCII_INTEGER.fullmatch(v) for v in args.getlist(k))
    )
    if not_digits:
        raise Invalid(
            f"Give {', '.join(not_digits)} as a whole number in ASCII digits (0-9).",
            code="validation_error",
            errors={name: ["Not a valid integer."] for name in not_digits},
        )
    if not request.path.startswith("/api/"):
        return  # calendar clients may add parameters of their own to a feed URL
    unknown = sorted(set(args) - operation.query)
    if unknown:
        known = ", ".join(sorted(operation.query)) or "none"
        raise Invalid(
            f"Unknown query parameter(s): {', '.join(unknown)}. This endpoint takes: {known}.",
            code="unknown_parameter",
            errors={name: ["Unknown parameter."] for name in unknown},
            unknown=unknown,
        )
    repeated = sorted(k for k in args if len(args.getlist(k)) > 1 and k not in operation.repeatable)
    if repeated:
        raise Invalid(
            f"Query parameter(s) given more than once: {', '.join(repeated)}.",
            code="repeated_parameter",
            errors={name: ["Give this parameter once."] for name in repeated},
        )


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise _NumberTooLarge(text)
    return int(text)


def _finite_float(text: str) -> float:
    if len(text) > 40 or not math.isfinite(value := float(text)):
        raise _NumberTooLarge(text)
    return value


def _no_constants(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


class _NumberTooLarge(ValueError):
    pass


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (strings are skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def check_json_body(body: bytes) -> None:
    """Refuse a body too deep, with absurd numbers, or with forbidden characters."""
    if json_depth_exceeds(body, MAX_JSON_DEPTH):
        raise MalformedJson(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.", code="json_too_deep"
        )
    try:
        data = json.loads(
            body,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constants,
        )
    except _NumberTooLarge as error:
        raise Invalid(
            f"A number in the body is larger than any field takes ({str(error)[:20]}...).",
            code="number_too_large",
        ) from None
    except ValueError:
        raise MalformedJson("The request body is not valid JSON.") from None
    problem = _first_forbidden_text(data, "")
    if problem:
        path, bad = problem
        raise Invalid(
            f"The text at {path or 'the top level'} holds a character that is not allowed ({bad}).",
            code="invalid_character",
            errors={path or "_body": [f"Contains {bad}."]},
        )


def _first_forbidden_text(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        bad = first_forbidden_character(value)
        return (path, bad) if bad else None
    if isinstance(value, dict):
        for key, item in value.items():
            bad = first_forbidden_character(key)
            if bad:
                return (path or "_body", bad)
            found = _first_forbidden_text(item, f"{path}.{key}" if path else key)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_forbidden_text(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def install_guards(app: Flask) -> None:
    """Register the guards; call before Flask-Limiter is bound so they run first."""
    app.before_request(check_request)
