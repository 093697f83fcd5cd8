"""What checking one slot reads, in one statement: closures, occupancies and the quota.

A booking is checked against the room's closures, the occupancies of its atomic parts and
the booker's active bookings at the place. Read separately that is three round trips on
every booking; as one UNION ALL it is one, and on PostgreSQL the same statement draws the
new booking's id from its sequence, so the writes that follow need no RETURNING.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from booking.extensions import db
from booking.models import Booking, Closure, Occupancy, Room
from booking.models.base import UTCDateTime
from booking.models.booking import CONFIRMED, PENDING
from booking.models.place import closure_rooms
from booking.models.room import room_parts
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.calendar import PlaceCalendar
from booking.services.calendar.closures import ClosedSpan
from booking.services.calendar.intervals import Interval

CLOSURE, OCCUPANCY, QUOTA = "c", "o", "n"


@dataclass(frozen=True)
class SlotSnapshot:
    """The calendar around one slot, the booker's active bookings, and a reserved id."""

    calendar: PlaceCalendar
    active_bookings: int
    # An id drawn from the bookings sequence (PostgreSQL only), for the booking about to
    # be written; None on SQLite, where the insert assigns it.
    reserved_id: int | None


@cache
def _statement(excluding: bool, reserve_id: bool) -> Any:
    """The UNION ALL of closures, occupancies and the quota count, with named parameters.

    Built once per variant, so it is compiled once: assembling it per request cost more
    than running it.
    """
    start, end = bindparam("start", type_=UTCDateTime), bindparam("end", type_=UTCDateTime)
    closures = Closure.__table__
    closures_read = (
        select(
            literal(CLOSURE, String).label("kind"),
            closures.c.id.label("a"),
            # The atomic rooms a closure closes; NULL when it closes the whole place.
            func.coalesce(room_parts.c.part_id, closure_rooms.c.room_id).label("b"),
            closures.c.start.label("start"),
            closures.c["end"].label("end"),
            closures.c.reason.label("note"),
        )
        .select_from(
            closures.outerjoin(
                closure_rooms, closure_rooms.c.closure_id == closures.c.id
            ).outerjoin(room_parts, room_parts.c.room_id == closure_rooms.c.room_id)
        )
        .where(
            closures.c.place_id == bindparam("place"),
            closures.c.start < end,
            closures.c["end"] > start,
        )
    )
    occupancies = Occupancy.__table__
    occupied: list[ColumnElement[bool]] = [
        occupancies.c.active,
        occupancies.c.room_id.in_(bindparam("atoms", expanding=True)),
        occupancies.c.start < end,
        occupancies.c["end"] > start,
    ]
    bookings = Booking.__table__
    now = bindparam("now", type_=UTCDateTime)
    held: list[ColumnElement[bool]] = [
        bookings.c.booked_by_id == bindparam("account"),
        bookings.c.place_id == bindparam("place"),
        bookings.c["end"] > now,
        or_(
            bookings.c.status == CONFIRMED,
            and_(bookings.c.status == PENDING, bookings.c.start > now),
        ),
    ]
    if excluding:
        occupied.append(occupancies.c.booking_id != bindparam("exclude"))
        held.append(bookings.c.id != bindparam("exclude"))
    occupancies_read = select(
        literal(OCCUPANCY, String),
        occupancies.c.booking_id,
        occupancies.c.room_id,
        occupancies.c.start,
        occupancies.c["end"],
        null(),
    ).where(*occupied)
    reserved: Any = literal_column("nextval('bookings_id_seq')", Integer) if reserve_id else null()
    quota_read = select(
        literal(QUOTA, String),
        select(func.count(bookings.c.id)).where(*held).scalar_subquery(),
        reserved,
        null(),
        null(),
        null(),
    )
    return union_all(closures_read, occupancies_read, quota_read)


def read_snapshot(
    room: Room,
    start: datetime,
    end: datetime,
    account_id: int,
    now: datetime,
    exclude_booking: int | None = None,
    reserve_id: bool = False,
) -> SlotSnapshot:
    """Closures, the room's occupancies over [start, end) and the quota count, in one query.

    With `reserve_id` on PostgreSQL, a booking id is drawn from the sequence as well.
    """
    place = room.place
    atoms = atom_ids(room)
    reserve = reserve_id and db.session.get_bind().dialect.name == "postgresql"
    rows = db.session.execute(
        _statement(exclude_booking is not None, reserve),
        {
            "place": place.id,
            "start": start,
            "end": end,
            "atoms": sorted(atoms),
            "account": account_id,
            "now": now,
            "exclude": exclude_booking,
        },
    ).all()
    closed: dict[int, tuple[Interval, str, set[int]]] = {}
    occupancies: list[tuple[int, int, Interval]] = []
    active, reserved_id = 0, None
    for kind, a, b, row_start, row_end, note in rows:
        if kind == CLOSURE:
            _, _, closed_atoms = closed.setdefault(a, ((row_start, row_end), note or "", set()))
            if b is not None:
                closed_atoms.add(b)
        elif kind == OCCUPANCY:
            occupancies.append((a, b, (row_start, row_end)))
        else:
            active, reserved_id = int(a or 0), b
    spans: list[ClosedSpan] = [(span, frozenset(closes)) for span, _, closes in closed.values()]
    reasons = {span: reason for span, reason, _ in closed.values()}
    calendar = PlaceCalendar(place, start, end, spans, occupancies, reasons)
    return SlotSnapshot(calendar, active, reserved_id)
