"""A new booking written without the ORM's unit of work: one statement on PostgreSQL.

A booking is five rows in four tables (the booking, its occupancies, its history entry and
its outbox event) and the place's feed stamp. Flushed through the ORM that is five round
trips and most of a booking's time; here the rows are plain values bound to statements
built once. On PostgreSQL they go in one statement of data-modifying CTEs, with the id drawn
in the check's read; on SQLite, where a statement is a function call, one per table.

Afterwards the booking joins the session as if it had been loaded, so the rest of the
request (the answer, a mail's attachment) reads it like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CursorResult,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from booking.extensions import db
from booking.models import Booking, BookingEvent, Occupancy, OutboxEvent, Place
from booking.models.base import UTCDateTime

BOOKINGS, OCCUPANCIES, HISTORY, OUTBOX, PLACES = (
    cast(Table, model.__table__) for model in (Booking, Occupancy, BookingEvent, OutboxEvent, Place)
)
BOOKING_COLUMNS = tuple(column.key for column in BOOKINGS.c)
# Built once, so each is compiled once: a statement assembled per request would be
# compiled per request, which costs more than sending it.
NEW_BOOKING = insert(BOOKINGS).values(
    {column.key: bindparam(f"booking_{column.key}", type_=column.type) for column in BOOKINGS.c}
)
NEW_OCCUPANCY = insert(OCCUPANCIES).values(
    booking_id=bindparam("booking_id", type_=Integer),
    room_id=bindparam("atom", type_=Integer),
    start=bindparam("occupied_from", type_=UTCDateTime),
    end=bindparam("occupied_until", type_=UTCDateTime),
    active=true(),
)
NEW_OCCUPANCIES = insert(OCCUPANCIES).from_select(
    ["booking_id", "room_id", "start", "end", "active"],
    select(
        bindparam("booking_id", type_=Integer),
        func.unnest(bindparam("atoms", type_=ARRAY(Integer))),
        bindparam("occupied_from", type_=UTCDateTime),
        bindparam("occupied_until", type_=UTCDateTime),
        true(),
    ),
)
NEW_HISTORY = insert(HISTORY).values(
    {
        column.key: bindparam(f"history_{column.key}", type_=column.type)
        for column in HISTORY.c
        if column.key not in ("id", "booking_id")
    }
    | {"booking_id": bindparam("booking_id", type_=Integer)}
)
NEW_EVENT = insert(OUTBOX).values(
    type=bindparam("event_type"),
    payload=bindparam("event_payload", type_=JSON),
    created_at=bindparam("written", type_=UTCDateTime),
)
# The place's feed stamp; its row changes, so its updated_at moves as an ORM flush did.
STAMP = (
    update(PLACES)
    .where(PLACES.c.id == bindparam("stamped_place", type_=Integer))
    .values(
        feed_changed_at=bindparam("written", type_=UTCDateTime),
        updated_at=bindparam("written", type_=UTCDateTime),
    )
)
# PostgreSQL runs each data-modifying CTE exactly once, whether the query reads it or not.
ALL_AT_ONCE = select(literal(1)).add_cte(
    NEW_BOOKING.cte("new_booking"),
    NEW_OCCUPANCIES.cte("new_occupancies"),
    NEW_HISTORY.cte("new_history"),
    NEW_EVENT.cte("new_event"),
    STAMP.cte("stamp"),
)
# The same without the outbox event (the outbox benchmark measures what the event costs).
ALL_BUT_THE_EVENT = select(literal(1)).add_cte(
    NEW_BOOKING.cte("new_booking"),
    NEW_OCCUPANCIES.cte("new_occupancies"),
    NEW_HISTORY.cte("new_history"),
    STAMP.cte("stamp"),
)


def insert_booking(
    booking: Booking,
    atoms: Iterable[int],
    until: datetime,
    history: dict[str, Any],
    event: tuple[str, dict[str, Any]] | None,
    now: datetime,
) -> None:
    """Write a checked new booking, its occupancies up to `until`, its history and event.

    `booking.id` is either set (drawn from the sequence) or assigned here. `event` is the
    outbox type and payload (None: no event); the payload's `booking_id` is filled in. May
    raise the IntegrityError of an overlap that slipped past the check.
    """
    event_type, payload = event or ("", {})
    values: dict[str, Any] = {f"booking_{key}": getattr(booking, key) for key in BOOKING_COLUMNS}
    values.update({f"history_{key}": value for key, value in history.items()})
    values.update(
        event_type=event_type,
        occupied_from=booking.start,
        occupied_until=until,
        stamped_place=booking.place_id,
        written=now,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        if booking.id is None:
            raise ValueError("On PostgreSQL a new booking's id is drawn in the check's read.")
        db.session.execute(
            ALL_AT_ONCE if event else ALL_BUT_THE_EVENT,
            {
                **values,
                "atoms": sorted(atoms),
                "event_payload": {**payload, "booking_id": booking.id},
            },
        )
    else:
        written = db.session.execute(NEW_BOOKING, values)
        booking.id = values["booking_id"] = cast(CursorResult[Any], written).lastrowid
        values["event_payload"] = {**payload, "booking_id": booking.id}
        db.session.execute(NEW_OCCUPANCY, [{**values, "atom": atom} for atom in sorted(atoms)])
        db.session.execute(NEW_HISTORY, values)
        if event:
            db.session.execute(NEW_EVENT, values)
        db.session.execute(STAMP, values)
    _adopt(booking, now)


def _adopt(booking: Booking, now: datetime) -> None:
    """Put the written booking in the session as persistent, and its place's stamp with it."""
    place = booking.place
    make_transient_to_detached(booking)
    db.session.add(booking)
    set_committed_value(place, "feed_changed_at", now)
    set_committed_value(place, "updated_at", now)
