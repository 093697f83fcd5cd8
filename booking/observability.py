"""What an operator sees: one JSON line per request (request id, method, route template,
status, duration, account), JSON application logs, and the request metrics for /metrics.

Secrets never reach a log: private feed tokens are cut out of paths, and headers (where
tokens travel) are not logged at all.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request, session
from flask.logging import default_handler
from sqlalchemy import inspect

from booking.access_log import redact
from booking.metrics import LATENCY, REQUESTS
from booking.request_id import RequestIdFilter, current_request_id

REQUEST_LOG = logging.getLogger("booking.requests")
# Fields a record may carry beyond the standard ones, in the order they are written.
FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "account_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; exceptions as one string field."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines (development), redacted as the JSON ones are."""

    def format(self, record: logging.LogRecord) -> str:
        """The usual line, with tokens and addresses taken out."""
        return redact(super().format(record))


def configure_logging(log_format: str) -> None:
    """JSON (production) or plain text (development) on stderr, for this service's loggers."""
    root = logging.getLogger("booking")  # also Flask's app.logger: the package is "booking"
    root.removeHandler(default_handler)  # Flask's own; ours replaces it
    if any(getattr(h, "_booking", False) for h in root.handlers):
        return  # once per process, however many apps are made
    handler = logging.StreamHandler()
    handler._booking = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def _started() -> None:
    g.started = time.perf_counter()


def _account_id() -> int | None:
    actor = g.get("actor")
    if actor is not None and actor.account is not None:
        # From the identity map: the account is expired after the commit, and its id must
        # not cost a query.
        identity = inspect(actor.account).identity
        return int(identity[0]) if identity else None
    signed_in = session.get("account_id") if request.blueprint == "web" else None
    return signed_in if isinstance(signed_in, int) else None


def _finished(response: Response) -> Response:
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    path = redact(request.path)
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(duration)
    REQUEST_LOG.info(
        "%s %s %s",
        request.method,
        path,
        response.status_code,
        extra={
            "request_id": current_request_id(),
            "method": request.method,
            "route": route,
            "path": path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "account_id": _account_id(),
        },
    )
    return response


def install_observability(app: Flask) -> None:
    """Time and log every request, and count it for /metrics."""
    configure_logging(app.config["LOG_FORMAT"])
    app.before_request(_started)
    app.after_request(_finished)
