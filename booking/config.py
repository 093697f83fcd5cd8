"""Configuration, read from BOOKING_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from gunicorn.errors import AppImportError

from booking.database import ANSWER_WITHIN, TIMEOUT_PER_TRANSACTION

DEFAULT_TIMEZONE = "Europe/Amsterdam"
HOLIDAY_COUNTRY = "NL"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"BOOKING_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value else default


DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production
MIN_SECRET_KEY_LENGTH = 32
# How much longer than the statement timeout the service waits for PostgreSQL to answer at
# all before it gives the connection up (the server's own timeout should come first).
ANSWER_MARGIN_SECONDS = 0.5


class ConfigurationError(AppImportError):
    """The service cannot start with this configuration.

    An AppImportError because gunicorn answers one with its message on one line and stops,
    where any other error is a traceback from every worker it tries to boot."""


POOLERS = ("", "pgbouncer")


def engine_options(
    url: str,
    connect_timeout: int,
    statement_timeout_ms: int,
    sqlite_busy_timeout: float,
    pooler: str = "",
) -> dict[str, Any]:
    """Engine settings that make a sick database fail fast instead of pinning workers.

    Behind PgBouncer in transaction mode (`pooler="pgbouncer"`) a server connection serves
    another client after every transaction: psycopg's prepared statements would be looked
    up where they were never made, and a startup option would not reach the server. So
    nothing is prepared, and the statement timeout is set in each transaction instead.
    """
    # An error's text never carries the values of its statement: they are names, addresses
    # and texts people wrote, and error texts end up in logs.
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        # How long a writer waits for SQLite's write lock before the request is a 503.
        options["connect_args"] = {"timeout": sqlite_busy_timeout}
    if url.startswith("postgresql"):
        options["pool_timeout"] = connect_timeout
        answer_within = statement_timeout_ms / 1000 + ANSWER_MARGIN_SECONDS
        options["connect_args"] = {
            "connect_timeout": connect_timeout,
            # A peer that stops acknowledging (a cut cable, a dead host) ends the connection
            # within these; libpq's defaults wait for the kernel's, which is minutes.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": int(answer_within * 1000),
            # A path that stalls while still acknowledging: booking.database bounds each
            # wait for an answer, just past the statement timeout.
            ANSWER_WITHIN: answer_within,
        }
        if pooler == "pgbouncer":
            options["connect_args"]["prepare_threshold"] = None
            options["connect_args"][TIMEOUT_PER_TRANSACTION] = statement_timeout_ms
        else:
            options["connect_args"]["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return options


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply explicit overrides."""
    sqlite_file = Path(instance_path) / "booking.db"
    database_url = _env("DATABASE_URL", f"sqlite:///{sqlite_file}") or ""
    config: dict[str, Any] = {
        # production unless told otherwise: development is `make run`, the tests, or an
        # explicit BOOKING_ENV=development, so no server signs with the development key.
        "ENV": _env("ENV", "production"),
        "SECRET_KEY": _env("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        # json (one object per line, for log collectors) or text; json in production.
        "LOG_FORMAT": _env("LOG_FORMAT", ""),
        # Who may read /metrics without an admin token: comma-separated addresses or networks.
        "METRICS_ALLOW": [
            a.strip() for a in (_env("METRICS_ALLOW") or "127.0.0.1,::1").split(",") if a.strip()
        ],
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A request waits at most this long for a connection, and a statement at most
        # DB_STATEMENT_TIMEOUT_MS, so an unreachable or stalled database is a quick 503.
        "DB_CONNECT_TIMEOUT": _env_int("DB_CONNECT_TIMEOUT", 3),
        "DB_STATEMENT_TIMEOUT_MS": _env_int("DB_STATEMENT_TIMEOUT_MS", 5000),
        "SQLITE_BUSY_TIMEOUT": float(_env("SQLITE_BUSY_TIMEOUT") or 15),
        # What stands between the service and PostgreSQL: nothing, or "pgbouncer" in
        # transaction mode (docs/operations.md).
        "DB_POOLER": (_env("DB_POOLER") or "").strip().lower(),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
        # Keeps the keys of several installations (or test runs) apart in one Redis.
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "wijkruimte"),
        "RATELIMIT_ENABLED": (_env("RATELIMIT_ENABLED") or "true").lower() != "false",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGNUP_RATE_LIMIT": _env("SIGNUP_RATE_LIMIT", "20 per hour"),
        # Sign-in codes: requests per client address and per e-mail address, and redemptions.
        "EMAIL_LINK_RATE_LIMIT": _env("EMAIL_LINK_RATE_LIMIT", "10 per hour"),
        # Shared by every booking and series write of one token (or one address).
        "BOOKING_WRITE_RATE_LIMIT": _env("WRITE_RATE_LIMIT", "120 per minute"),
        # Per client address; calendar services poll many feeds from few addresses.
        "FEED_RATE_LIMIT": _env("FEED_RATE_LIMIT", "600 per minute"),
        # A request whose path and query are longer than this (bytes) is refused with 414.
        "MAX_URL_LENGTH": _env_int("MAX_URL_LENGTH", 8190),
        # A request body larger than this is refused with 413 before it is parsed.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 256 * 1024),
        # Mail: smtp://user:pass@host:587?starttls=true or smtps://...; empty: .eml files
        # under instance/mail/ (development).
        "SMTP_URL": _env("SMTP_URL", ""),
        "MAIL_FROM": _env("MAIL_FROM", "Wijkruimte <noreply@wijkruimte.local>"),
        # A worker owns a claimed message this long; after that (it died) it is sent again.
        "OUTBOX_LEASE_SECONDS": _env_int("OUTBOX_LEASE_SECONDS", 120),
        # Retention of personal data (docs/privacy.md): days after expiry for unconfirmed
        # requests from the pages; days for addresses and texts of sent mail and webhooks;
        # hours for idempotency records; months without use before an account is warned,
        # and days from the warning to its erasure (false: never erase for inactivity).
        "PRIVACY_WEB_REQUEST_DAYS": _env_int("PRIVACY_WEB_REQUEST_DAYS", 7),
        "PRIVACY_MESSAGE_DAYS": _env_int("PRIVACY_MESSAGE_DAYS", 30),
        "PRIVACY_IDEMPOTENCY_HOURS": _env_int("PRIVACY_IDEMPOTENCY_HOURS", 48),
        "PRIVACY_INACTIVE_MONTHS": _env_int("PRIVACY_INACTIVE_MONTHS", 24),
        "PRIVACY_WARNING_DAYS": _env_int("PRIVACY_WARNING_DAYS", 30),
        "PRIVACY_ERASE_INACTIVE": (_env("PRIVACY_ERASE_INACTIVE") or "true").lower() != "false",
        # The privacy page (/privacy) names the organisation that is the controller, how to
        # reach its privacy contact, and links its own statement where it has one.
        "ORG_NAME": _env("ORG_NAME", ""),
        "PRIVACY_CONTACT": _env("PRIVACY_CONTACT", ""),
        "PRIVACY_URL": _env("PRIVACY_URL", ""),
        # Monitoring (docs/monitoring.md): where complaints also go, and escalate to after
        # six weeks; open figures below this count are left out; anonymous feedback per
        # client address; months a handled complaint keeps the name and address given.
        "COMPLAINTS_EMAIL": _env("COMPLAINTS_EMAIL", ""),
        "SUPPRESS_BELOW": _env_int("SUPPRESS_BELOW", 5),
        # A room of 40 after an activity shares one address (the buurthuis wifi).
        "FEEDBACK_RATE_LIMIT": _env("FEEDBACK_RATE_LIMIT", "60 per hour"),
        # The open figures of the impact report, for callers without a token.
        "OPEN_FIGURES_RATE_LIMIT": _env("OPEN_FIGURES_RATE_LIMIT", "30 per minute"),
        "PRIVACY_COMPLAINT_MONTHS": _env_int("PRIVACY_COMPLAINT_MONTHS", 12),
        # Days after an activity that its sign-ups keep names and addresses (counts stay).
        "RETAIN_SIGNUPS_DAYS": _env_int("RETAIN_SIGNUPS_DAYS", 30),
        "RETAIN_CALLER_DAYS": _env_int("RETAIN_CALLER_DAYS", 30),
        # Webhooks may target private and loopback addresses (tests, closed networks).
        "WEBHOOK_ALLOW_PRIVATE": (_env("WEBHOOK_ALLOW_PRIVATE") or "false").lower() == "true",
        # Every absolute URL (feeds, mails) starts with this, never with the Host header.
        "PUBLIC_BASE_URL": _env("PUBLIC_BASE_URL", ""),
        # Origins (comma-separated) whose pages may read the public API and feeds.
        "CORS_ORIGINS": [o.strip() for o in (_env("CORS_ORIGINS") or "").split(",") if o.strip()],
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
            # Its description is the API's "getting started" (booking/api/introduction.py).
            "info": {},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }
    if overrides:
        config.update(overrides)
    if config["DB_POOLER"] not in POOLERS:
        raise ConfigurationError(
            f"BOOKING_DB_POOLER is {config['DB_POOLER']!r}: leave it empty, or set pgbouncer "
            "when PgBouncer in transaction mode stands before PostgreSQL"
        )
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(
            config["SQLALCHEMY_DATABASE_URI"],
            config["DB_CONNECT_TIMEOUT"],
            config["DB_STATEMENT_TIMEOUT_MS"],
            config["SQLITE_BUSY_TIMEOUT"],
            config["DB_POOLER"],
        ),
    )
    _check_production(config)
    _settle_base_url(config)
    if not config["LOG_FORMAT"]:
        config["LOG_FORMAT"] = "json" if config["ENV"] == "production" else "text"
    # The pages' session cookie only carries the CSRF secret; it never crosses sites.
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SECURE", config["PUBLIC_BASE_URL"].startswith("https://"))
    # A form's CSRF token lives as long as its session: a form left open does not expire.
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # Signed in on the pages for 14 days.
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(days=14))
    # Imported here, not at the top: ratelimits imports the metrics, which must not be
    # created before gunicorn.conf.py has set PROMETHEUS_MULTIPROC_DIR (the workers'
    # counters would not be summed; tests/test_observability.py).
    from booking.ratelimits import limiter_config

    for key, value in limiter_config(config["RATELIMIT_STORAGE_URI"]).items():
        config.setdefault(key, value)
    return config


def _check_production(config: dict[str, Any]) -> None:
    """Production needs its own long secret (it signs the pages' sessions and the hosts'
    decision links, and keys the webhook secrets' encryption) and an explicit public URL (feed
    and mail links are built from it, never from a request's Host header). One line names
    everything missing, so a refused start says at once what to set."""
    if config["ENV"] != "production":
        return
    missing = []
    key = str(config["SECRET_KEY"] or "")
    if key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        missing.append(
            f"BOOKING_SECRET_KEY must be set, at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), or anyone could "
            "forge a signed-in session"
        )
    if not config["PUBLIC_BASE_URL"]:
        missing.append(
            "BOOKING_PUBLIC_BASE_URL is required (for example https://wijkruimte.example.nl)"
        )
    if missing:
        raise ConfigurationError(
            "Wijkruimte runs in production unless BOOKING_ENV=development: "
            + "; ".join(missing)
            + "."
        )


def _settle_base_url(config: dict[str, Any]) -> None:
    """An explicit public URL loses its trailing slash; development defaults to `make run`'s."""
    if config["PUBLIC_BASE_URL"]:
        config["PUBLIC_BASE_URL"] = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    else:
        config["PUBLIC_BASE_URL"] = DEVELOPMENT_BASE_URL
