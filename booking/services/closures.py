"""The closure use case: close a place or some of its rooms for a while, and settle the
bookings that closure hits (cancel them, or tell the hosts); list and remove closures.

The calendar (booking/services/calendar/closures.py) only reads closures as time; this
module is where a closure meets the bookings, so the calendar needs nothing of `booking/`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Closure, Place, Room, utcnow
from booking.services.authorization import Actor, require_place_manager
from booking.services.booking import affected
from booking.services.common import fetch_page, get_or_404
from booking.services.outbox import events

MAX_CLOSURE_DAYS = 366


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
        actor, hit, cancel_affected, reason, events.BY_CLOSURE
    )
    events.closure_event(closure, hit, cancel_affected, actor)
    return closure


def delete_closure(actor: Actor, closure_id: int) -> None:
    """Remove a closure (hosts of its place and admins)."""
    closure = get_or_404(Closure, closure_id)
    require_place_manager(actor, closure.place)
    db.session.delete(closure)
