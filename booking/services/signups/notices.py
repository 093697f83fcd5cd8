"""The mails a sign-up produces, recorded as outbox events in the transaction that made them:
ids only, so that an erasure or the retention purge leaves nothing personal in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, Signup
from booking.models.booking import CONFIRMED as BOOKING_CONFIRMED
from booking.models.outbox import SIGNUP_PLACED, SIGNUP_PROMOTED, SIGNUP_REMINDER
from booking.models.signup import CONFIRMED
from booking.services.outbox.events import emit


def _payload(signups: Sequence[Signup]) -> dict[str, object]:
    first = signups[0]
    return {
        "signup_ids": [signup.id for signup in signups],
        "booking_id": first.booking_id,
        "place_id": first.booking.place_id,
        "status": first.status,
    }


def tell_placed(signups: Sequence[Signup]) -> None:
    """Mail the person that they are in, or on the waitlist (one mail for a whole series)."""
    if signups:
        emit(SIGNUP_PLACED, _payload(signups))


def tell_promoted(promoted: Sequence[Signup]) -> None:
    """Mail each promoted person, with the calendar file and the cancel link."""
    for signup in promoted:
        emit(SIGNUP_PROMOTED, _payload([signup]))


# The reminder goes out within the day before the activity, to those who signed up before
# that day began (someone who signed up an hour ago needs no reminder).
REMIND_BEFORE = timedelta(hours=24)


def remind(now: datetime) -> int:
    """Mail each confirmed person of the activities starting within a day, once; how many."""
    due = db.session.scalars(
        select(Signup)
        .join(Booking, Booking.id == Signup.booking_id)
        .where(
            Signup.status == CONFIRMED,
            Signup.reminded_at.is_(None),
            Signup.email != "",
            Booking.status == BOOKING_CONFIRMED,
            Booking.start > now,
            Booking.start <= now + REMIND_BEFORE,
        )
        .order_by(Signup.id)
    )
    count = 0
    for signup in due:
        signup.reminded_at = now
        if signup.created_at <= signup.booking.start - REMIND_BEFORE:
            emit(SIGNUP_REMINDER, _payload([signup]))
            count += 1
    db.session.flush()
    return count
