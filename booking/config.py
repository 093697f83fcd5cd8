"""Configuration, read from BOOKING_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_TIMEZONE = "Europe/Amsterdam"
HOLIDAY_COUNTRY = "NL"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"BOOKING_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value else default


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply explicit overrides."""
    sqlite_file = Path(instance_path) / "booking.db"
    config: dict[str, Any] = {
        "SECRET_KEY": _env("SECRET_KEY", "dev-only-not-secret"),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{sqlite_file}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_ENABLED": (_env("RATELIMIT_ENABLED") or "true").lower() != "false",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGNUP_RATE_LIMIT": _env("SIGNUP_RATE_LIMIT", "20 per hour"),
        # Shared by every booking and series write of one token (or one address).
        "BOOKING_WRITE_RATE_LIMIT": _env("WRITE_RATE_LIMIT", "120 per minute"),
        # Per client address; calendar services poll many feeds from few addresses.
        "FEED_RATE_LIMIT": _env("FEED_RATE_LIMIT", "600 per minute"),
        # A request body larger than this is refused with 413 before it is parsed.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 256 * 1024),
        "PUBLIC_BASE_URL": _env("PUBLIC_BASE_URL", ""),
        # flask-smorest / OpenAPI
        "API_TITLE": "Wijkruimte API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # Served from the installed swagger-ui-bundle so the docs work offline.
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Rooms, opening hours, bookings and initiatives of "
                "neighbourhood meeting places."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }
    if overrides:
        config.update(overrides)
    return config
