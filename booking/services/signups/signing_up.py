"""Signing up for an activity, and leaving it: checked and written under the quota's lock, so
the confirmed party sizes never exceed the capacity, whatever arrives at the same moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from booking.errors import Conflict, Forbidden, Invalid, NotFound
from booking.extensions import db
from booking.models import Booking, Signup, utcnow
from booking.models.booking import CONFIRMED as BOOKING_CONFIRMED
from booking.models.signup import ACTIVE_SIGNUPS, CANCELLED, CONFIRMED, WAITLISTED
from booking.services.accounts import normalise_email
from booking.services.authorization import Actor, can_manage, require_account, require_scope
from booking.services.signups.quotas import closes_at, counts, locked_booking, tell_partners
from booking.services.signups.waitinglist import promote


def _open_activity(booking_id: int, now: datetime) -> Booking:
    """The booking under lock, while it takes sign-ups; 404 where it is not public."""
    booking = locked_booking(booking_id)
    if booking.visibility != "public":
        raise NotFound(f"Booking {booking_id} does not exist.")
    if (
        booking.signup_capacity is None
        or booking.status != BOOKING_CONFIRMED
        or now >= closes_at(booking)
    ):
        raise Conflict("This activity takes no sign-ups now.", code="signups_closed")
    return booking


def sign_up(
    actor: Actor, booking_id: int, data: dict[str, Any], now: datetime | None = None
) -> Signup:
    """Sign up with a `book` token: confirmed while places are left, else waitlisted (or
    409 `signups_full` without a waitlist)."""
    now = now or utcnow()
    account = require_scope(actor, "book")
    booking = _open_activity(booking_id, now)
    capacity = int(booking.signup_capacity or 0)
    party = int(data.get("party_size") or 1)
    if party > capacity:
        raise Invalid(
            f"At most {capacity} people can come.",
            code="party_too_large",
            errors={"party_size": [f"At most {capacity}."]},
        )
    email = normalise_email(data.get("email") or account.email)
    taken_by = db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.booking_id == booking.id,
            Signup.status.in_(ACTIVE_SIGNUPS),
            or_(Signup.account_id == account.id, func.lower(Signup.email) == email),
        )
    )
    if taken_by:
        raise Conflict("You are signed up for this activity already.", code="already_signed_up")
    left = capacity - counts(booking.id).taken
    if party <= left and not _anyone_waiting_who_fits(booking.id, left):
        status = CONFIRMED
    elif booking.signup_waitlist:
        status = WAITLISTED
    else:
        raise Conflict("This activity is full.", code="signups_full")
    signup = Signup(
        booking_id=booking.id,
        account_id=account.id,
        name=(data.get("name") or account.name).strip(),
        email=email,
        party_size=party,
        note=data.get("note"),
        status=status,
        checked_in=False,
        created_at=now,
    )
    db.session.add(signup)
    db.session.flush()
    tell_partners(booking)
    return signup


def _anyone_waiting_who_fits(booking_id: int, left: int) -> bool:
    # Someone in line who fits goes first: a newcomer does not jump the waitlist.
    return bool(
        db.session.scalar(
            select(func.count(Signup.id)).where(
                Signup.booking_id == booking_id,
                Signup.status == WAITLISTED,
                Signup.party_size <= left,
            )
        )
    )


def get_signup(actor: Actor, signup_id: int) -> Signup:
    """One sign-up, for its owner, the activity's organiser, the place's hosts and admins."""
    account = require_account(actor)
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        raise NotFound(f"Sign-up {signup_id} does not exist.")
    booking = db.session.get(Booking, signup.booking_id)
    allowed = (
        signup.account_id == account.id
        or (booking is not None and booking.booked_by_id == account.id)
        or (booking is not None and can_manage(actor, booking.place_id))
    )
    if not allowed:
        raise NotFound(f"Sign-up {signup_id} does not exist.")
    return signup


def cancel_signup(actor: Actor, signup_id: int, now: datetime | None = None) -> list[Signup]:
    """Leave an activity (its owner, organiser, hosts, admins); the freed places go to the
    waitlist at once. Returns who was promoted."""
    now = now or utcnow()
    signup = get_signup(actor, signup_id)
    booking = locked_booking(signup.booking_id)
    db.session.refresh(signup)
    if signup.status == CANCELLED:
        raise Conflict("This sign-up was cancelled already.", code="signup_cancelled")
    signup.status, signup.cancelled_at = CANCELLED, now
    db.session.flush()
    promoted = promote(booking, now)
    tell_partners(booking)
    return promoted


def organiser_list(actor: Actor, booking_id: int) -> list[Signup]:
    """Every sign-up of an activity, for its organiser, the place's hosts and admins."""
    account = require_account(actor)
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    if booking.booked_by_id != account.id and not can_manage(actor, booking.place_id):
        raise Forbidden("Only the organiser and the hosts see who signed up.", code="not_involved")
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.booking_id == booking_id, Signup.status.in_(ACTIVE_SIGNUPS))
            .order_by(Signup.status, Signup.created_at, Signup.id)
        )
    )


def own_signups(actor: Actor) -> list[Signup]:
    """A person's own sign-ups that still stand."""
    account = require_account(actor)
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.account_id == account.id, Signup.status.in_(ACTIVE_SIGNUPS))
            .order_by(Signup.created_at, Signup.id)
        )
    )
