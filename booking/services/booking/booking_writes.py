"""A new booking written without the ORM's unit of work: one statement on PostgreSQL.

A booking is five rows in four tables (the booking, its occupancies, its history entry and
its outbox event) and the place's feed stamp. Flushed through the ORM that is five round
trips and most of a booking's time; here the rows are plain dictionaries. On PostgreSQL
they go in one statement of data-modifying CTEs, with the id drawn in the check's read; on
SQLite, where a statement is a function call, one statement per table.

Afterwards the booking joins the session as if it had been loaded, so the rest of the
request (the answer, a mail's attachment) reads it like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table, insert, inspect, literal, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from booking.extensions import db
from booking.models import Booking, BookingEvent, Occupancy, OutboxEvent, Place

BOOKINGS, OCCUPANCIES, HISTORY, OUTBOX, PLACES = (
    cast(Table, model.__table__) for model in (Booking, Occupancy, BookingEvent, OutboxEvent, Place)
)


def _columns(booking: Booking) -> dict[str, Any]:
    """The booking's row as its mapped columns hold it."""
    return {
        attribute.key: getattr(booking, attribute.key)
        for attribute in inspect(Booking).column_attrs
        if attribute.key != "id" or booking.id is not None
    }


def _history(booking_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    return {"booking_id": booking_id, **entry}


def _occupancies(
    booking_id: int, atoms: Iterable[int], start: datetime, until: datetime
) -> list[dict[str, Any]]:
    return [
        {"booking_id": booking_id, "room_id": atom, "start": start, "end": until, "active": True}
        for atom in sorted(atoms)
    ]


def _stamp(place_id: int, now: datetime) -> Any:
    """The place's feed stamp; its row changes, so its updated_at moves as an ORM flush did."""
    return update(PLACES).where(PLACES.c.id == place_id).values(feed_changed_at=now, updated_at=now)


def insert_booking(
    booking: Booking,
    atoms: Iterable[int],
    until: datetime,
    history: dict[str, Any],
    event: tuple[str, dict[str, Any]],
    now: datetime,
) -> None:
    """Write a checked new booking, its occupancies up to `until`, its history and event.

    `booking.id` is either set (drawn from the sequence) or assigned here. `event` is the
    outbox type and payload; the payload's `booking_id` is filled in. May raise the
    IntegrityError of an overlap that slipped past the check.
    """
    event_type, payload = event
    if booking.id is not None and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_one_statement(booking, atoms, until, history, event_type, payload, now))
    else:
        written = db.session.execute(insert(BOOKINGS).values(_columns(booking)))
        booking.id = cast(CursorResult[Any], written).lastrowid
        for statement in _rows_of(booking, atoms, until, history, event_type, payload, now):
            db.session.execute(statement)
    _adopt(booking, now)


def _rows_of(
    booking: Booking,
    atoms: Iterable[int],
    until: datetime,
    history: dict[str, Any],
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
) -> list[Any]:
    """Every write after the booking's own row, as statements over plain values."""
    return [
        insert(OCCUPANCIES).values(_occupancies(booking.id, atoms, booking.start, until)),
        insert(HISTORY).values(_history(booking.id, history)),
        insert(OUTBOX).values(
            type=event_type, payload={**payload, "booking_id": booking.id}, created_at=now
        ),
        _stamp(booking.place_id, now),
    ]


def _one_statement(
    booking: Booking,
    atoms: Iterable[int],
    until: datetime,
    history: dict[str, Any],
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
) -> Executable:
    """All the writes as CTEs of one statement (PostgreSQL runs each exactly once)."""
    writes = [
        insert(BOOKINGS).values(_columns(booking)),
        *_rows_of(booking, atoms, until, history, event_type, payload, now),
    ]
    ctes = [write.cte(f"write_{index}") for index, write in enumerate(writes)]
    return select(literal(1)).add_cte(*ctes)


def _adopt(booking: Booking, now: datetime) -> None:
    """Put the written booking in the session as persistent, and its place's stamp with it."""
    place = booking.place
    make_transient_to_detached(booking)
    db.session.add(booking)
    set_committed_value(place, "feed_changed_at", now)
    set_committed_value(place, "updated_at", now)
