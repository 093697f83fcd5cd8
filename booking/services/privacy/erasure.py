"""Erasing an account (AVG art. 17): what is personal goes, the figures stay.

Future bookings and series are cancelled (their hosts are told, as for any cancellation by
the booker); tokens, calendar links, webhooks, sessions and mail still waiting for the
account end; the name and address are replaced, so nothing links back to the person and
the address can sign up again as a new account. The row itself stays, anonymous, so past
bookings keep their room and times and every usage figure of the past stays as it was.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from booking.errors import Conflict, NotFound
from booking.extensions import db
from booking.models import (
    Account,
    ApiToken,
    Booking,
    BookingEvent,
    Complaint,
    FeedToken,
    HostInvitation,
    IdempotencyKey,
    Initiative,
    InitiativeTransition,
    OutboxEvent,
    OutboxMessage,
    PlaceHost,
    Series,
    SignInCode,
    Signup,
    WebhookSubscription,
    WebRequest,
    utcnow,
)
from booking.models.booking import ACTIVE_STATUSES
from booking.models.initiative import RUNNING, TRIAL, initiative_partners
from booking.models.outbox import ACCOUNT_ERASED, MESSAGE_FAILED, MESSAGE_PENDING
from booking.models.signup import ACTIVE_SIGNUPS
from booking.models.signup import CANCELLED as SIGNUP_CANCELLED
from booking.services.authorization import Actor, require_admin, require_scope
from booking.services.booking.bookings import cancel
from booking.services.booking.series import cancel_series
from booking.services.outbox import events
from booking.services.privacy.sealing import ERASED_ADDRESSES, seal
from booking.services.sessions import end_all_sessions
from booking.services.signups.quotas import locked_booking
from booking.services.signups.waitinglist import promote

ERASED_NAME = "Verwijderd account"
CANCEL_REASON = "Account verwijderd"
# Payload keys that name or reach a person; gone from the events about an erased account.
PERSONAL_PAYLOAD_KEYS = ("email", "name")
# Texts the person wrote, in an event about their booking (title, description) or about
# what they did (a reason, a note): replaced, so that the event still reads.
WRITTEN_BY_BOOKER = {"title": ERASED_NAME, "description": ""}
WRITTEN_BY_ACTOR = ("reason", "note")


def handover_needed(account: Account) -> dict[str, list[dict[str, Any]]]:
    """What must be handed over before the account can go: places it alone hosts, and
    initiatives on trial or running that it started."""
    sole_places = []
    for host in account.hosted:
        count = db.session.scalar(
            select(func.count()).select_from(PlaceHost).where(PlaceHost.place_id == host.place_id)
        )
        if count == 1:
            sole_places.append({"id": host.place_id, "name": host.place.name})
    running = db.session.scalars(
        select(Initiative).where(
            Initiative.initiator_id == account.id, Initiative.status.in_((TRIAL, RUNNING))
        )
    )
    initiatives = [{"id": item.id, "title": item.title} for item in running]
    return {"places": sole_places, "initiatives": initiatives}


def erase_own_account(actor: Actor, now: datetime | None = None) -> None:
    """Erase the caller's own account (a read-only token may not)."""
    erase(require_scope(actor, "book"), now)


def erase_account_as_admin(actor: Actor, account_id: int, now: datetime | None = None) -> None:
    """Erase another account (admins)."""
    require_admin(actor)
    account = db.session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound(f"Account {account_id} does not exist.")
    erase(account, now)


def erase(account: Account, now: datetime | None = None) -> None:
    """Erase one account; 409 `handover_required` while others depend on it."""
    now = now or utcnow()
    needed = handover_needed(account)
    if needed["places"] or needed["initiatives"]:
        raise Conflict(
            "Hand over first: another host for each place you alone host, and another "
            "initiator for each initiative on trial or running (or end it).",
            code="handover_required",
            places=needed["places"],
            initiatives=needed["initiatives"],
        )
    cancelled = _cancel_what_is_coming(account, now)
    _leave_activities(account, now)
    _end_access(account, now)
    _forget_texts(account)
    email, locale = account.email, account.locale
    proven = account.email_verified
    account.name = ERASED_NAME
    # Random, so that nothing links the row to the address: it may sign up again.
    account.email = f"verwijderd-{secrets.token_hex(12)}@erased.invalid"
    account.is_admin = False
    account.email_notifications = False
    account.erased_at = now
    # An account that never proved its address does not own what waits for the address
    # (its owner's codes, requests and mail, which may name this account): all that stays.
    if proven:
        _forget_address(account.id, email)
        _forget_complaints(email, now)
    _forget_event_texts(account.id, email if proven else None)
    if cancelled and proven:
        _farewell(email, locale, cancelled)
    db.session.flush()


def _farewell(email: str, locale: str, cancelled: list[Booking]) -> None:
    """One last mail to the address, written after everything else is forgotten: a
    cancellation of every coming date in one calendar file (their titles already gone)."""
    events.emit(
        ACCOUNT_ERASED,
        {
            # Sealed, and wiped once the mail is out: the erased address is in no column.
            "email_sealed": seal(ERASED_ADDRESSES, email),
            "locale": locale,
            "title": "Wijkruimte",
            "occurrences": [
                events.booking_snapshot(booking, described=True) for booking in cancelled
            ],
        },
    )


def _cancel_what_is_coming(account: Account, now: datetime) -> list[Booking]:
    """Cancel the account's future bookings and series, as the booker would: hosts hear.
    Returns every booking it cancelled."""
    own = Actor(account, frozenset({"read", "book"}))
    series_ids = db.session.scalars(
        select(Series.id).where(
            Series.booked_by_id == account.id,
            ~select(Booking.id)
            .where(Booking.series_id == Series.id, Booking.on_behalf_name.is_not(None))
            .exists(),
            select(Booking.id)
            .where(
                Booking.series_id == Series.id,
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.end > now,
            )
            .exists(),
        )
    )
    cancelled: list[Booking] = []
    for series_id in list(series_ids):
        cancelled += cancel_series(own, series_id, None, CANCEL_REASON, now)[1]
    coming = db.session.scalars(
        select(Booking).where(
            Booking.booked_by_id == account.id,
            # Bookings the person made as a host for a caller are the caller's: they stay.
            Booking.on_behalf_name.is_(None),
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.end > now,
        )
    )
    for booking in list(coming):
        cancel(own, booking, CANCEL_REASON)
        cancelled.append(booking)
    return cancelled


def _leave_activities(account: Account, now: datetime) -> None:
    """Coming sign-ups are cancelled (their places go to the waitlist at once); past ones
    keep their party size and check-in, not who it was."""
    own = db.session.scalars(
        select(Signup).where(Signup.account_id == account.id).order_by(Signup.id)
    )
    for signup in list(own):
        booking = locked_booking(signup.booking_id)
        if booking.end > now and signup.status in ACTIVE_SIGNUPS:
            signup.status, signup.cancelled_at = SIGNUP_CANCELLED, now
            db.session.flush()
            promote(booking, now)
        signup.name, signup.email, signup.note, signup.account_id = ERASED_NAME, "", None, None
    db.session.flush()


def _end_access(account: Account, now: datetime) -> None:
    """Tokens, calendar links, webhooks, sessions, hosting and partnerships end."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    # A token's name is a text the person chose ("laptop van Kees"): the revoked rows stay
    # (minted tokens hang on them), nameless.
    db.session.execute(update(ApiToken).where(ApiToken.account_id == account.id).values(name=""))
    db.session.execute(delete(FeedToken).where(FeedToken.account_id == account.id))
    db.session.execute(
        delete(WebhookSubscription).where(WebhookSubscription.account_id == account.id)
    )
    end_all_sessions(account.id)
    db.session.execute(delete(PlaceHost).where(PlaceHost.account_id == account.id))
    db.session.execute(
        delete(initiative_partners).where(initiative_partners.c.account_id == account.id)
    )
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.account_id == account.id))
    db.session.expire(account, ["hosted", "tokens"])


def _forget_texts(account: Account) -> None:
    """Titles and texts the person wrote: their past bookings and series read 'Verwijderd
    account' (room and times stay), the coming ones just cancelled have no title (the feeds
    say "Afgelast"), their reasons and notes are emptied."""
    now = utcnow()
    db.session.execute(
        update(Booking)
        .where(
            Booking.booked_by_id == account.id,
            Booking.on_behalf_name.is_(None),
            Booking.end <= now,
        )
        .values(title=ERASED_NAME, description="")
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        update(Booking)
        .where(
            Booking.booked_by_id == account.id,
            Booking.on_behalf_name.is_(None),
            Booking.end > now,
        )
        .values(title="", description="")
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        update(Series)
        .where(
            Series.booked_by_id == account.id,
            ~select(Booking.id)
            .where(Booking.series_id == Series.id, Booking.on_behalf_name.is_not(None))
            .exists(),
        )
        .values(title=ERASED_NAME)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        update(BookingEvent)
        .where(BookingEvent.actor_id == account.id)
        .values(reason="")
        .execution_options(synchronize_session="fetch")
    )
    # The history's recorded changes hold the old and new titles and descriptions.
    own_events = db.session.scalars(
        select(BookingEvent).where(
            BookingEvent.booking_id.in_(
                select(Booking.id).where(Booking.booked_by_id == account.id)
            ),
            BookingEvent.changes.is_not(None),
        )
    )
    for event in list(own_events):
        event.changes = {
            key: [WRITTEN_BY_BOOKER[key]] * 2 if key in WRITTEN_BY_BOOKER else value
            for key, value in (event.changes or {}).items()
        }
    db.session.execute(
        update(InitiativeTransition)
        .where(InitiativeTransition.actor_id == account.id)
        .values(note="")
        .execution_options(synchronize_session="fetch")
    )


def _forget_address(account_id: int, email: str) -> None:
    """Mail still waiting for the address is not sent; codes, requests and the address in
    the outbox's events go."""
    to_account = or_(OutboxMessage.account_id == account_id, OutboxMessage.recipient == email)
    db.session.execute(
        update(OutboxMessage)
        .where(to_account, OutboxMessage.status == MESSAGE_PENDING)
        .values(status=MESSAGE_FAILED, last_error="account erased")
    )
    db.session.execute(update(OutboxMessage).where(to_account).values(recipient=""))
    db.session.execute(delete(SignInCode).where(SignInCode.email == email))
    db.session.execute(delete(WebRequest).where(WebRequest.email == email))
    db.session.execute(delete(HostInvitation).where(HostInvitation.email == email))


def _forget_complaints(email: str, now: datetime) -> None:
    """Complaints filed with the address keep their text and status, not who filed them."""
    db.session.execute(
        update(Complaint)
        .where(Complaint.email == email)
        .values(name=None, email=None, personal_data_erased_at=now)
    )


def _forget_event_texts(account_id: int, email: str | None) -> None:
    """The outbox's events about the person (as booker, actor, or by a proven address, given
    as `email`): the address and name go, the texts they wrote are replaced; a mail still to
    go reads 'Verwijderd account'."""
    payload = OutboxEvent.payload
    # Before the address is proven, events addressed to the account (a sign-in code, a
    # request link) are its owner's: only what the account itself did is about it.
    addressed = (
        [
            payload["account_id"].as_integer() == account_id,
            payload["email"].as_string() == email,
        ]
        if email
        else []
    )
    about = or_(
        payload["booked_by"].as_integer() == account_id,
        payload["actor_id"].as_integer() == account_id,
        *addressed,
    )
    for event in list(db.session.scalars(select(OutboxEvent).where(about))):
        scrubbed = _scrubbed(event.payload or {}, account_id, email)
        event.payload = {**scrubbed, "code_sealed": None} if email else scrubbed


def _scrubbed(value: Any, account_id: int, email: str | None, inherited: bool = False) -> Any:
    """The value with the person's address, name and texts taken out, at any depth (a
    series' occurrences, a closure's affected bookings, a change's `previous` texts, which
    are theirs as the event they sit in is)."""
    if isinstance(value, list):
        return [_scrubbed(item, account_id, email, inherited) for item in value]
    if not isinstance(value, dict):
        return value
    theirs = (
        (inherited and "booked_by" not in value)
        or value.get("booked_by") == account_id
        or (
            email is not None
            and (value.get("account_id") == account_id or value.get("email") == email)
        )
    )
    acted = theirs or value.get("actor_id") == account_id
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if theirs and key in PERSONAL_PAYLOAD_KEYS:
            continue
        if theirs and key in WRITTEN_BY_BOOKER:
            cleaned[key] = WRITTEN_BY_BOOKER[key]
        elif acted and key in WRITTEN_BY_ACTOR and item != CANCEL_REASON:
            cleaned[key] = ""
        else:
            cleaned[key] = _scrubbed(item, account_id, email, theirs)
    return cleaned
