"""A database that is gone or stalled is a quick 503 problem, /healthz stays up, /readyz
says so, and the service recovers without a restart.

On PostgreSQL the database sits behind a TCP proxy the test controls (gone: nothing listens;
stalled: it accepts and never answers); gunicorn serves. On SQLite a stalled database is one
whose write lock another process holds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from booking.extensions import db
from tests.conftest import discard_app, make_test_app
from tests.factories import Factory
from tests.gunicorn import gunicorn
from tests.http import send
from tests.tcp_proxy import TcpProxy

PROBLEM = "application/problem+json"


def _assert_unavailable(answer: tuple[int, dict[str, str], object], took: float) -> None:
    status, headers, body = answer
    assert status == 503, answer
    assert headers["Content-Type"].startswith(PROBLEM)
    assert isinstance(body, dict) and body["code"] == "database_unavailable"
    assert int(headers["Retry-After"]) > 0
    assert took < 8, took


def timed(method: str, url: str, *args: object) -> tuple[tuple[int, dict[str, str], object], float]:
    started = time.monotonic()
    answer = send(method, url, *args, timeout=30)  # type: ignore[arg-type]
    return answer, time.monotonic() - started


@pytest.fixture
def proxied(clean_app: Flask, database_url: str) -> Iterator[tuple[TcpProxy, str] | None]:
    """PostgreSQL behind a proxy and gunicorn in front; None on SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield None
        return
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    env = {
        "BOOKING_DATABASE_URL": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        ),
        "BOOKING_DB_CONNECT_TIMEOUT": "2",
        "BOOKING_DB_STATEMENT_TIMEOUT_MS": "2000",
        "BOOKING_RATELIMIT_ENABLED": "false",
    }
    try:
        with gunicorn(env, workers=2) as base:
            yield proxy, base
    finally:
        proxy.stop()


def test_a_sick_database_is_a_quick_503(
    proxied: tuple[TcpProxy, str] | None, database_url: str, make: Factory
) -> None:
    if proxied is None:
        _sqlite_whose_lock_is_held(database_url, make)
        return
    proxy, base = proxied
    places = f"{base}/api/v1/places"
    for _ in range(6):  # every worker holds a pooled connection
        assert send("GET", places)[0] == 200
    assert send("GET", f"{base}/readyz")[0] == 200

    # A stall once the pool is warm: the pooled connections' path stops answering while
    # every byte is still acknowledged, so only the client's own bound ends the wait.
    proxy.stall()
    waiting: list[tuple[tuple[int, dict[str, str], object], float]] = []
    request = threading.Thread(target=lambda: waiting.append(timed("GET", places)))
    request.start()
    slowest_health = 0.0
    while request.is_alive():
        started = time.monotonic()
        assert send("GET", f"{base}/healthz", timeout=5)[0] == 200
        slowest_health = max(slowest_health, time.monotonic() - started)
        time.sleep(0.2)
    request.join()
    (answer, took) = waiting[0]
    _assert_unavailable(answer, took)
    assert took < 5, took  # statement timeout (2 s) + 0.5 s, then a 2 s connect timeout
    assert slowest_health < 1, slowest_health
    proxy.resume()
    deadline = time.monotonic() + 20
    while send("GET", places)[0] != 200:
        assert time.monotonic() < deadline, "the service did not recover from the stall"
        time.sleep(0.5)

    proxy.stop()  # gone: nothing listens
    answer, took = timed("GET", places)
    _assert_unavailable(answer, took)
    assert send("GET", f"{base}/healthz", timeout=2)[0] == 200
    (status, _, body), took = timed("GET", f"{base}/readyz")
    assert status == 503 and took < 3, (status, body, took)

    proxy.start("stall")  # stalled: accepts, never answers
    answer, took = timed("GET", places)
    _assert_unavailable(answer, took)
    assert send("GET", f"{base}/healthz", timeout=2)[0] == 200
    (status, _, body), took = timed("GET", f"{base}/readyz")
    assert status == 503 and took < 3, (status, body, took)

    proxy.stop()
    proxy.start("forward")  # back: no restart needed
    deadline = time.monotonic() + 20
    while send("GET", places)[0] != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.5)
    assert send("GET", f"{base}/readyz")[0] == 200


def _sqlite_whose_lock_is_held(database_url: str, make: Factory) -> None:
    admin = make.account(admin=True)
    application = make_test_app(database_url, SQLITE_BUSY_TIMEOUT=1.0)
    client = application.test_client()
    body = {"name": "Oost", "city": "Rotterdam"}
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        response = client.post("/api/v1/neighbourhoods", json=body, headers=admin.headers)
        took = time.monotonic() - started
        assert response.status_code == 503 and response.mimetype == PROBLEM, response.json
        assert response.json["code"] == "database_unavailable"
        assert int(response.headers["Retry-After"]) > 0 and took < 8
        assert client.get("/healthz").status_code == 200
        holder.execute("ROLLBACK")
        response = client.post("/api/v1/neighbourhoods", json=body, headers=admin.headers)
        assert response.status_code == 201, response.json
    finally:
        holder.close()
        discard_app(application)


def test_readyz_reports_a_schema_behind_the_code(clean_app: Flask, database_url: str) -> None:
    client = clean_app.test_client()
    assert client.get("/readyz").json == {"status": "ok", "database": "ok", "migrations": "head"}

    with clean_app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0004_initiatives'"))
        db.session.commit()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json["migrations"]["current"] == ["0004_initiatives"]
    finally:
        with clean_app.app_context():
            db.session.execute(
                text("UPDATE alembic_version SET version_num = '0005_token_parents'")
            )
            db.session.commit()
