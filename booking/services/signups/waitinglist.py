"""The waitlist moves by itself: when places free up, the earliest waiting sign-ups that fit
are confirmed at once; a party that does not fit keeps its turn and a smaller one behind it
moves up, so no chair stays empty while someone who fits waits. Promotion stops at
`closes_at`. Call it with the booking locked (`quotas.locked_booking`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from booking.extensions import db
from booking.models import Booking, Signup
from booking.models.signup import CONFIRMED, WAITLISTED
from booking.services.signups.notices import tell_promoted
from booking.services.signups.quotas import closes_at, counts, in_order


def promote(booking: Booking, now: datetime) -> list[Signup]:
    """Confirm the waiting sign-ups that fit the places left, in order, and mail each of
    them; the promoted ones."""
    if booking.signup_capacity is None or now >= closes_at(booking):
        return []
    left = booking.signup_capacity - counts(booking.id).taken
    promoted = []
    for signup in in_order(booking.id, WAITLISTED):
        if left <= 0:
            break
        if signup.party_size <= left:
            signup.status = CONFIRMED
            left -= signup.party_size
            promoted.append(signup)
    db.session.flush()
    tell_promoted(promoted)
    return promoted


def position_of(signup: Signup) -> int | None:
    """A waiting sign-up's place in the line, 1-based (None once confirmed): counted from
    those waiting before it, so positions are always 1..n without gaps or twins."""
    if signup.status != WAITLISTED:
        return None
    earlier = or_(
        Signup.created_at < signup.created_at,
        and_(Signup.created_at == signup.created_at, Signup.id < signup.id),
    )
    ahead = db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.booking_id == signup.booking_id, Signup.status == WAITLISTED, earlier
        )
    )
    return int(ahead or 0) + 1
