"""X-Request-ID in and out: a caller's id is kept (when it is a sane token), else one is made,
so a request can be followed through proxies, logs and answers."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str:
    """This request's id ('-' outside a request)."""
    if not has_request_context():
        return "-"
    return str(g.get("request_id", "-"))


def _take_or_make() -> None:
    offered = request.headers.get(HEADER, "")
    g.request_id = offered if _SANE.match(offered) else uuid.uuid4().hex


def _echo(response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
    return response


class RequestIdFilter(logging.Filter):
    """Puts the request id on every log record (`%(request_id)s`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def install_request_id(app: Flask) -> None:
    """Register first, so every later hook, error and log line has the id."""
    app.before_request(_take_or_make)
    app.after_request(_echo)
    app.logger.addFilter(RequestIdFilter())
