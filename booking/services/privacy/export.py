"""A person's own data, to see and to take along (AVG art. 15 and 20): everything the service
holds about the account, in one JSON document, and nothing of anyone else. Never a secret:
tokens show their names, scopes and dates, webhooks their address and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from booking.extensions import db
from booking.models import (
    Account,
    ApiToken,
    Booking,
    Complaint,
    FeedToken,
    Initiative,
    OutboxMessage,
    Series,
    Signup,
    WebhookSubscription,
    WebRequest,
    utcnow,
)
from booking.models.initiative import initiative_partners
from booking.services.authorization import Actor, require_account

FORMAT = "wijkruimte-personal-export"
VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_export(actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """The caller's data: account, tokens, bookings and series with their history,
    initiatives, calendar links, webhooks, requests made on the pages, mails sent, and
    complaints filed with the address."""
    account = require_account(actor)
    now = now or utcnow()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "account": {
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "kind": account.kind,
            "roles": account.roles,
            "locale": account.locale,
            "email_notifications": account.email_notifications,
            "hosted_place_ids": account.hosted_place_ids,
            "email_verified": account.email_verified,
            "created_at": _when(account.created_at),
        },
        "tokens": [
            {
                "id": token.id,
                "name": token.name,
                "scopes": token.scopes,
                "created_at": _when(token.created_at),
                "expires_at": _when(token.expires_at),
                "revoked_at": _when(token.revoked_at),
                "last_used_at": _when(token.last_used_at),
            }
            for token in _own(ApiToken, ApiToken.account_id, account.id)
        ],
        "bookings": [_booking(b) for b in _own(Booking, Booking.booked_by_id, account.id)],
        "series": [
            {
                "id": series.id,
                "room_id": series.room_id,
                "place_id": series.place_id,
                "rrule": series.rrule,
                "title": series.title,
                "status": series.status,
                "start": _when(series.start),
                "end": _when(series.end),
                "booking_ids": series.booking_ids,
                "created_at": _when(series.created_at),
            }
            for series in _own(Series, Series.booked_by_id, account.id)
        ],
        "initiatives": _initiatives(account),
        "feed_tokens": [
            {"id": feed.id, "name": feed.name, "created_at": _when(feed.created_at)}
            for feed in _own(FeedToken, FeedToken.account_id, account.id)
        ],
        "webhooks": [
            {
                "id": hook.id,
                "url": hook.url,
                "events": hook.events,
                "description": hook.description,
                "enabled": hook.enabled,
                "created_at": _when(hook.created_at),
            }
            for hook in _own(WebhookSubscription, WebhookSubscription.account_id, account.id)
        ],
        "web_requests": [
            {
                "id": asked.id,
                "name": asked.name,
                "email": asked.email,
                "room_id": asked.room_id,
                "start": _when(asked.start),
                "end": _when(asked.end),
                "weeks": asked.weeks,
                "title": asked.title,
                "description": asked.description,
                "created_at": _when(asked.created_at),
                "used_at": _when(asked.used_at),
            }
            # Matched by address: shown only once the address is proven, as are mails.
            for asked in _own(WebRequest, WebRequest.email, account.email)
            if account.email_verified
        ],
        "mails": _mails(account),
        "signups": [
            {
                "id": signup.id,
                "booking_id": signup.booking_id,
                "name": signup.name,
                "email": signup.email,
                "party_size": signup.party_size,
                "note": signup.note,
                "status": signup.status,
                "checked_in": signup.checked_in,
                "created_at": _when(signup.created_at),
            }
            for signup in _own(Signup, Signup.account_id, account.id)
        ],
        "complaints": [
            {
                "id": complaint.id,
                "place_id": complaint.place_id,
                "kind": complaint.kind,
                "text": complaint.text,
                "name": complaint.name,
                "status": complaint.status,
                "answer": complaint.answer,
                "received_at": _when(complaint.received_at),
                "handled_at": _when(complaint.handled_at),
            }
            # Filed with the address: shown once the address is proven.
            for complaint in _own(Complaint, Complaint.email, account.email)
            if account.email_verified
        ],
    }


def _own(model: Any, column: Any, value: Any) -> list[Any]:
    return list(db.session.scalars(select(model).where(column == value).order_by(model.id)))


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "room_id": booking.room_id,
        "place_id": booking.place_id,
        "start": _when(booking.start),
        "end": _when(booking.end),
        "title": booking.title,
        "description": booking.description,
        "visibility": booking.visibility,
        "status": booking.current_status,
        "expected_attendees": booking.expected_attendees,
        "initiative_id": booking.initiative_id,
        "series_id": booking.series_id,
        "created_at": _when(booking.created_at),
        "history": [
            {
                "at": _when(event.at),
                "action": event.action,
                "from": event.from_status,
                "to": event.to_status,
                "reason": event.reason,
                "by_you": event.actor_id == booking.booked_by_id,
            }
            for event in booking.events
        ],
    }


def _initiatives(account: Account) -> list[dict[str, Any]]:
    table = initiative_partners.c
    partnered = select(table.initiative_id).where(table.account_id == account.id)
    found = db.session.scalars(
        select(Initiative)
        .where(or_(Initiative.initiator_id == account.id, Initiative.id.in_(partnered)))
        .order_by(Initiative.id)
    )
    return [
        {
            "id": item.id,
            "title": item.title,
            "summary": item.summary,
            "description": item.description,
            "status": item.status,
            "role": "initiator" if item.initiator_id == account.id else "partner",
            "lessons": item.lessons if item.initiator_id == account.id else None,
            "created_at": _when(item.created_at),
        }
        for item in found
    ]


def _mails(account: Account) -> list[dict[str, Any]]:
    """The mails sent to the account: kind, when, and the subject it had (none before the
    address is proven: they went to its owner, who may be someone else)."""
    from booking.delivery.messages import subject_of

    if not account.email_verified:
        return []
    sent = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == "email",
            or_(OutboxMessage.account_id == account.id, OutboxMessage.recipient == account.email),
            OutboxMessage.delivered_at.is_not(None),
        )
        .order_by(OutboxMessage.id)
    )
    return [
        {
            "kind": message.event.type,
            "sent_at": _when(message.delivered_at),
            "subject": subject_of(message, account.locale),
        }
        for message in sent
    ]
