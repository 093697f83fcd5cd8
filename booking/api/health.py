"""Health check and the offline assets of the interactive API docs."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Blueprint, send_from_directory
from sqlalchemy import text

from booking.extensions import db

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """Liveness and database reachability."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # the check must answer, whatever the database says
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@blp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str) -> Any:
    """Swagger UI files from the installed bundle, so the docs need no internet."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)
