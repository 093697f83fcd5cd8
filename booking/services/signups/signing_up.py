"""Signing up for an activity, and leaving it: checked and written under the quota's lock, so
the confirmed party sizes never exceed the capacity, whatever arrives at the same moment.

A date of a series that takes sign-ups for the whole series (`signup_whole_series`) gives one
sign-up per coming date, each under its own date's lock, taken in id order so two requests
never wait on each other crosswise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from booking.errors import Conflict, Forbidden, Invalid, NotFound
from booking.extensions import db
from booking.models import Account, Booking, Signup, utcnow
from booking.models.booking import CONFIRMED as BOOKING_CONFIRMED
from booking.models.signup import ACTIVE_SIGNUPS, CANCELLED, CONFIRMED, UNCONFIRMED, WAITLISTED
from booking.services.accounts import normalise_email
from booking.services.authorization import Actor, can_manage, require_account, require_scope
from booking.services.signups.notices import tell_placed
from booking.services.signups.quotas import closes_at, locked_booking, tell_partners
from booking.services.signups.waitinglist import promote


@dataclass(frozen=True)
class Person:
    """Who signs up: a name, a proven address or account, how many people, a note."""

    name: str
    email: str
    account_id: int | None
    party_size: int
    note: str | None
    locale: str


def open_activity(booking_id: int, now: datetime, *, lock: bool = True) -> Booking:
    """The booking (locked), while it takes sign-ups; 404 where it is not public."""
    booking = locked_booking(booking_id) if lock else db.session.get(Booking, booking_id)
    if booking is None or booking.visibility != "public":
        raise NotFound(f"Booking {booking_id} does not exist.")
    if (
        booking.signup_capacity is None
        or booking.status != BOOKING_CONFIRMED
        or now >= closes_at(booking)
    ):
        raise Conflict("This activity takes no sign-ups now.", code="signups_closed")
    return booking


def check_party(booking: Booking, party: int) -> None:
    """A party larger than the whole activity is refused (422 `party_too_large`)."""
    capacity = int(booking.signup_capacity or 0)
    if party > capacity:
        raise Invalid(
            f"At most {capacity} people can come.",
            code="party_too_large",
            errors={"party_size": [f"At most {capacity}."]},
        )


def sign_up(
    actor: Actor, booking_id: int, data: dict[str, Any], now: datetime | None = None
) -> Signup:
    """Sign up with a `book` token: confirmed while places are left, else waitlisted (or
    409 `signups_full` without a waitlist)."""
    now = now or utcnow()
    account = require_scope(actor, "book")
    person = Person(
        name=(data.get("name") or account.name).strip(),
        email=normalise_email(data.get("email") or account.email),
        account_id=account.id,
        party_size=int(data.get("party_size") or 1),
        note=data.get("note"),
        locale=account.locale,
    )
    placed = place(booking_id, person, now)
    tell_placed(placed)
    return placed[0]


def place(booking_id: int, person: Person, now: datetime) -> list[Signup]:
    """Write the person's sign-up (one per coming date for a whole series), each under its
    date's lock; the asked date's comes first."""
    first = open_activity(booking_id, now)
    check_party(first, person.party_size)
    dates = [first]
    if first.signup_whole_series and first.series_id is not None:
        dates = _coming_dates(first, now)
    signups = []
    for booking in dates:
        signups.append(_place_on(booking, person, now, series=len(dates) > 1))
    db.session.flush()
    signups.sort(key=lambda signup: signup.booking_id != booking_id)
    return signups


def _coming_dates(first: Booking, now: datetime) -> list[Booking]:
    ids = db.session.scalars(
        select(Booking.id)
        .where(
            Booking.series_id == first.series_id,
            Booking.start >= first.start,
            Booking.status == BOOKING_CONFIRMED,
            Booking.signup_capacity.is_not(None),
        )
        .order_by(Booking.id)
    )
    dates = [first]
    for other_id in ids:
        if other_id == first.id:
            continue
        booking = locked_booking(other_id)
        if now < closes_at(booking) and booking.visibility == "public":
            dates.append(booking)
    return dates


def _place_on(booking: Booking, person: Person, now: datetime, *, series: bool) -> Signup:
    """One sign-up on one locked date: refused twice, confirmed while it fits and nobody
    waiting fits first, else waitlisted (or refused without a waitlist)."""
    holds, taken, smallest_waiting = _standing(booking.id, person.email, person.account_id)
    if holds:
        raise Conflict("You are signed up for this activity already.", code="already_signed_up")
    left = int(booking.signup_capacity or 0) - taken
    # Someone in line who fits goes first: a newcomer does not jump the waitlist.
    someone_waiting_fits = smallest_waiting is not None and smallest_waiting <= left
    if person.party_size <= left and not someone_waiting_fits:
        status = CONFIRMED
    elif booking.signup_waitlist:
        status = WAITLISTED
    else:
        raise Conflict("This activity is full.", code="signups_full")
    signup = Signup(
        booking_id=booking.id,
        account_id=person.account_id,
        name=person.name,
        email=person.email,
        party_size=person.party_size,
        note=person.note,
        status=status,
        checked_in=False,
        created_at=now,
        locale=person.locale,
        series_id=booking.series_id if series else None,
    )
    db.session.add(signup)
    tell_partners(booking)
    return signup


def _standing(booking_id: int, email: str, account_id: int | None) -> tuple[bool, int, int | None]:
    """In one query: whether this address or account holds a place that stands, how many
    places the confirmed take, and the smallest party waiting (None: nobody waits)."""
    same = func.lower(Signup.email) == email.lower()
    if account_id is not None:
        same = or_(same, Signup.account_id == account_id)
    holds, taken, smallest = db.session.execute(
        select(
            func.count(Signup.id).filter(Signup.status.in_(ACTIVE_SIGNUPS), same),
            func.coalesce(func.sum(Signup.party_size).filter(Signup.status == CONFIRMED), 0),
            func.min(Signup.party_size).filter(Signup.status == WAITLISTED),
        ).where(Signup.booking_id == booking_id)
    ).one()
    return bool(holds), int(taken or 0), None if smallest is None else int(smallest)


def get_signup(actor: Actor, signup_id: int) -> Signup:
    """One sign-up, for its owner, the activity's organiser, the place's hosts and admins."""
    account = require_account(actor)
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        raise NotFound(f"Sign-up {signup_id} does not exist.")
    booking = db.session.get(Booking, signup.booking_id)
    allowed = signup.status != UNCONFIRMED and (
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
    return leave(get_signup(actor, signup_id), now or utcnow())


def leave(signup: Signup, now: datetime) -> list[Signup]:
    """Cancel a sign-up (and, for a whole series, the same person's coming dates), each
    date's freed places going to its waitlist at once; who was promoted."""
    if signup.status == CANCELLED:
        raise Conflict("This sign-up was cancelled already.", code="signup_cancelled")
    group = [signup]
    if signup.series_id is not None:
        group = list(
            db.session.scalars(
                select(Signup)
                .join(Booking, Booking.id == Signup.booking_id)
                .where(
                    Signup.series_id == signup.series_id,
                    func.lower(Signup.email) == signup.email.lower(),
                    Signup.status.in_(ACTIVE_SIGNUPS),
                    Booking.start >= now,
                )
                .order_by(Signup.booking_id)
            )
        ) or [signup]
    promoted: list[Signup] = []
    for each in sorted(group, key=lambda item: item.booking_id):
        booking = locked_booking(each.booking_id)
        db.session.refresh(each)
        if each.status == CANCELLED:
            continue
        each.status, each.cancelled_at = CANCELLED, now
        db.session.flush()
        promoted += promote(booking, now)
        tell_partners(booking)
    return promoted


def organiser_list(actor: Actor, booking_id: int) -> list[Signup]:
    """Every sign-up of an activity, for its organiser, the place's hosts and admins."""
    booking = organised_booking(actor, booking_id)
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.booking_id == booking.id, Signup.status.in_(ACTIVE_SIGNUPS))
            .order_by(Signup.status, Signup.created_at, Signup.id)
        )
    )


def organised_booking(actor: Actor, booking_id: int) -> Booking:
    """The booking, for its organiser, the place's hosts and admins (others 403)."""
    account = require_account(actor)
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    if booking.booked_by_id != account.id and not can_manage(actor, booking.place_id):
        raise Forbidden("Only the organiser and the hosts see who signed up.", code="not_involved")
    return booking


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


def account_of_address(email: str) -> Account | None:
    """The live account that has this address, if any."""
    return db.session.scalar(
        select(Account).where(Account.email == email, Account.erased_at.is_(None))
    )
