"""An activity's quota: its settings on the booking, the counts, and the lock that makes
counting and writing one step (a row lock on the booking on PostgreSQL; SQLite's write
transactions already run one at a time, BEGIN IMMEDIATE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from booking.errors import Conflict, Invalid
from booking.extensions import db
from booking.models import Booking, Signup
from booking.models.signup import CONFIRMED, WAITLISTED
from booking.services.common import locked_or_404


@dataclass(frozen=True)
class Counts:
    """Confirmed party sizes (`taken`) and waitlisted sign-ups (`waiting`)."""

    taken: int
    waiting: int


def locked_booking(booking_id: int) -> Booking:
    """The booking, its row locked until the transaction ends (the quota's lock)."""
    return locked_or_404(Booking, booking_id)


def in_order(booking_id: int, status: str) -> list[Signup]:
    """An activity's sign-ups of one status, first come first."""
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.booking_id == booking_id, Signup.status == status)
            .order_by(Signup.created_at, Signup.id)
        )
    )


def counts(booking_id: int) -> Counts:
    """The activity's counts, in one query."""
    taken, waiting = db.session.execute(
        select(
            func.coalesce(func.sum(Signup.party_size).filter(Signup.status == CONFIRMED), 0),
            func.count(Signup.id).filter(Signup.status == WAITLISTED),
        ).where(Signup.booking_id == booking_id)
    ).one()
    return Counts(int(taken or 0), int(waiting or 0))


def counts_of(booking_ids: list[int]) -> dict[int, Counts]:
    """Several activities' counts in one query, for a page that lists them (an activity
    nobody signed up for counts 0)."""
    found = dict.fromkeys(booking_ids, Counts(0, 0))
    if not booking_ids:
        return found
    rows = db.session.execute(
        select(
            Signup.booking_id,
            func.coalesce(func.sum(Signup.party_size).filter(Signup.status == CONFIRMED), 0),
            func.count(Signup.id).filter(Signup.status == WAITLISTED),
        )
        .where(Signup.booking_id.in_(booking_ids))
        .group_by(Signup.booking_id)
    )
    found.update({int(b): Counts(int(t or 0), int(w or 0)) for b, t, w in rows})
    return found


SIGNUPS_CHANGED = "booking.signups_changed"


def tell_partners(booking: Booking) -> None:
    """An outbox event for webhooks: the counts changed (the counts go out, never names)."""
    from booking.services.outbox.events import emit

    emit(
        SIGNUPS_CHANGED,
        {
            "booking_id": booking.id,
            "place_id": booking.place_id,
            # The initiative, for subscriptions that follow one, is read from the booking.
            "booked_by": booking.booked_by_id,
        },
    )


def closes_at(booking: Booking) -> datetime:
    """When sign-ups close: `closes_minutes_before` the start."""
    return booking.start - timedelta(minutes=booking.signup_closes_minutes_before or 0)


def signups_json(booking: Any, found: Counts | None = None) -> dict[str, Any] | None:
    """The booking's `signups` as the API shows it to anyone: settings and counts (`found`,
    or read now), never names; null for walk-in."""
    capacity = getattr(booking, "signup_capacity", None)
    if capacity is None:
        return None
    if found is None:
        found = counts(booking.id)
    return {
        "capacity": capacity,
        "waitlist": booking.signup_waitlist,
        "closes_minutes_before": booking.signup_closes_minutes_before,
        "closes_at": closes_at(booking).astimezone(booking.zone).isoformat(),
        "taken": found.taken,
        "waiting": found.waiting,
        "places_left": max(capacity - found.taken, 0),
        "whole_series": bool(booking.signup_whole_series),
    }


def check_settings(booking: Booking, wanted: dict[str, Any] | None) -> None:
    """Apply `signups` settings to a booking: null is walk-in; a private booking takes none;
    the capacity fits the room and never drops below the places taken."""
    if wanted is None:
        if booking.id is not None and counts(booking.id).taken:
            raise Conflict(
                "People have signed up; lower nothing below them.", code="capacity_below_signups"
            )
        booking.signup_capacity = None
        return
    if booking.visibility != "public":
        raise Invalid(
            "A private booking cannot take sign-ups.",
            code="signups_need_public",
            errors={"signups": ["Only a public activity takes sign-ups."]},
        )
    capacity = int(wanted["capacity"])
    if capacity > booking.room.capacity:
        raise Invalid(
            f"The room holds {booking.room.capacity} people.",
            code="over_capacity",
            errors={"signups": [f"At most {booking.room.capacity}, the room's capacity."]},
        )
    if booking.id is not None and capacity < counts(booking.id).taken:
        raise Conflict("More places are taken than this capacity.", code="capacity_below_signups")
    booking.signup_capacity = capacity
    booking.signup_waitlist = bool(wanted.get("waitlist", True))
    booking.signup_closes_minutes_before = int(wanted.get("closes_minutes_before", 0))
    booking.signup_whole_series = bool(wanted.get("whole_series", False))
