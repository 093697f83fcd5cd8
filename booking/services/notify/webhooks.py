"""Webhook subscriptions: who may subscribe to what, safe targets, and the signing secret.

The secret is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256, from the `cryptography`
package) under a key derived from BOOKING_SECRET_KEY. Signing needs the secret itself, so a
hash would not do; encrypted, a copy of the database alone does not let anyone forge a
partner's webhooks. Changing BOOKING_SECRET_KEY makes stored secrets unreadable: rotate them.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import func, select

from booking.errors import Invalid, NotFound
from booking.extensions import db
from booking.models import Initiative, OutboxMessage, Place, WebhookSubscription, utcnow
from booking.models.outbox import MESSAGE_PENDING, WEBHOOK_TEST
from booking.services.authorization import Actor, require_scope
from booking.services.common import fetch_page
from booking.services.notify import outbox

MAX_SUBSCRIPTIONS_PER_ACCOUNT = 20
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret


def _fernet() -> Fernet:
    key = hashlib.sha256(b"wijkruimte-webhook-secrets:" + current_app.secret_key.encode()).digest()  # type: ignore[union-attr]
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def encrypt_secret(secret: str) -> str:
    """The secret as stored."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str:
    """The secret to sign with."""
    return _fernet().decrypt(stored.encode()).decode()


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve_target(url: str) -> list[str]:
    """The addresses a webhook URL resolves to, refusing private ones unless allowed.

    Called at subscription and again before every delivery (a name may resolve elsewhere by
    then: DNS rebinding); the delivery then connects to the address checked here.
    """
    parts = urlsplit(url)
    allowed = ("https",) if current_app.config["ENV"] == "production" else ("http", "https")
    if parts.scheme not in allowed or not parts.hostname:
        raise Invalid(
            f"A webhook URL must be {' or '.join(allowed)} with a host name.",
            code="invalid_webhook_url",
            errors={"url": [f"Use {' or '.join(allowed)}."]},
        )
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid(
            "The webhook URL's host name does not resolve.",
            code="invalid_webhook_url",
            errors={"url": ["Unknown host."]},
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"] and any(map(_blocked, addresses)):
        raise Invalid(
            "Webhook URLs may not point to private, loopback, link-local or multicast addresses.",
            code="private_webhook_url",
            errors={"url": ["Not a public address."]},
        )
    return addresses


def _check_filters(data: dict[str, Any]) -> None:
    for key, model in (("place_ids", Place), ("initiative_ids", Initiative)):
        ids = set(data.get(key) or [])
        if ids:
            found = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
            missing = sorted(ids - found)
            if missing:
                raise Invalid(
                    f"Unknown ids in {key}: {missing}.",
                    errors={key: [f"{number} does not exist." for number in missing]},
                )


def create(actor: Actor, data: dict[str, Any]) -> tuple[WebhookSubscription, str]:
    """Subscribe (scope `read`); the secret is returned this once."""
    account = require_scope(actor, "read")
    count = db.session.scalar(
        select(func.count())
        .select_from(WebhookSubscription)
        .where(WebhookSubscription.account_id == account.id)
    )
    if (count or 0) >= MAX_SUBSCRIPTIONS_PER_ACCOUNT:
        raise Invalid(
            f"An account can hold at most {MAX_SUBSCRIPTIONS_PER_ACCOUNT} webhooks.",
            code="too_many_webhooks",
        )
    resolve_target(data["url"])
    _check_filters(data)
    secret = new_secret()
    subscription = WebhookSubscription(
        account_id=account.id,
        url=data["url"],
        events=sorted(set(data["events"])),
        place_ids=sorted(set(data.get("place_ids") or [])),
        initiative_ids=sorted(set(data.get("initiative_ids") or [])),
        description=data.get("description", ""),
        secret_encrypted=encrypt_secret(secret),
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription, secret


def owned(actor: Actor, subscription_id: int) -> WebhookSubscription:
    """One of the actor's own subscriptions; anyone else's is a 404."""
    account = require_scope(actor, "read")
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.account_id != account.id:
        raise NotFound(f"Webhook {subscription_id} does not exist.")
    return subscription


def list_own(actor: Actor) -> list[WebhookSubscription]:
    """The actor's subscriptions."""
    account = require_scope(actor, "read")
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.account_id == account.id)
            .order_by(WebhookSubscription.id)
        )
    )


def update(
    actor: Actor, subscription_id: int, data: dict[str, Any]
) -> tuple[WebhookSubscription, str | None]:
    """Change events, filters, the URL or `enabled`; `rotate_secret` returns a new secret."""
    subscription = owned(actor, subscription_id)
    if "url" in data:
        resolve_target(data["url"])
        subscription.url = data["url"]
    _check_filters(data)
    for key in ("events", "place_ids", "initiative_ids"):
        if key in data:
            setattr(subscription, key, sorted(set(data[key] or [])))
    if "description" in data:
        subscription.description = data["description"]
    if "enabled" in data:
        subscription.enabled = data["enabled"]
        if data["enabled"]:
            subscription.failing_since, subscription.disabled_reason = None, ""
    secret = None
    if data.get("rotate_secret"):
        secret = new_secret()
        subscription.secret_encrypted = encrypt_secret(secret)
    db.session.flush()
    return subscription, secret


def delete(actor: Actor, subscription_id: int) -> None:
    """Stop a subscription; its deliveries go with it."""
    db.session.delete(owned(actor, subscription_id))


def send_test(actor: Actor, subscription_id: int) -> None:
    """Queue a `webhook.test` event for this subscription only."""
    subscription = owned(actor, subscription_id)
    outbox.emit(WEBHOOK_TEST, {"subscription_id": subscription.id, "message": "ping"})


def deliveries(
    actor: Actor, subscription_id: int, page: int, page_size: int
) -> tuple[list[OutboxMessage], int]:
    """The subscription's deliveries, newest first."""
    subscription = owned(actor, subscription_id)
    return fetch_page(
        select(OutboxMessage)
        .where(OutboxMessage.subscription_id == subscription.id)
        .order_by(OutboxMessage.id.desc()),
        page,
        page_size,
    )


def retry(actor: Actor, subscription_id: int, delivery_id: int) -> OutboxMessage:
    """Deliver one message again now (a failed one too)."""
    subscription = owned(actor, subscription_id)
    message = db.session.get(OutboxMessage, delivery_id)
    if message is None or message.subscription_id != subscription.id:
        raise NotFound(f"Delivery {delivery_id} does not exist.")
    message.status, message.next_attempt_at, message.locked_until = MESSAGE_PENDING, utcnow(), None
    db.session.flush()
    return message
