"""The mails a sign-up produces, recorded as outbox events in the transaction that made them:
ids only, so that an erasure or the retention purge leaves nothing personal in the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from booking.models import Signup
from booking.models.outbox import SIGNUP_PLACED, SIGNUP_PROMOTED
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
