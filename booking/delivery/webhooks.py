"""Webhook delivery: which subscriptions hear of an event, what they receive (the object as
the subscriber would read it through the API), and the signed POST itself.

Standard Webhooks: `webhook-id` (stable across retries), `webhook-timestamp` and
`webhook-signature` (`v1,<base64 HMAC-SHA256>`, from the `standardwebhooks` package).
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import ssl
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from booking.errors import NotFound
from booking.extensions import db
from booking.models import (
    Account,
    Booking,
    Closure,
    Initiative,
    OutboxEvent,
    Series,
    WebhookSubscription,
)
from booking.models.outbox import WEBHOOK_EVENT_TYPES, WEBHOOK_TEST
from booking.services.authorization import Actor
from booking.services.booking.booking_access import present
from booking.services.booking.series import get_series
from booking.services.outbox.subscriptions import decrypt_secret, resolve_target
from booking.services.tokens import entitled_scopes

TIMEOUT_SECONDS = 5
READ_AT_MOST = 64 * 1024
KEEP_AT_MOST = 1024
# Waits before the second, third... attempt; after the last, the delivery has failed.
RETRY_AFTER = [
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
]
DISABLE_AFTER = timedelta(days=3)


def retry_wait(attempts: int) -> timedelta | None:
    """The wait after `attempts` failed attempts (±10%), or None when it is time to give up."""
    if attempts > len(RETRY_AFTER):
        return None
    return RETRY_AFTER[attempts - 1] * random.uniform(0.9, 1.1)  # noqa: S311 - jitter


def _initiative_of(payload: dict[str, Any]) -> int | None:
    if "initiative_id" in payload:
        return int(payload["initiative_id"])
    booking_id = payload.get("booking_id")
    booking = db.session.get(Booking, booking_id) if booking_id else None
    if booking is not None:
        return booking.initiative_id
    series_id = payload.get("series_id")
    series = db.session.get(Series, series_id) if series_id else None
    return series.initiative_id if series is not None else None


def _related(account: Account, payload: dict[str, Any], initiative_id: int | None) -> bool:
    """Which events a subscriber hears of at all: its own bookings and series, those of
    initiatives it initiated or accepted to partner, its hosted places; admins all."""
    if account.is_admin:
        return True
    if payload.get("place_id") in account.hosted_place_ids:
        return True
    if payload.get("booked_by") == account.id:
        return True
    if initiative_id is not None:
        initiative = db.session.get(Initiative, initiative_id)
        if initiative is not None and (
            initiative.initiator_id == account.id
            or any(partner.id == account.id for partner in initiative.partners)
        ):
            return True
    return False


def subscriber(account: Account) -> Actor:
    """The subscriber as the API would see its fullest token: every scope it is entitled to."""
    return Actor(account=account, scopes=frozenset(entitled_scopes(account)))


def _shown(event: OutboxEvent, account: Account, initiative_id: int | None) -> Any:
    """What the API would show the account of the event's object now, without dumping it:
    a booking (or its busy block), a series with its dates, a closure, an initiative; None
    when the account does not hear of it, or the API would answer 404."""
    payload = event.payload
    if not _related(account, payload, initiative_id):
        return None
    actor = subscriber(account)
    if event.type.startswith("booking."):
        booking = db.session.get(Booking, payload["booking_id"])
        return present(actor, booking, event.created_at) if booking is not None else None
    if event.type.startswith("series."):
        try:
            found = get_series(actor, payload["series_id"])
        except NotFound:
            return None
        listed = {item["booking_id"] for item in payload["occurrences"]}
        dates = [present(actor, b, event.created_at) for b in found.bookings if b.id in listed]
        return found, [date for date in dates if date is not None]
    if event.type == "closure.created":
        return db.session.get(Closure, payload["closure_id"]) or {}
    if event.type == "initiative.transitioned":
        return db.session.get(Initiative, payload["initiative_id"]) or {}
    return None


def data_for(event: OutboxEvent, account: Account) -> Any:
    """The object as the API would answer it to the account now (the same visibility and the
    same schema), or None when the account may not receive the event at all."""
    from booking.schemas.booking import BookingSchema, SeriesSchema
    from booking.schemas.initiative import InitiativeSchema
    from booking.schemas.place import ClosureSchema
    from booking.services.signups.quotas import SIGNUPS_CHANGED, signups_json

    shown = _shown(event, account, _initiative_of(event.payload))
    if shown is None:
        return None
    payload = event.payload
    if event.type == SIGNUPS_CHANGED:
        # Counts only, never names (DESIGN §15).
        counts = signups_json(shown) or {}
        return {
            "booking_id": payload["booking_id"],
            **{key: counts.get(key) for key in ("capacity", "taken", "waiting")},
        }
    if event.type.startswith("booking."):
        return BookingSchema().dump(shown)
    if event.type.startswith("series."):
        series, dates = shown
        return {**SeriesSchema().dump(series), "occurrences": BookingSchema(many=True).dump(dates)}
    if event.type == "closure.created":
        dumped = ClosureSchema().dump(shown) if shown else {}
        return {**dumped, "affected_bookings": payload["affected"]}
    return {
        **(InitiativeSchema().dump(shown) if shown else {}),
        "transition": {k: payload[k] for k in ("from", "to", "outcome", "note")},
    }


def subscriptions_for(event: OutboxEvent) -> list[WebhookSubscription]:
    """The enabled subscriptions that asked for this event and may see what it is about."""
    if event.type not in WEBHOOK_EVENT_TYPES:
        return []
    if event.type == WEBHOOK_TEST:
        found = db.session.get(WebhookSubscription, event.payload["subscription_id"])
        return [found] if found is not None else []
    payload = event.payload
    initiative_id = _initiative_of(payload)
    matching = []
    for subscription in db.session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.enabled.is_(True))
    ):
        if event.type not in subscription.events:
            continue
        if subscription.place_ids and payload.get("place_id") not in subscription.place_ids:
            continue
        if subscription.initiative_ids and initiative_id not in subscription.initiative_ids:
            continue
        account = db.session.get(Account, subscription.account_id)
        if account is not None and _shown(event, account, initiative_id) is not None:
            matching.append(subscription)
    return matching


def _data(event: OutboxEvent, subscription: WebhookSubscription) -> Any:
    """The `data` of one delivery: the object as its subscriber may see it at sending time."""
    if event.type == WEBHOOK_TEST:
        return {"subscription_id": subscription.id, "message": "ping"}
    account = db.session.get(Account, subscription.account_id)
    return data_for(event, account) if account is not None else None


def body_of(event: OutboxEvent, subscription: WebhookSubscription) -> str:
    """The JSON body: `{id, type, timestamp, data}`; payloads carry the booking's sequence."""
    return json.dumps(
        {
            "id": f"evt_{event.id}",
            "type": event.type,
            "timestamp": event.created_at.isoformat(),
            "data": _data(event, subscription),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS; the certificate is checked against the host name."""

    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    url: str, secret_encrypted: str, webhook_id: str, body: str, now: datetime
) -> tuple[int, str]:
    """Sign and POST once: the status code and at most 1 KB of the answer. No redirects.

    Plain values in, so that no database object (nor transaction) is touched while sending."""
    addresses = resolve_target(url)  # again: the name may point elsewhere now
    parts = urlsplit(url)
    signature = Webhook(decrypt_secret(secret_encrypted)).sign(webhook_id, now, body)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        parts.hostname or "", addresses[0], port=parts.port, timeout=TIMEOUT_SECONDS
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Wijkruimte-Webhooks/1",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature,
            },
        )
        response = connection.getresponse()
        answer = response.read(READ_AT_MOST)
        return response.status, answer[:KEEP_AT_MOST].decode(errors="replace")
    finally:
        connection.close()
