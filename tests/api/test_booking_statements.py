"""How many SQL statements a successful booking costs, counted at the driver: a guard that
the hot path does not grow (the operations issue aims at five; see docs/operations.md)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from booking.extensions import db
from tests.booking_helpers import book, upcoming
from tests.factories import Factory

# token with its account; room with place and parts; closures; occupancies; the quota (lock
# and count on PostgreSQL); the place's feed stamp; four inserts.
MOST = 11


def test_a_booking_costs_at_most_eleven_statements(
    clean_app: Flask, client: FlaskClient, make: Factory
) -> None:
    place = make.place(opening_hours="Mo-Su 08:00-22:00")
    room = make.room(place)
    booker = make.account()
    day = upcoming(days=2)
    assert book(client, booker, room, day, "08:00", "09:00").status_code == 201  # warm caches
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split(None, 1)[0].upper())

    with clean_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert book(client, booker, room, day, "10:00", "11:00").status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    reads = [s for s in statements if s in ("SELECT", "WITH")]
    writes = [s for s in statements if s in ("INSERT", "UPDATE")]
    assert len(statements) <= MOST, statements
    assert len(writes) == 5 and len(reads) <= 6, statements
