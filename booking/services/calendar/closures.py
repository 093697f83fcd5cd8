"""Closures as time: the spans a closure takes out of a room, and opening hours with
closures applied. A pure reading of time; making and removing closures, which settles the
bookings they hit, is `booking/services/closures.py`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Closure, Place, Room, utcnow
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.intervals import Interval
from booking.services.calendar.opening_hours import local_midnight, resolve_days
from booking.services.common import check_date_range, get_or_404

MAX_OPENING_HOURS_DAYS = 92


# A closure's interval and the atomic rooms it closes (empty: the whole place).
ClosedSpan = tuple[Interval, frozenset[int]]


def closed_span(closure: Closure) -> ClosedSpan:
    """A closure as its interval and the atomic rooms it closes."""
    return (closure.start, closure.end), atom_ids(*closure.rooms)


def closing(spans: Iterable[ClosedSpan], room_atoms: frozenset[int]) -> list[Interval]:
    """The spans that close a room with these atoms.

    A closure of some rooms closes every room that shares an atomic part with them, so
    closing part A closes the hall that contains it, and closing the hall closes part A.
    """
    return [span for span, closed in spans if not closed or closed & room_atoms]


def closure_intervals(
    place: Place, room: Room | None, start: datetime, end: datetime
) -> list[Interval]:
    """Closures that close the place (or this room) inside [start, end)."""
    closures = db.session.scalars(
        select(Closure).where(
            Closure.place_id == place.id, Closure.start < end, Closure.end > start
        )
    )
    atoms = atom_ids(room) if room is not None else frozenset()
    return closing((closed_span(closure) for closure in closures), atoms)


def opening_hours_by_day(
    place_id: int, first: date | None, last: date | None, room_id: int | None = None
) -> tuple[Place, list[tuple[date, list[Interval]]]]:
    """A place's (or one of its rooms') open intervals per local date, closures applied.

    `first` defaults to today in the place's timezone, `last` to six days after `first`.
    """
    place = get_or_404(Place, place_id)
    first = first or utcnow().astimezone(place.zone).date()
    last = last or first + timedelta(days=6)
    check_date_range(first, last, MAX_OPENING_HOURS_DAYS)
    room = None
    if room_id is not None:
        room = get_or_404(Room, room_id)
        if room.place_id != place.id:
            raise Invalid(
                f"Room {room_id} is not a room of this place.",
                code="unknown_room",
                errors={"room": ["Not a room of this place."]},
            )
    expression = room.effective_opening_hours if room else place.opening_hours
    window = (
        local_midnight(first, place.zone),
        local_midnight(last + timedelta(days=2), place.zone),
    )
    closures = closure_intervals(place, room, *window)
    return place, resolve_days(expression, place.zone, first, last, closures)
