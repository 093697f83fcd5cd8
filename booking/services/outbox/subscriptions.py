"""Webhook subscriptions: who may subscribe to what, safe targets, and the signing secret.

The secret is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256, from the `cryptography`
package) under a key derived from BOOKING_SECRET_KEY. Signing needs the secret itself, so a
hash would not do; encrypted, a copy of the database alone does not let anyone forge a
partner's webhooks. Changing BOOKING_SECRET_KEY makes stored secrets unreadable: rotate them.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from booking.errors import Invalid, NotFound
from booking.extensions import db
from booking.models import Initiative, OutboxMessage, Place, WebhookSubscription, utcnow
from booking.models.outbox import MESSAGE_PENDING, WEBHOOK_TEST
from booking.services.authorization import Actor, require_scope
from booking.services.common import fetch_page
from booking.services.outbox import events
from booking.services.privacy.sealing import WEBHOOK_SECRETS, seal, unseal

MAX_SUBSCRIPTIONS_PER_ACCOUNT = 20
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def encrypt_secret(secret: str) -> str:
    """The secret as stored."""
    return seal(WEBHOOK_SECRETS, secret)


def decrypt_secret(stored: str) -> str:
    """The secret to sign with."""
    return unseal(WEBHOOK_SECRETS, stored)


# IANA's special-purpose address registries: every block that is not globally reachable,
# named, so that a refusal says which rule it broke. ipaddress's is_global decides too; the
# table keeps the answer the same on every Python (older ones miss a few of these blocks).
_NOT_GLOBAL = [
    (ipaddress.ip_network(block), name)
    for block, name in (
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private-use"),
        ("100.64.0.0/10", "shared address space, as carrier-grade NAT and cloud metadata use"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private-use"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
        ("192.168.0.0/16", "private-use"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("255.255.255.255/32", "limited broadcast"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
        ("100::/64", "discard-only"),
        ("100:0:0:1::/64", "dummy prefix"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing (SRv6) SIDs"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
]
# Blocks inside those that the registries mark globally reachable (anycast services).
_GLOBAL_INSIDE = [
    ipaddress.ip_network(block)
    for block in (
        "192.0.0.9/32",
        "192.0.0.10/32",
        "2001:1::1/128",
        "2001:1::2/128",
        "2001:1::3/128",
        "2001:3::/32",
        "2001:4:112::/48",
        "2001:20::/28",
        "2001:30::/28",
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# A tunnel, not a destination: where a Teredo packet ends up depends on relays and the
# client's NAT, not on the address, so no address in it is a safe target.
_TEREDO = ipaddress.ip_network("2001::/32")


def _wrapped_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 form carries, and the form's name: a connection to it ends
    at that IPv4 address (or at a relay that forwards there)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    return None


def refusal(address: str) -> str | None:
    """Why a webhook may not be sent to this address, or None for a globally routable
    unicast address. Wrapped IPv4 addresses are judged by the address they carry."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip in _TEREDO:
        return f"{ip} is in {_TEREDO} (Teredo, a tunnel rather than a destination)"
    if isinstance(ip, ipaddress.IPv6Address):
        wrapped = _wrapped_ipv4(ip)
        if wrapped is not None:
            inner, form = wrapped
            reason = refusal(str(inner))
            return f"{reason}, wrapped in {form} address {ip}" if reason else None
    if any(ip in block for block in _GLOBAL_INSIDE):
        return None
    for block, name in _NOT_GLOBAL:
        if ip.version == block.version and ip in block:
            return f"{ip} is in {block} ({name})"
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is not a globally routable unicast address"
    return None


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
    addresses = sorted({str(info[4][0]).split("%")[0] for info in infos})
    reasons = (
        []
        if current_app.config["WEBHOOK_ALLOW_PRIVATE"]
        else list(filter(None, map(refusal, addresses)))
    )
    if reasons:
        hint = ""
        if current_app.config["ENV"] != "production":
            hint = " For tests and closed networks, set BOOKING_WEBHOOK_ALLOW_PRIVATE=true."
        raise Invalid(
            "Webhook URLs may not point to private or special-purpose addresses, only to globally "
            "routable unicast ones: " + "; ".join(reasons) + "." + hint,
            code="private_webhook_url",
            errors={"url": reasons},
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


def send_test(actor: Actor, subscription_id: int) -> OutboxMessage:
    """Queue a `webhook.test` event for this subscription only, and its delivery at once
    (the worker sends it), so the caller can follow that delivery."""
    subscription = owned(actor, subscription_id)
    event = events.emit(WEBHOOK_TEST, {"subscription_id": subscription.id, "message": "ping"})
    now = utcnow()
    delivery = OutboxMessage(
        event=event,
        channel="webhook",
        recipient=subscription.url[:254],
        account_id=subscription.account_id,
        reason="webhook",
        subscription_id=subscription.id,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(delivery)
    # Expanded here already: the worker's dispatch must not queue it a second time.
    event.dispatched_at = now
    db.session.flush()
    return delivery


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
