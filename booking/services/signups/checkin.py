"""Ticking off who came, from the start of the activity (the organiser and the hosts)."""

from __future__ import annotations

from datetime import datetime

from booking.errors import Conflict, Forbidden
from booking.extensions import db
from booking.models import Booking, Signup, utcnow
from booking.models.signup import CONFIRMED
from booking.services.authorization import Actor, can_manage, require_account
from booking.services.common import get_or_404
from booking.services.signups.signing_up import get_signup


def check_in(actor: Actor, signup_id: int, checked_in: bool, now: datetime | None = None) -> Signup:
    """Mark a confirmed sign-up as come (or not); 409 before the activity starts."""
    now = now or utcnow()
    account = require_account(actor)
    signup = get_signup(actor, signup_id)
    booking = get_or_404(Booking, signup.booking_id)
    if booking.booked_by_id != account.id and not can_manage(actor, booking.place_id):
        raise Forbidden("Only the organiser and the hosts tick off who came.", code="not_involved")
    if now < booking.start:
        raise Conflict("Check-in opens when the activity starts.", code="checkin_not_open")
    if signup.status != CONFIRMED:
        raise Conflict("Only a confirmed sign-up can be checked in.", code="signup_not_confirmed")
    signup.checked_in = checked_in
    db.session.flush()
    return signup
