"""Database engine behaviour that the guarantees depend on."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The connect argument that bounds every wait for PostgreSQL's answer (seconds); taken out
# before psycopg sees the arguments.
ANSWER_WITHIN = "wijkruimte_answer_within"
# The connect argument that, behind a transaction pooler, sets the statement timeout (ms) in
# every transaction: a startup option would not reach the server connection that serves it.
TIMEOUT_PER_TRANSACTION = "wijkruimte_timeout_per_transaction"
_installed = False


class BoundedWaitConnection(psycopg.Connection[Any]):
    """A psycopg connection that stops waiting for a server that has stopped answering.

    `statement_timeout` ends a slow statement on the server, and libpq's keepalives and
    `tcp_user_timeout` notice a peer that stopped acknowledging. A connection whose path
    stalls while every byte is still acknowledged (a hung proxy or pooler, a frozen server
    process) meets neither, and a request would wait until gunicorn kills its worker. Here
    every wait for an answer is bounded, the connection is closed when the bound passes,
    and the pool replaces it; the request becomes a 503.
    """

    answer_within: float | None = None
    timeout_per_transaction: int | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        """psycopg's wait, with `answer_within` as the bound when none is given."""
        bound = self.answer_within if timeout is None else timeout
        try:
            return super().wait(gen, interval=interval, timeout=bound)
        except psycopg.errors.OperationalError as error:
            if timeout is not None or type(error).__name__ != "_WaitTimeout":
                raise
            self.pgconn.finish()  # broken now: SQLAlchemy invalidates it
            raise psycopg.OperationalError(
                f"PostgreSQL did not answer within {bound:g} s; the connection was closed"
            ) from None


def _on_do_connect(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
    within = cparams.pop(ANSWER_WITHIN, None)
    per_transaction = cparams.pop(TIMEOUT_PER_TRANSACTION, None)
    if within is None or dialect.name != "postgresql" or getattr(dialect, "is_async", False):
        return None  # SQLAlchemy connects as usual
    connection = BoundedWaitConnection.connect(*cargs, **cparams)
    connection.answer_within = float(within)
    if per_transaction is not None:
        connection.timeout_per_transaction = int(per_transaction)
    return connection


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event decide how a transaction starts (see _on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        raw = connection.connection.dbapi_connection
        timeout = getattr(raw, "timeout_per_transaction", None)
        if timeout is not None:
            # SET LOCAL ends with the transaction, so no other client of the pooler's
            # server connection inherits it.
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout)}")
        return
    if connection.dialect.name != "sqlite":
        return
    # A write transaction takes SQLite's write lock up front, so two writers can never
    # both read "free" and then both insert; reads stay concurrent under WAL.
    is_read = has_request_context() and request.method in READ_METHODS
    connection.exec_driver_sql("BEGIN" if is_read else "BEGIN IMMEDIATE")


def install_sqlite_transaction_mode() -> None:
    """Register the connect/begin hooks once per process (SQLite's transaction mode,
    PostgreSQL's bounded waits and, behind a pooler, its per-transaction timeout)."""
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    event.listen(Engine, "do_connect", _on_do_connect)
    _installed = True


def _end_clean_transaction(error: BaseException | None) -> None:
    """End a request's still-open transaction with COMMIT when it holds no pending change.

    Flask-SQLAlchemy ends every request with `session.remove()`, which rolls back, and
    psycopg forgets every prepared statement on a ROLLBACK: each read request made the
    driver start over, so no query ever became prepared. For a transaction that only read,
    COMMIT ends it the same way. One with pending changes, or a failed request, is still
    rolled back by `session.remove()`.
    """
    from booking.extensions import db

    session = db.session()
    if error is not None or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()


def install_clean_transaction_end(app: Flask) -> None:
    """Register the request teardown that ends clean transactions with COMMIT."""
    app.teardown_request(_end_clean_transaction)


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render UTCDateTime as a plain timezone-aware DateTime in generated migrations."""
    from booking.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
