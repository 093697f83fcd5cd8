"""Asking for a slot on the pages with only a name and an e-mail address.

The request waits, with only the hash of its code, until the link in the mail is followed and
confirmed. That proves the address; the address's account (made now if it has none) then
books, under the same rules as the API. The answer to the asker never says whether the
address has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from booking.errors import Forbidden, Invalid, NotFound
from booking.extensions import db
from booking.models import Account, Booking, Room, WebRequest, utcnow
from booking.models.outbox import WEB_REQUEST_LINK
from booking.services.accounts import normalise_email, prove_address
from booking.services.authorization import Actor
from booking.services.booking.bookings import create_booking
from booking.services.booking.series import SeriesOutcome, create_series
from booking.services.common import get_or_404
from booking.services.outbox import events
from booking.services.privacy.sealing import MAILED_CODES, seal
from booking.services.search.availability import AvailabilityFilter
from booking.services.search.recurring import Pattern, RoomDates, dates_of, probed_calendars

# A link lives a day, and never past the start of what it asks for.
LINK_LIFETIME = timedelta(hours=24)
MAX_WEEKS = 26
SCOPES = frozenset({"read", "book"})


@dataclass(frozen=True)
class SlotAsk:
    """What the form asked for, checked for form and length by the page."""

    room_id: int
    start: datetime
    end: datetime
    weeks: int
    title: str
    description: str
    expected_attendees: int | None
    visibility: str
    name: str
    email: str
    locale: str
    initiative_id: int | None = None
    free_of_charge: bool | None = None
    # Places for sign-ups; None: walk-in.
    signup_capacity: int | None = None
    # The asker saw the taken dates of a weekly request and sends for the free ones.
    skip_taken: bool = False


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def submit(ask: SlotAsk, now: datetime | None = None) -> None:
    """Keep the request and mail the link that confirms it."""
    now = now or utcnow()
    room = get_or_404(Room, ask.room_id)
    if not room.bookable:
        raise Invalid("This room cannot be booked.", code="room_not_bookable")
    if not ask.start < ask.end:
        raise Invalid("The end must be after the start.", errors={"end": ["Before the start."]})
    if ask.start <= now:
        raise Invalid("This time has passed.", errors={"start": ["In the past."]})
    if not 1 <= ask.weeks <= MAX_WEEKS:
        raise Invalid(f"Ask for 1 to {MAX_WEEKS} weeks.", errors={"weeks": ["Out of range."]})
    email = normalise_email(ask.email)
    _refuse_blocked(email)
    _check_before_mailing(ask, now)
    code = secrets.token_urlsafe(24)
    request = WebRequest(
        email=email,
        name=ask.name,
        room_id=room.id,
        start=ask.start,
        end=ask.end,
        weeks=ask.weeks,
        title=ask.title,
        description=ask.description,
        expected_attendees=ask.expected_attendees,
        free_of_charge=ask.free_of_charge,
        signup_capacity=ask.signup_capacity,
        visibility=ask.visibility,
        initiative_id=ask.initiative_id,
        locale=ask.locale,
        code_hash=_hash(code),
        created_at=now,
        expires_at=min(now + LINK_LIFETIME, ask.start),
    )
    db.session.add(request)
    db.session.flush()
    account = db.session.scalar(select(Account).where(Account.email == email))
    events.emit(
        WEB_REQUEST_LINK,
        {
            "email": email,
            # Sealed: readable only with BOOKING_SECRET_KEY, and wiped once mailed or expired.
            "code_sealed": seal(MAILED_CODES, code),
            "request_id": request.id,
            "name": ask.name,
            "place_id": room.place_id,
            "room_id": room.id,
            "title": ask.title,
            "start": ask.start.astimezone(room.zone).isoformat(),
            "end": ask.end.astimezone(room.zone).isoformat(),
            "weeks": ask.weeks,
            "locale": account.locale if account else ask.locale,
            "account_id": account.id if account else None,
        },
    )


def _refuse_blocked(email: str) -> None:
    """A blocked account's address asks for nothing: said on the form, before any mail."""
    blocked = db.session.scalar(
        select(Account.blocked_at).where(Account.email == email, Account.blocked_at.is_not(None))
    )
    if blocked is not None:
        raise Forbidden("This account is blocked by an administrator.", code="account_blocked")


def waiting(code: str, now: datetime | None = None) -> WebRequest:
    """The request a link stands for, while it may still be confirmed."""
    now = now or utcnow()
    request = db.session.scalar(select(WebRequest).where(WebRequest.code_hash == _hash(code)))
    if request is None:
        raise NotFound(
            "This link is not valid: it is mistyped, or so old that it was removed.",
            code="link_not_valid",
        )
    if request.used_at is not None:
        raise NotFound("This link was used already.", code="link_used", room_id=request.room_id)
    if request.expires_at <= now:
        raise NotFound("This link has expired.", code="link_expired", room_id=request.room_id)
    return request


def _check_before_mailing(ask: SlotAsk, now: datetime) -> None:
    """The booking's own rules, before a mail goes: a request that can never be booked is
    refused on the form, and a weekly one with taken dates lists them there first."""
    asked = WebRequest(room_id=ask.room_id, start=ask.start, end=ask.end, weeks=ask.weeks)
    dates = preview(asked, now)
    taken = [
        {"date": item["date"].isoformat(), "reason": item["reason"]} for item in dates.taken_dates
    ]
    if not dates.free_dates:
        raise Invalid(
            "No date of this request can be booked.",
            code=str(dates.taken_dates[0]["reason"]) if dates.taken_dates else "booked",
            violations=list(dict.fromkeys(item["reason"] for item in taken)),
            taken_dates=taken,
        )
    if taken and not ask.skip_taken:
        raise Invalid(
            f"{len(taken)} of the dates are taken; send again to ask for the free ones.",
            code="some_dates_taken",
            taken_dates=taken,
        )


def pattern_of(request: WebRequest) -> Pattern:
    """The request's weekly pattern, in the room's wall-clock time."""
    zone = room_of(request).zone
    local = request.start.astimezone(zone)
    first = local.date()
    return Pattern(
        (first.weekday(),),
        local.time().replace(tzinfo=None),
        request.end - request.start,
        first,
        first + timedelta(weeks=request.weeks - 1),
    )


def preview(request: WebRequest, now: datetime | None = None) -> RoomDates:
    """Which of the request's dates are free, and why the others are not."""
    now = now or utcnow()
    pattern = pattern_of(request)
    calendars = probed_calendars(AvailabilityFilter(room=(request.room_id,)), pattern)
    return dates_of(calendars[0], pattern, now) if calendars else RoomDates(room_of(request))


def room_of(request: WebRequest) -> Room:
    """The room a request asks for, or 404 once it is gone."""
    room = db.session.get(Room, request.room_id)
    if room is None:
        raise NotFound("The room of this request no longer exists.")
    return room


@dataclass
class Placed:
    """What confirming did: one booking, or a series with the dates it skipped."""

    account: Account
    booking: Booking | None = None
    series: SeriesOutcome | None = None


def confirm(code: str, book_the_rest: bool, now: datetime | None = None) -> Placed:
    """Place the request as the address's account, once; raises the booking rules' errors.

    A series is all or nothing unless `book_the_rest`: then taken dates are skipped.
    """
    now = now or utcnow()
    request = waiting(code, now)
    # One UPDATE claims the link, so two confirmations cannot both book. An error after this
    # rolls the claim back with everything else: the link can be used again.
    claimed = db.session.execute(
        update(WebRequest)
        .where(WebRequest.id == request.id, WebRequest.used_at.is_(None))
        .values(used_at=now)
        .returning(WebRequest.id)
    ).scalar_one_or_none()
    if claimed is None:
        raise NotFound("This link was used already.", code="link_not_valid")
    _refuse_blocked(request.email)
    account = db.session.scalar(select(Account).where(Account.email == request.email))
    if account is None:
        account = Account(
            name=request.name, email=request.email, kind="person", email_verified_at=now
        )
        account.locale = request.locale
        db.session.add(account)
        db.session.flush()
    elif prove_address(account, now):
        # Whoever signed up with the address before chose the name; its owner says it now.
        account.name, account.locale = request.name, request.locale
    actor = Actor(account, SCOPES)
    data: dict[str, Any] = {
        "room_id": request.room_id,
        "start": request.start,
        "end": request.end,
        "title": request.title,
        "description": request.description,
        "expected_attendees": request.expected_attendees,
        "free_of_charge": request.free_of_charge,
        "signups": {"capacity": request.signup_capacity}
        if request.signup_capacity is not None
        else None,
        "visibility": request.visibility,
        "initiative_id": request.initiative_id,
    }
    if request.weeks == 1:
        return Placed(account, booking=create_booking(actor, data, now=now))
    data |= {
        "rrule": f"FREQ=WEEKLY;COUNT={request.weeks}",
        "on_conflict": "skip" if book_the_rest else "fail",
    }
    return Placed(account, series=create_series(actor, data, now=now))
