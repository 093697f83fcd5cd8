"""How many SQL statements a successful booking costs, counted at the driver: a guard that
the hot path does not grow (see docs/operations.md)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from booking.extensions import db
from tests.booking_helpers import book, upcoming
from tests.factories import Factory

# The token with its account; the room with its place, its parts and (PostgreSQL) the quota
# lock; closures, occupancies and the quota count in one read; then the writes. PostgreSQL
# sends the writes as one statement; SQLite, whose statements are function calls, as one per
# table: the booking, its occupancies, its history, its outbox event, the place's stamp.
MOST = {"postgresql": 4, "sqlite": 8}


def test_a_booking_costs_four_statements_and_a_commit_on_postgresql(
    clean_app: Flask, client: FlaskClient, make: Factory
) -> None:
    place = make.place(opening_hours="Mo-Su 08:00-22:00")
    room = make.room(place)
    booker = make.account()
    day = upcoming(days=2)
    assert book(client, booker, room, day, "08:00", "09:00").status_code == 201  # warm caches
    statements: list[str] = []
    commits: list[bool] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        verb = statement.split(None, 1)[0].upper()
        if verb != "BEGIN":  # SQLite's BEGIN IMMEDIATE, sent as a statement; psycopg's is not
            statements.append(verb)

    def commit(_conn) -> None:  # type: ignore[no-untyped-def]
        commits.append(True)

    with clean_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "commit", commit)
    try:
        assert book(client, booker, room, day, "10:00", "11:00").status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "commit", commit)
    backend = engine.dialect.name
    assert len(statements) <= MOST[backend], statements
    assert commits == [True]
    if backend == "postgresql":
        assert statements == ["SELECT", "SELECT", "SELECT", "WITH"]
    else:
        assert statements[:3] == ["SELECT"] * 3
        assert statements[3:] == ["INSERT"] * 4 + ["UPDATE"]
