"""Bookings that a change of a place hits: a closure over them, opening hours that no longer
cover them, a room that stops being bookable. The change answers with them, and may cancel
them (each booker is told) or leave them for the hosts to decide (the hosts are told)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.models import Booking, Occupancy, Place, Room
from booking.models.booking import ACTIVE_STATUSES
from booking.services.authorization import Actor
from booking.services.booking.bookings import cancel
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.intervals import Interval, merge
from booking.services.calendar.opening_hours import open_intervals
from booking.services.outbox import events


def _active_future(now: datetime) -> Any:
    return select(Booking).where(Booking.status.in_(ACTIVE_STATUSES), Booking.end > now)


def hit_by_closure(
    place: Place, rooms: list[Room], start: datetime, end: datetime, now: datetime
) -> list[Booking]:
    """Active bookings that have not ended and that a closure of `rooms` (all: none) covers.

    Closing a part closes the hall it belongs to, and closing the hall closes its parts, so
    the test is on the atomic rooms a booking occupies.
    """
    stmt = _active_future(now).where(
        Booking.place_id == place.id, Booking.start < end, Booking.end > start
    )
    if rooms:
        atoms = atom_ids(*rooms)
        stmt = stmt.where(
            exists().where(Occupancy.booking_id == Booking.id, Occupancy.room_id.in_(atoms))
        )
    return list(db.session.scalars(stmt.order_by(Booking.start, Booking.id)))


def outside_opening_hours(place: Place, now: datetime, room: Room | None = None) -> list[Booking]:
    """Active bookings that have not ended and that the rooms' hours no longer cover.

    Bookings a host placed outside the hours on purpose are left out; they never needed them.
    """
    stmt = _active_future(now).where(
        Booking.place_id == place.id, Booking.outside_opening_hours.is_(False)
    )
    if room is not None:
        stmt = stmt.where(Booking.room_id == room.id)
    bookings = list(
        db.session.scalars(stmt.options(selectinload(Booking.room)).order_by(Booking.start))
    )
    if not bookings:
        return []
    first = min(b.start for b in bookings) - timedelta(days=1)
    last = max(b.end for b in bookings) + timedelta(days=1)
    opening: dict[str, list[Interval]] = {}
    hit = []
    for booking in bookings:
        expression = booking.room.effective_opening_hours
        if expression not in opening:
            opening[expression] = merge(open_intervals(expression, place.zone, first, last))
        if not _covered((booking.start, booking.end), opening[expression]):
            hit.append(booking)
    return hit


def bookings_of_room(room: Room, now: datetime) -> list[Booking]:
    """Active bookings of a room that have not ended (it stops being bookable)."""
    stmt = _active_future(now).where(Booking.room_id == room.id)
    return list(db.session.scalars(stmt.order_by(Booking.start, Booking.id)))


def _covered(span: Interval, intervals: Iterable[Interval]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in intervals)


def settle(
    actor: Actor, bookings: list[Booking], cancel_them: bool, reason: str, by: str
) -> list[dict[str, Any]]:
    """Cancel the bookings (each booker is told) or leave them; their summaries either way."""
    if cancel_them:
        for booking in bookings:
            cancel(actor, booking, reason, by=by)
    return [summary(booking) for booking in bookings]


def summary(booking: Booking) -> dict[str, Any]:
    """What a host needs to see of an affected booking."""
    zone = booking.place.zone
    return {
        "id": booking.id,
        "room_id": booking.room_id,
        "start": booking.start.astimezone(zone).isoformat(),
        "end": booking.end.astimezone(zone).isoformat(),
        "title": booking.title,
        "status": booking.status,
        # For the hosts' preview: which room, and whose booking (the caller a host booked
        # for, where there is one).
        "room_name": booking.room.name,
        "booker_name": booking.on_behalf_name or booking.booked_by.name,
    }


# The reason a cancelled booking's history and mail give, per kind of change.
CHANGE_REASONS = {
    "opening_hours": "De openingstijden zijn veranderd.",
    "not_bookable": "De ruimte is niet meer te boeken.",
}


def answer_change(
    actor: Actor, place: Place, what: str, hit: list[Booking], cancel_them: bool
) -> list[dict[str, Any]]:
    """After new hours or a room taken out: cancel what they hit (bookers are told) or leave
    it (the hosts are told); the summaries for the answer either way."""
    summaries = settle(actor, hit, cancel_them, CHANGE_REASONS[what], events.BY_HOST)
    if not cancel_them:
        _tell_hosts(place, what, hit, actor)
    return summaries


def _tell_hosts(place: Place, what: str, bookings: list[Booking], actor: Actor) -> None:
    """The hosts hear of bookings a change left standing outside what is now possible."""
    if not bookings:
        return
    events.emit(
        events.AFFECTED_BY_CHANGE,
        {
            "place_id": place.id,
            "what": what,
            "actor_id": events.actor_id(actor),
            "affected": [events.booking_snapshot(booking) for booking in bookings],
        },
    )
