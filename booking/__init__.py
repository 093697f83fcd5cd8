"""Wijkruimte: shared rooms, opening hours and initiatives of neighbourhood meeting places."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from booking.config import load_config

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path, config))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the contract's field order
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    from booking import database
    from booking.api import register_api
    from booking.api.base import IdConverter
    from booking.cli import register_commands
    from booking.errors import DomainError, render_domain_error
    from booking.extensions import db, limiter, migrate

    app.url_map.converters["id"] = IdConverter
    database.install_sqlite_transaction_mode()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS_DIR,
        compare_type=True,
        render_as_batch=True,
        render_item=database.render_migration_item,
    )
    limiter.init_app(app)
    register_api(app)
    app.register_error_handler(DomainError, render_domain_error)
    register_commands(app)
    return app
