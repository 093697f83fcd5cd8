"""Dated closures of places and rooms, and opening hours with closures applied."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Closure, Place, Room, utcnow
from booking.services.authorization import Actor, require_place_manager
from booking.services.booking import affected
from booking.services.calendar.intervals import Interval
from booking.services.calendar.opening_hours import local_midnight, resolve_days
from booking.services.common import check_date_range, fetch_page, get_or_404
from booking.services.notify import outbox
from booking.services.rooms import atom_ids

MAX_CLOSURE_DAYS = 366
MAX_OPENING_HOURS_DAYS = 92


def list_closures(
    place_id: int, ending_after: datetime | None, page: int, page_size: int
) -> tuple[list[Closure], int]:
    """A place's closures by start; with `ending_after`, only those not yet over."""
    get_or_404(Place, place_id)
    stmt = select(Closure).where(Closure.place_id == place_id).order_by(Closure.start, Closure.id)
    if ending_after is not None:
        stmt = stmt.where(Closure.end > ending_after)
    return fetch_page(stmt, page, page_size)


def create_closure(
    actor: Actor,
    place_id: int,
    start: datetime,
    end: datetime,
    reason: str,
    room_ids: list[int],
    cancel_affected: bool = False,
    dry_run: bool = False,
) -> Closure | dict[str, Any]:
    """Close a whole place, or some of its rooms, for a period (hosts and admins).

    The answer lists the active bookings the closure hits. With `cancel_affected` they are
    cancelled with the closure's reason (each booker is mailed); without, the hosts are
    mailed the list. A dry run answers the same without writing anything.
    """
    place = get_or_404(Place, place_id)
    account = require_place_manager(actor, place)
    if end <= start:
        raise Invalid(
            "A closure must end after it starts.", errors={"end": ["Must be after start."]}
        )
    if end - start > timedelta(days=MAX_CLOSURE_DAYS):
        raise Invalid(
            f"A closure may last at most {MAX_CLOSURE_DAYS} days.",
            code="range_too_long",
            errors={"end": [f"At most {MAX_CLOSURE_DAYS} days after start."]},
        )
    rooms = list(db.session.scalars(select(Room).where(Room.id.in_(room_ids)))) if room_ids else []
    wrong = sorted(set(room_ids) - {room.id for room in rooms if room.place_id == place.id})
    if wrong:
        raise Invalid(
            "Some rooms are not rooms of this place.",
            code="unknown_room",
            errors={"room_ids": [f"Room {rid} is not a room of this place." for rid in wrong]},
        )
    hit = affected.hit_by_closure(place, rooms, start, end, utcnow())
    if dry_run:
        return {
            "id": None,
            "place_id": place.id,
            "room_ids": sorted(room.id for room in rooms),
            "start": start,
            "end": end,
            "reason": reason,
            "zone": place.zone,
            "dry_run": True,
            "affected_bookings": [affected.summary(booking) for booking in hit],
        }
    closure = Closure(
        place=place, start=start, end=end, reason=reason, rooms=rooms, created_by_id=account.id
    )
    db.session.add(closure)
    db.session.flush()
    closure.affected_bookings = affected.settle(  # type: ignore[attr-defined]
        actor, hit, cancel_affected, reason, outbox.BY_CLOSURE
    )
    outbox.closure_event(closure, hit, cancel_affected, actor)
    return closure


def delete_closure(actor: Actor, closure_id: int) -> None:
    """Remove a closure (hosts of its place and admins)."""
    closure = get_or_404(Closure, closure_id)
    require_place_manager(actor, closure.place)
    db.session.delete(closure)


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
