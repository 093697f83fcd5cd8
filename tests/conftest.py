"""Test harness: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from BOOKING_TEST_POSTGRES_URL, or a throwaway database on a server that
answers on 127.0.0.1:5432. With CI=true a missing PostgreSQL fails the run instead of skipping.
Each test starts from an empty, migrated database (rows are deleted after every test).

The suite runs in parallel (pytest-xdist, `make test`): each worker has its own
SQLite file and its own PostgreSQL database, made beside the one it was given and dropped
after, so no worker empties another's tables.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from booking import create_app
from booking.extensions import db
from tests.factories import Factory
from tests.venue import venue  # noqa: F401 - the fixture, for every test package

LOCAL_POSTGRES = ("127.0.0.1", 5432)


def answers(address: tuple[str, int]) -> bool:
    """Whether a TCP server accepts connections at the address."""
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=LOCAL_POSTGRES[0],
        port=LOCAL_POSTGRES[1],
        user="postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database for the session on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = os.environ.get("BOOKING_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        yield from _worker_database(url, worker)
        return
    if url:
        yield url
        return
    if not answers(LOCAL_POSTGRES):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL is required in CI but does not answer on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not available (set BOOKING_TEST_POSTGRES_URL)")
    name = f"booking_test_{secrets.token_hex(4)}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker_database(url: str, worker: str) -> Iterator[str]:
    """A database of this worker's own on the server of `url`, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = {
        "host": given.host or LOCAL_POSTGRES[0],
        "port": given.port or LOCAL_POSTGRES[1],
        "user": given.username or "postgres",
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as conn:  # type: ignore[arg-type]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield given.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**server) as conn:  # type: ignore[arg-type]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def make_test_app(database_url: str, **overrides: Any) -> Flask:
    """An app on the given database with test settings."""
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ENV": "development",
        "TESTING": True,
        "SIGNUP_RATE_LIMIT": "100000 per minute",
        "BOOKING_WRITE_RATE_LIMIT": "100000 per minute",
        "FEED_RATE_LIMIT": "100000 per minute",
        "EMAIL_LINK_RATE_LIMIT": "100000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://localhost",
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The application, its database migrated from empty with `upgrade`."""
    from flask_migrate import upgrade

    application = make_test_app(database_url)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables(application: Flask) -> None:
    with application.app_context():
        db.session.rollback()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                db.session.execute(text(f'DELETE FROM "{name}"'))
        db.session.commit()
        db.session.remove()


def discard_app(application: Flask) -> None:
    """Empty the tables through an extra app, then close its connections."""
    _empty_all_tables(application)
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def clean_app(app: Flask) -> Iterator[Flask]:
    """The application; the database is emptied after the test."""
    yield app
    _empty_all_tables(app)


@pytest.fixture
def client(clean_app: Flask) -> FlaskClient:
    """A test client. Never hold an app context open around its requests."""
    return clean_app.test_client()


@pytest.fixture
def make(clean_app: Flask) -> Factory:
    """Factories that write real rows through the models and services."""
    return Factory(clean_app)
