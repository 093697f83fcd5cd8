"""Configuration: production needs a public URL; timeouts reach the database engine."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from booking.config import DEVELOPMENT_BASE_URL, ConfigurationError, load_config

SECRET = "x" * 48


def test_production_needs_a_public_base_url(tmp_path: object) -> None:
    with pytest.raises(ConfigurationError, match="BOOKING_PUBLIC_BASE_URL is required"):
        load_config(str(tmp_path), {"ENV": "production", "PUBLIC_BASE_URL": ""})
    config = load_config(
        str(tmp_path),
        {"ENV": "production", "PUBLIC_BASE_URL": "https://wijk.example.nl/", "SECRET_KEY": SECRET},
    )
    assert config["PUBLIC_BASE_URL"] == "https://wijk.example.nl"
    assert config["SESSION_COOKIE_SECURE"] is True  # https: the session cookie is Secure


def test_production_needs_its_own_long_secret_key(tmp_path: object) -> None:
    base = {"ENV": "production", "PUBLIC_BASE_URL": "https://wijk.example.nl"}
    for weak in ("dev-only-not-secret", "short", ""):
        with pytest.raises(ConfigurationError, match="BOOKING_SECRET_KEY must be set"):
            load_config(str(tmp_path), {**base, "SECRET_KEY": weak})
    assert load_config(str(tmp_path), {**base, "SECRET_KEY": SECRET})["SECRET_KEY"] == SECRET
    # Development keeps working without one.
    assert load_config(str(tmp_path), {"ENV": "development"})["SECRET_KEY"]


def test_development_defaults_to_the_address_of_make_run(tmp_path: object) -> None:
    config = load_config(str(tmp_path), {"ENV": "development", "PUBLIC_BASE_URL": ""})
    assert config["PUBLIC_BASE_URL"] == DEVELOPMENT_BASE_URL


def test_postgresql_gets_connect_statement_and_pool_timeouts(tmp_path: object) -> None:
    config = load_config(
        str(tmp_path),
        {
            "ENV": "development",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db",
            "DB_CONNECT_TIMEOUT": 2,
            "DB_STATEMENT_TIMEOUT_MS": 1500,
        },
    )
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_timeout"] == 2
    connect = options["connect_args"]
    assert connect["connect_timeout"] == 2
    assert connect["options"] == "-c statement_timeout=1500"
    # The client gives up too: on a silent peer, and on a path that stalls.
    assert connect["keepalives"] == 1 and connect["tcp_user_timeout"] == 2000
    assert connect["wijkruimte_answer_within"] == 2.0


def test_an_unknown_pooler_refuses_to_start(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKING_DB_POOLER", "pgpool")
    with pytest.raises(ConfigurationError, match="BOOKING_DB_POOLER is 'pgpool'"):
        load_config(str(tmp_path), {"ENV": "development"})
    monkeypatch.setenv("BOOKING_DB_POOLER", "PgBouncer")  # any case
    assert load_config(str(tmp_path), {"ENV": "development"})["DB_POOLER"] == "pgbouncer"


def test_redis_storage_gets_short_timeouts_and_fails_open(tmp_path: object) -> None:
    config = load_config(
        str(tmp_path), {"ENV": "development", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    )
    assert config["RATELIMIT_SWALLOW_ERRORS"] is True
    assert config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] <= 1


def test_production_is_the_default_and_names_everything_it_needs(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("BOOKING_ENV", "BOOKING_SECRET_KEY", "BOOKING_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as refused:
        load_config(str(tmp_path))
    message = str(refused.value)
    assert "\n" not in message
    assert "BOOKING_SECRET_KEY" in message and "BOOKING_PUBLIC_BASE_URL" in message
    monkeypatch.setenv("BOOKING_ENV", "development")
    assert load_config(str(tmp_path))["ENV"] == "development"


def test_an_overlong_url_is_a_414_problem(client: FlaskClient) -> None:
    answer = client.get("/api/v1/places?q=" + "x" * 9000)
    assert answer.status_code == 414
    assert answer.mimetype == "application/problem+json"
    assert answer.json["code"] == "uri_too_long"
    assert client.get("/api/v1/places?q=" + "x" * 100).status_code == 200
