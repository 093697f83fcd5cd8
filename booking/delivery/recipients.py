"""Who hears of an event, and why: the place's hosts, the booker, or the address that asked
for a sign-in code. Accounts that turned mail off hear nothing (sign-in codes still come)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from booking.delivery.signup_mails import (
    ACTIVITY_CHANGES,
    PARTICIPANT,
    SIGNUP_KINDS,
    participants,
    recipient_of,
)
from booking.extensions import db
from booking.models import Account, Booking, Complaint, OutboxEvent, PlaceHost
from booking.models.monitoring import ASK_BOOKER
from booking.models.outbox import (
    ACCOUNT_ERASED,
    PARTNER_INVITED,
    PRIVACY_INACTIVE_WARNING,
    SIGN_IN_LINK,
    WEB_REQUEST_LINK,
    WEBHOOK_DISABLED,
)
from booking.services.host_invitations import HOST_INVITED
from booking.services.monitoring.attendance import ATTENDANCE_ASKED
from booking.services.monitoring.complaints import (
    COMPLAINT_ESCALATED,
    COMPLAINT_MAILS,
    COMPLAINT_RECEIVED,
    COMPLAINT_REMINDER,
    organisation_contact,
)
from booking.services.outbox.events import AFFECTED_BY_CHANGE, BY_BOOKER, CHANGED_BY_HOST
from booking.services.places import HOST_ADDED
from booking.services.privacy.sealing import ERASED_ADDRESSES, unseal

MONITORING_MAILS = (ATTENDANCE_ASKED, *COMPLAINT_MAILS)

HOST, BOOKER, SIGN_IN, WEBHOOK_OWNER = "host", "booker", "sign_in", "webhook_owner"
INVITEE = "invitee"  # an account listed as a partner of an initiative
HOLDER = "holder"  # the account itself, about the account (as a sign-in code: always sent)
ASKER = "asker"  # the address a slot was asked for on the pages
FILER = "filer"  # who filed a complaint and left an address for the answer
ORGANISATION = "organisation"  # the organisation's complaints contact (configured)
CALLER = "caller"  # someone a host booked for, who phoned or walked in


@dataclass(frozen=True)
class Recipient:
    """One address to mail, the account behind it, and why it gets the mail."""

    email: str
    account_id: int | None
    reason: str
    locale: str


def _accounts(ids: list[int], reason: str, actor_id: int | None) -> list[Recipient]:
    accounts = db.session.scalars(
        select(Account)
        .where(Account.id.in_(ids), Account.email_notifications.is_(True))
        .order_by(Account.id)
    )
    return [
        Recipient(account.email, account.id, reason, account.locale)
        for account in accounts
        if account.id != actor_id
    ]


def _hosts(place_id: int, actor_id: int | None) -> list[Recipient]:
    ids = list(
        db.session.scalars(select(PlaceHost.account_id).where(PlaceHost.place_id == place_id))
    )
    return _accounts(ids, HOST, actor_id)


def _booker(booker_id: int, payload: dict[str, Any] | None = None) -> list[Recipient]:
    # The booker hears of their own booking even when they acted themselves (a confirmation
    # with its calendar file is worth having). A booking a host made for a caller is the
    # caller's: its mail goes to the caller's address, or to nobody without one.
    caller = caller_of(payload or {})
    if caller is not None:
        return [Recipient(caller.email, None, CALLER, "nl")] if caller.email else []
    return _accounts([booker_id], BOOKER, None)


@dataclass(frozen=True)
class Caller:
    """Whom a host booked for: their name, and their address if they left one."""

    name: str
    email: str | None


def caller_of(payload: dict[str, Any]) -> Caller | None:
    """The caller of the booking an event is about (its first date, for a series); None for
    a booking the booker made for themselves."""
    booking_id = payload.get("booking_id") or next(
        (item.get("booking_id") for item in payload.get("occurrences", [])), None
    )
    if booking_id is None:
        return None
    row = db.session.execute(
        select(Booking.on_behalf_name, Booking.on_behalf_email).where(Booking.id == booking_id)
    ).first()
    if row is None or row[0] is None:
        return None
    return Caller(row[0], row[1])


def recipients(event: OutboxEvent) -> list[Recipient]:
    """Everyone who is mailed about this event (no one twice)."""
    payload, kind = event.payload, event.type
    if kind in (SIGN_IN_LINK, WEB_REQUEST_LINK):
        # No address: the account was erased before the mail went out.
        if not payload.get("email"):
            return []
        reason = SIGN_IN if kind == SIGN_IN_LINK else ASKER
        return [Recipient(payload["email"], payload["account_id"], reason, payload["locale"])]
    if kind == ACCOUNT_ERASED:
        # The account is gone: its last mail goes to the address it had, whatever it chose.
        if not payload.get("email_sealed"):
            return []
        email = unseal(ERASED_ADDRESSES, payload["email_sealed"])
        return [Recipient(email, None, HOLDER, payload.get("locale") or "nl")]
    if kind == WEBHOOK_DISABLED:
        return _accounts([payload["account_id"]], WEBHOOK_OWNER, None)
    if kind == PARTNER_INVITED:
        return _accounts([payload["account_id"]], INVITEE, None)
    if kind == HOST_INVITED:
        # An address, maybe of nobody yet: the invitation goes to it whatever it chose.
        return [Recipient(payload["email"], None, INVITEE, "nl")] if payload.get("email") else []
    if kind == HOST_ADDED:
        account = db.session.get(Account, payload["account_id"])
        if account is None or account.erased_at is not None:
            return []
        return [Recipient(account.email, account.id, HOLDER, account.locale)]
    if kind == PRIVACY_INACTIVE_WARNING:
        account = db.session.get(Account, payload["account_id"])
        if account is None or account.erased_at is not None:
            return []
        return [Recipient(account.email, account.id, HOLDER, account.locale)]
    if kind in MONITORING_MAILS:
        return _unique(_monitoring(kind, payload))
    if kind in SIGNUP_KINDS:
        # Sent whatever the account chose: each is about a place the person holds.
        one = recipient_of(payload)
        return [Recipient(one[0], one[1], PARTICIPANT, one[2])] if one else []
    actor = payload.get("actor_id")
    by_booker = payload.get("by") == BY_BOOKER
    found: list[Recipient] = []
    if kind in ("booking.requested",):
        found = _hosts(payload["place_id"], actor)
    elif kind in ("booking.confirmed", "booking.declined", "booking.expired"):
        found = _booker(payload["booked_by"], payload)
    elif kind in ("booking.cancelled", "booking.moved", "series.cancelled"):
        # The other side hears; a booker who changed their own booking gets a confirmation
        # with the calendar file too, so the copy in their agenda follows.
        found = _booker(payload["booked_by"], payload)
        if by_booker:
            found = _hosts(payload["place_id"], actor) + found
    elif kind in ("series.confirmed", "series.declined"):
        found = _booker(payload["booked_by"], payload)
    elif kind == "series.created":
        pending = any(item["status"] == "pending" for item in payload["occurrences"])
        found = (
            _hosts(payload["place_id"], actor)
            if pending
            else _booker(payload["booked_by"], payload)
        )
    elif kind == "closure.created":
        if payload["affected"] and not payload["cancelled_affected"]:
            found = _hosts(payload["place_id"], None)
    elif kind == AFFECTED_BY_CHANGE:
        found = _hosts(payload["place_id"], None)
    elif kind == CHANGED_BY_HOST:
        found = _booker(payload["booked_by"], payload)
    if kind in ACTIVITY_CHANGES:
        # Everyone signed up hears of a move or a cancellation, so their agenda follows.
        found += [
            Recipient(email, account_id, PARTICIPANT, locale)
            for email, account_id, locale in participants(payload)
        ]
    return _unique(found)


def _unique(found: list[Recipient]) -> list[Recipient]:
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    return list(unique.values())


def _monitoring(kind: str, payload: dict[str, Any]) -> list[Recipient]:
    """Attendance asks go to the side the place chose; complaints to the hosts, the
    organisation's contact and (for the receipt and the answer) the filer."""
    if kind == ATTENDANCE_ASKED:
        if payload["ask"] == ASK_BOOKER:
            return _booker(payload["booked_by"])
        return _hosts(payload["place_id"], None)
    complaint = db.session.get(Complaint, payload["complaint_id"])
    if complaint is None:
        return []
    contact = organisation_contact()
    organisation = [Recipient(contact, None, ORGANISATION, "nl")] if contact else []
    filer = [Recipient(complaint.email, None, FILER, complaint.locale)] if complaint.email else []
    if kind == COMPLAINT_RECEIVED:
        return _hosts(complaint.place_id, None) + organisation + filer
    if kind == COMPLAINT_REMINDER:
        return _hosts(complaint.place_id, None)
    if kind == COMPLAINT_ESCALATED:
        # With no organisation contact, the hosts are told again: someone must act.
        return organisation or _hosts(complaint.place_id, None)
    return filer
