"""Domain events into the outbox, in the transaction that causes them.

Nothing is sent here: `booking worker` delivers the outbox. A request that rolls back
leaves no event, because the event is a row of the same transaction.
"""

from __future__ import annotations

from typing import Any

from booking.extensions import db
from booking.models import Booking, Closure, OutboxEvent, Series
from booking.services.authorization import Actor

# Not domain events, but mails all the same: hosts hear of bookings that a change of hours or
# bookability left standing.
AFFECTED_BY_CHANGE = "place.bookings_affected"
# Nor is this: a host changed the title, description or visibility of someone's booking,
# and the booker is told (with the calendar file, so their agenda follows).
CHANGED_BY_HOST = "booking.changed_by_host"

# Who acted, as the mails explain it: the booker, a host (or admin), a closure, the system.
BY_BOOKER, BY_HOST, BY_CLOSURE, BY_SYSTEM = "booker", "host", "closure", "system"


def emit(event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add one event to the outbox of this transaction."""
    event = OutboxEvent(type=event_type, payload=payload)
    db.session.add(event)
    return event


def actor_id(actor: Actor | None) -> int | None:
    """The acting account's id; None for the system (expiry) or an anonymous caller."""
    return actor.account.id if actor is not None and actor.account is not None else None


def actor_role(actor: Actor | None, booker_id: int) -> str:
    """How the actor relates to a booking: its booker, a host or admin, or the system."""
    if actor is None or actor.account is None:
        return BY_SYSTEM
    return BY_BOOKER if actor.account.id == booker_id else BY_HOST


def booking_snapshot(booking: Booking, *, described: bool = False) -> dict[str, Any]:
    """The booking as the event saw it: enough to write a mail without reading it again.
    `described` adds the description, for the mails' calendar files of the booking's own
    events (lists of other people's bookings, as a closure's, leave it out)."""
    snapshot = {
        "booking_id": booking.id,
        "series_id": booking.series_id,
        "room_id": booking.room_id,
        "place_id": booking.place_id,
        "booked_by": booking.booked_by_id,
        "title": booking.title,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "status": booking.status,
        "sequence": booking.sequence,
        "feed_revision": booking.feed_revision,
        "visibility": booking.visibility,
    }
    if described:
        snapshot["description"] = booking.description
    return snapshot


def booking_event(
    event_type: str, booking: Booking, actor: Actor | None, reason: str = "", **extra: Any
) -> OutboxEvent:
    """Record that something happened to one booking."""
    db.session.flush()  # the booking needs its id
    return emit(event_type, booking_payload(booking, actor, reason, **extra))


def booking_payload(
    booking: Booking, actor: Actor | None, reason: str = "", **extra: Any
) -> dict[str, Any]:
    """The payload of a booking's event: its snapshot, who acted and how, and why."""
    return {
        **booking_snapshot(booking, described=True),
        "by": extra.pop("by", None) or actor_role(actor, booking.booked_by_id),
        "actor_id": actor_id(actor),
        "reason": reason,
        **extra,
    }


def series_event(
    event_type: str,
    series: Series,
    bookings: list[Booking],
    actor: Actor | None,
    reason: str = "",
) -> OutboxEvent:
    """Record that something happened to a series: one event, its occurrences listed."""
    db.session.flush()
    return emit(
        event_type,
        {
            "series_id": series.id,
            "room_id": series.room_id,
            "place_id": series.place_id,
            "booked_by": series.booked_by_id,
            "title": series.title,
            "rrule": series.rrule,
            "by": actor_role(actor, series.booked_by_id),
            "actor_id": actor_id(actor),
            "reason": reason,
            "occurrences": [booking_snapshot(booking, described=True) for booking in bookings],
        },
    )


def closure_event(
    closure: Closure, affected: list[Booking], cancelled: bool, actor: Actor
) -> OutboxEvent:
    """Record a new closure with the bookings it hits and whether they were cancelled."""
    db.session.flush()
    return emit(
        "closure.created",
        {
            "closure_id": closure.id,
            "place_id": closure.place_id,
            "room_ids": [room.id for room in closure.rooms],
            "start": closure.start.isoformat(),
            "end": closure.end.isoformat(),
            "reason": closure.reason,
            "actor_id": actor_id(actor),
            "cancelled_affected": cancelled,
            "affected": [booking_snapshot(booking) for booking in affected],
        },
    )
