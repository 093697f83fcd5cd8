"""Wijkruimte: shared rooms, opening hours and initiatives of neighbourhood meeting places."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from booking.config import load_config


def _migrations_dir() -> str:
    """The checkout's migrations/, or the copy an installed wheel carries."""
    checkout = Path(__file__).resolve().parent.parent / "migrations"
    if (checkout / "env.py").exists():
        return str(checkout)
    return str(Path(__file__).resolve().parent / "migrations")


MIGRATIONS_DIR = _migrations_dir()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path, config))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the contract's field order
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    from flask_cors import CORS
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    from sqlalchemy.orm.exc import StaleDataError

    from booking import database
    from booking.api import register_api
    from booking.api.base import IdConverter
    from booking.api.guards import install_guards
    from booking.api.headers import install_headers
    from booking.cli import register_commands
    from booking.errors import (
        DomainError,
        render_database_unavailable,
        render_domain_error,
        render_stale_data,
    )
    from booking.extensions import db, limiter, migrate
    from booking.feeds.stamps import install_feed_stamps
    from booking.i18n import install_babel
    from booking.observability import install_observability
    from booking.ratelimits import install_fail_open_reporting
    from booking.request_id import install_request_id
    from booking.web import register_web

    app.url_map.converters["id"] = IdConverter
    database.install_sqlite_transaction_mode()
    install_feed_stamps()
    db.init_app(app)
    database.install_clean_transaction_end(app)
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS_DIR,
        compare_type=True,
        render_as_batch=True,
        render_item=database.render_migration_item,
    )
    # Registered before the limiter: guards run before its check (a bad token is a 401
    # and the write budget is keyed on the authenticated token), headers after its own.
    install_request_id(app)
    install_observability(app)
    install_guards(app)
    install_headers(app)
    limiter.init_app(app)
    install_fail_open_reporting(app)
    register_api(app)
    register_web(app)
    install_babel(app)
    CORS(
        app,
        resources={r"/api/v1/.*": {}, r"/feeds/(?!private/).*": {}},
        origins=app.config["CORS_ORIGINS"],
        methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "If-None-Match", "If-Modified-Since"],
        expose_headers=["ETag", "Last-Modified", "X-Pagination"],
        supports_credentials=False,
        max_age=3600,
    )
    app.register_error_handler(DomainError, render_domain_error)
    app.register_error_handler(OperationalError, render_database_unavailable)
    app.register_error_handler(PoolTimeout, render_database_unavailable)
    app.register_error_handler(StaleDataError, render_stale_data)
    register_commands(app)
    _warn_without_controller(app)
    return app


def _warn_without_controller(app: Flask) -> None:
    """In production, /privacy must say who is responsible and how to reach them: without
    BOOKING_ORG_NAME and BOOKING_PRIVACY_CONTACT the service starts, says so loudly in the
    log, and /privacy shows the gap to every reader (docs/privacy.md). Mail without SMTP
    goes to files nobody reads: that is said too."""
    if app.config["ENV"] != "production":
        return
    import logging

    missing = [name for name in ("ORG_NAME", "PRIVACY_CONTACT") if not app.config[name]]
    if missing:
        logging.getLogger("booking.privacy").warning(
            "%s not set: /privacy cannot say who is responsible for personal data or how to "
            "reach them, and says so on the page. Set them before residents use this site.",
            " and ".join(f"BOOKING_{name}" for name in missing),
        )
    if not app.config["SMTP_URL"]:
        logging.getLogger("booking.mail").warning(
            "BOOKING_SMTP_URL not set: mails are written as files into %s/mail and reach "
            "nobody. Set it before residents use this site.",
            app.instance_path,
        )
