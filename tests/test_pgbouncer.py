"""Behind a real PgBouncer in transaction mode (BOOKING_DB_POOLER=pgbouncer): the booking
races, the outbox with two workers side by side, and a sick database behind the pooler.

Each server connection serves another client after every transaction, so nothing may
depend on a session: no prepared statement (psycopg's are per connection), no startup
option, no session-level lock. The race and sick-database tests are the same functions as
against PostgreSQL directly, run here with the pooler in between. PostgreSQL only: SQLite
has no pooler.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from booking.config import engine_options
from tests.delivery import conftest as delivery
from tests.delivery.conftest import MailingApp
from tests.delivery.test_worker_process import a_booking, statuses, worker
from tests.gunicorn import gunicorn
from tests.pgbouncer import pgbouncer, settle, through
from tests.tcp_proxy import TcpProxy

# The same tests as against PostgreSQL directly; collected here with this module's fixtures.
from tests.test_concurrency import test_concurrent_requests_for_one_slot  # noqa: F401
from tests.test_races import (  # noqa: F401
    test_a_rush_for_the_last_places_never_overfills_an_activity,
    test_parallel_places_with_one_name_get_distinct_slugs,
    test_parallel_sign_ups_with_one_email,
    test_the_quota_holds_under_concurrent_bookings,
)
from tests.test_sick_database import test_a_sick_database_is_a_quick_503  # noqa: F401

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
mailing = delivery.mailing  # the fixture, for the outbox test here

POOLED = {"BOOKING_DB_POOLER": "pgbouncer"}


def _server_address(database_url: str) -> tuple[str, int]:
    url = make_url(database_url)
    return url.host or "127.0.0.1", url.port or 5432


def _user(database_url: str) -> str | None:
    return make_url(database_url).username


@pytest.fixture
def pooled_url(database_url: str) -> Iterator[str]:
    """The test database through PgBouncer in transaction mode."""
    with pgbouncer(_server_address(database_url), _user(database_url)) as port:
        yield through(database_url, port)
    settle(database_url)


@pytest.fixture
def server(clean_app: Flask, pooled_url: str) -> Iterator[str]:
    """gunicorn with 4 sync workers reaching the test database through PgBouncer."""
    env = {"BOOKING_DATABASE_URL": pooled_url, "BOOKING_RATELIMIT_ENABLED": "false", **POOLED}
    with gunicorn(env, workers=4) as base:
        yield base


@pytest.fixture
def proxied(clean_app: Flask, database_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """gunicorn -> PgBouncer -> a proxy the test controls -> PostgreSQL: the database
    behind the pooler goes away, stalls and comes back."""
    proxy = TcpProxy(_server_address(database_url)).start()
    # Behind the pooler a new connection is made at once (PgBouncer answers it), and its
    # first statement waits as long as the one that found the stall: twice the statement
    # timeout and its margin, where directly it is that once plus the connect timeout.
    env = {
        "BOOKING_DB_CONNECT_TIMEOUT": "2",
        "BOOKING_DB_STATEMENT_TIMEOUT_MS": "1500",
        "BOOKING_RATELIMIT_ENABLED": "false",
        **POOLED,
    }
    try:
        with pgbouncer(("127.0.0.1", proxy.port), _user(database_url)) as port:
            env["BOOKING_DATABASE_URL"] = through(database_url, port)
            with gunicorn(env, workers=2) as base:
                yield proxy, base
    finally:
        proxy.stop()
    settle(database_url)


def test_two_workers_through_the_pooler_send_each_message_once(
    mailing: MailingApp, pooled_url: str
) -> None:
    m = mailing
    a_booking(m, count=24)
    settings = {"BOOKING_DATABASE_URL": pooled_url, **POOLED}
    with (
        worker(m, lease_seconds=60, **settings) as one,
        worker(m, lease_seconds=60, **settings) as two,
    ):
        m.mailbox.wait_for(24, seconds=60)
        time.sleep(0.5)  # nothing more should come
        for process in (one, two):
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
    ids = Counter(str(mail["Message-ID"]) for mail in m.mailbox.received)
    assert len(ids) == 24 and set(ids.values()) == {1}
    assert statuses(m.app) == ["delivered"] * 24


def _engine(url: str, pooler: str) -> Engine:
    return create_engine(url, **engine_options(url, 3, 5000, 15, pooler))


def test_the_pooler_setting_is_what_makes_it_work(pooled_url: str) -> None:
    """Without the setting the startup option is refused by PgBouncer; with it, repeated
    statements (which psycopg would otherwise prepare after five uses) work across
    transactions that each land on any server connection, and every transaction has the
    statement timeout."""
    direct = _engine(pooled_url, "")
    with pytest.raises(OperationalError, match="options"):
        direct.connect()
    direct.dispose()
    pooled = _engine(pooled_url, "pgbouncer")
    with pooled.connect() as connection:
        for round_no in range(12):
            timeout = connection.execute(
                text("SELECT current_setting('statement_timeout'), :n"), {"n": round_no}
            ).one()
            assert tuple(timeout) == ("5s", round_no)
            connection.commit()
    pooled.dispose()
