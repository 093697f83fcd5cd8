"""Ticking off who came, from the start of the activity (the organiser and the hosts). Saving
the whole list records the activity's attendance (DESIGN §13) as the checked-in party sizes
plus the walk-ins, so the monitoring report needs no second entry."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from booking.errors import Conflict, Forbidden, Invalid
from booking.extensions import db
from booking.models import Attendance, Booking, Signup, utcnow
from booking.models.signup import CONFIRMED
from booking.services.authorization import Actor, can_manage, require_account
from booking.services.common import get_or_404
from booking.services.monitoring.attendance import MAX_COUNT, record
from booking.services.signups.quotas import in_order
from booking.services.signups.signing_up import get_signup, organised_booking


def _refuse_before_start(booking: Booking, now: datetime) -> None:
    if now < booking.start:
        raise Conflict("Check-in opens when the activity starts.", code="checkin_not_open")


def check_in(actor: Actor, signup_id: int, checked_in: bool, now: datetime | None = None) -> Signup:
    """Mark a confirmed sign-up as come (or not); 409 before the activity starts."""
    now = now or utcnow()
    account = require_account(actor)
    signup = get_signup(actor, signup_id)
    booking = get_or_404(Booking, signup.booking_id)
    if booking.booked_by_id != account.id and not can_manage(actor, booking.place_id):
        raise Forbidden("Only the organiser and the hosts tick off who came.", code="not_involved")
    _refuse_before_start(booking, now)
    if signup.status != CONFIRMED:
        raise Conflict("Only a confirmed sign-up can be checked in.", code="signup_not_confirmed")
    signup.checked_in = checked_in
    db.session.flush()
    return signup


def save_checkin(
    actor: Actor,
    booking_id: int,
    came: Collection[int],
    walk_ins: int,
    now: datetime | None = None,
) -> Attendance:
    """Save the door's list: who of the confirmed came, and how many walked in without
    signing up; records the attendance from it."""
    now = now or utcnow()
    booking = organised_booking(actor, booking_id)
    _refuse_before_start(booking, now)
    if not 0 <= walk_ins <= MAX_COUNT:
        raise Invalid(
            "The walk-ins are a number from 0.", errors={"walk_ins": [f"From 0 to {MAX_COUNT}."]}
        )
    people = 0
    for signup in in_order(booking.id, CONFIRMED):
        signup.checked_in = signup.id in came
        people += signup.party_size if signup.checked_in else 0
    account = require_account(actor)
    return record(booking, {"count": people + walk_ins}, account.id, now, from_start=True)
