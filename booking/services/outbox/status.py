"""What administrators see of the outbox: messages waiting, delivered or given up on."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import OutboxEvent, OutboxMessage
from booking.models.outbox import MESSAGE_DELIVERED, MESSAGE_FAILED, MESSAGE_PENDING
from booking.services.authorization import Actor, require_admin
from booking.services.common import fetch_page


def list_messages(
    actor: Actor, status: str | None, page: int, page_size: int
) -> tuple[list[OutboxMessage], int]:
    """Messages by status (default: not delivered), newest first (admins)."""
    require_admin(actor)
    statuses = [status] if status else [MESSAGE_PENDING, MESSAGE_FAILED]
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(statuses))
        .order_by(OutboxMessage.id.desc())
    )
    return fetch_page(stmt, page, page_size)


def backlog() -> tuple[int, datetime | None]:
    """How many messages wait, and since when the oldest (for the metrics, at scrape time)."""
    waiting, oldest = db.session.execute(
        select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == MESSAGE_PENDING
        )
    ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(waiting or 0), oldest


def counts() -> dict[str, int]:
    """How many messages are in each state, and how many events wait to be dispatched."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    found = {MESSAGE_PENDING: 0, MESSAGE_DELIVERED: 0, MESSAGE_FAILED: 0}
    found.update({status: int(count) for status, count in rows})
    found["undispatched_events"] = int(
        db.session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
        )
        or 0
    )
    return found


def latest_failures(limit: int = 10) -> list[tuple[int, str, str]]:
    """The newest messages given up on: id, event kind and why (for `booking outbox status`)."""
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxEvent.type, OutboxMessage.last_error)
        .join(OutboxEvent, OutboxEvent.id == OutboxMessage.event_id)
        .where(OutboxMessage.status == MESSAGE_FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [(int(row.id), str(row.type), str(row.last_error or "")) for row in rows]


def retry_message(actor: Actor, message_id: int, now: datetime | None = None) -> OutboxMessage:
    """Send a failed or waiting mail again now (admins): its attempts start over."""
    from booking.errors import Conflict, NotFound

    require_admin(actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"Message {message_id} does not exist.")
    if message.status == MESSAGE_DELIVERED:
        raise Conflict("This message was delivered.", code="message_delivered")
    if not message.recipient:
        raise Conflict("This message's address was erased.", code="message_erased")
    message.status, message.attempts = MESSAGE_PENDING, 0
    message.next_attempt_at = now or datetime.now(UTC)
    message.locked_until = None
    # Counted from now: a retried mail gets its own 24 hours before it is given up on.
    message.created_at = message.next_attempt_at
    db.session.flush()
    return message
