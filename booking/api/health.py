"""Liveness, readiness, and the offline assets of the interactive API docs."""

from __future__ import annotations

import functools
import ipaddress
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
from sqlalchemy import text

from booking.extensions import db
from booking.metrics import CONTENT_TYPE, exposition
from booking.services.outbox.status import backlog

blp = Blueprint("health", __name__)

READY_WITHIN_SECONDS = 1.0
# Checks run here so a stalled database cannot hold the request past READY_WITHIN_SECONDS;
# two threads bound how many stalled checks can pile up.
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")


@blp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics: from the addresses in BOOKING_METRICS_ALLOW, or with an admin token."""
    if not _may_read_metrics():
        return Response("metrics are for operators\n", status=403, mimetype="text/plain")
    return Response(exposition(backlog), mimetype=CONTENT_TYPE)


def _may_read_metrics() -> bool:
    address = request.remote_addr or ""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        client = None
    for allowed in current_app.config["METRICS_ALLOW"]:
        try:
            if client is not None and client in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    if "Authorization" in request.headers:
        from booking.api.auth import current_actor

        return current_actor().is_admin
    return False


@blp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """Liveness: the process answers. Asks nothing of the database."""
    return {"status": "ok"}, 200


@blp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: the database answers within a second and its schema is at the head."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        revisions = _checks.submit(_schema_revisions, app).result(READY_WITHIN_SECONDS)
    except FutureTimeout:
        return {"status": "unavailable", "database": "timeout"}, 503
    except Exception:  # the check must answer, whatever the database says
        return {"status": "unavailable", "database": "unreachable"}, 503
    heads = migration_heads(app.extensions["migrate"].directory)
    if revisions != heads:
        return {
            "status": "unavailable",
            "database": "ok",
            "migrations": {"current": sorted(revisions), "head": sorted(heads)},
        }, 503
    return {"status": "ok", "database": "ok", "migrations": "head"}, 200


def _schema_revisions(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}


@functools.cache
def migration_heads(directory: str) -> set[str]:
    """The head revisions of the migrations shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return set(ScriptDirectory.from_config(config).get_heads())


@blp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str) -> Any:
    """Swagger UI files from the installed bundle, so the docs need no internet."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
