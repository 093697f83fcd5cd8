"""`booking worker`: turns outbox events into messages and delivers them, at least once.

Each step is its own short transaction:
1. dispatch: undelivered events become one message per recipient (claimed with
   FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers never expand one event twice);
2. claim: due messages get a lease (`locked_until`), committed before sending, so no row
   lock is held during a slow SMTP conversation;
3. deliver, one message at a time: its attempt is counted and committed when its delivery
   starts (claims a dead worker never started cost no attempt), it is sent with no
   transaction open, then the outcome is recorded. A worker killed between sending and
   marking leaves the lease to run out; the message is then sent again with the same
   Message-ID, so a repeat is recognisable.
Failures retry with exponential backoff and jitter for 24 hours, then the message is failed.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError

from booking.delivery import webhooks
from booking.delivery.mail import build
from booking.delivery.recipients import recipients
from booking.delivery.transport import Transport, transport_for
from booking.delivery.webhooks import subscriptions_for
from booking.extensions import db
from booking.models import OutboxEvent, OutboxMessage, WebhookSubscription, utcnow
from booking.models.outbox import (
    ACCOUNT_ERASED,
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_PENDING,
    SIGN_IN_LINK,
    SIGNUP_LINK,
    WEB_REQUEST_LINK,
    WEBHOOK_DISABLED,
)
from booking.services.host_invitations import HOST_INVITED
from booking.services.outbox.events import emit

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
BATCH = 20
# The retention purge: a minute after the worker starts, then daily.
PURGE_FIRST_AFTER = timedelta(minutes=1)
PURGE_EVERY = timedelta(days=1)
# Attendance asks (the morning after) and complaint reminders: every hour.
FOLLOW_UP_EVERY = timedelta(hours=1)


@dataclass
class Round:
    """What one pass of the worker did."""

    dispatched: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def busy(self) -> bool:
        """Whether anything happened (an idle worker sleeps before the next pass)."""
        return bool(self.dispatched or self.delivered or self.retried or self.failed)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s, 1 min, 2 min... at most 2 h, ±20% jitter."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    return wait * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def _skip_locked(stmt: object) -> object:
    if db.session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)  # type: ignore[attr-defined]
    return stmt  # SQLite: one worker, and write transactions run one at a time


def dispatch(now: datetime) -> int:
    """Expand a batch of new events into messages; how many events."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(BATCH)
    )
    events = list(db.session.scalars(_skip_locked(stmt)))  # type: ignore[call-overload]
    for event in events:
        for recipient in recipients(event):
            _queue(event, now, "email", recipient.email, recipient.account_id, recipient.reason)
        for subscription in subscriptions_for(event):
            _queue(
                event,
                now,
                "webhook",
                subscription.url[:254],
                subscription.account_id,
                "webhook",
                subscription_id=subscription.id,
            )
        event.dispatched_at = now
    db.session.commit()
    return len(events)


def _queue(
    event: OutboxEvent,
    now: datetime,
    channel: str,
    recipient: str,
    account_id: int | None,
    reason: str,
    subscription_id: int | None = None,
) -> None:
    db.session.add(
        OutboxMessage(
            event=event,
            channel=channel,
            recipient=recipient,
            account_id=account_id,
            reason=reason,
            subscription_id=subscription_id,
            next_attempt_at=now,
            created_at=now,
        )
    )


def claim(now: datetime, lease: timedelta) -> list[int]:
    """Take a batch of due messages for this worker until `now + lease`."""
    stmt = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MESSAGE_PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(BATCH)
    )
    ids = list(db.session.scalars(_skip_locked(stmt)))  # type: ignore[call-overload]
    if ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(locked_until=now + lease)
        )
    db.session.commit()
    return ids


@dataclass(frozen=True)
class _Attempt:
    """What one attempt sends, read (and counted) before any of it is sent."""

    message_id: int
    mail: EmailMessage | None = None
    # The webhook's address, its encrypted secret and the signed body.
    webhook: tuple[str, str, str] | None = None
    # A message that could not even be built fails without sending; for good, unless the
    # database was what failed (that passes).
    error: str = ""
    permanent: bool = False


def deliver(message_id: int, transport: Transport, round_: Round) -> None:
    """Send one claimed message and record how it went.

    Three steps, and no transaction is open while a slow SMTP server or webhook receiver
    holds the send (on SQLite, an open worker transaction holds the write lock, so every
    API write would wait behind it): read the message and count the attempt, commit; send;
    record the outcome in a transaction of its own.
    """
    attempt = _start_attempt(message_id)
    if attempt is None:
        return
    status: int | None = None
    error = attempt.error
    if not error:
        try:
            if attempt.mail is not None:
                transport.send(attempt.mail)
            elif attempt.webhook is not None:
                url, secret, body = attempt.webhook
                status, answer = webhooks.post(url, secret, f"msg_{message_id}", body, utcnow())
                error = "" if 200 <= status < 300 else f"HTTP {status}: {answer}"
        except Exception as failure:  # a refused mail, a timeout, a refused address...
            error = f"{type(failure).__name__}: {failure}"
    _record(message_id, status, error, round_, attempt.permanent)


def _start_attempt(message_id: int) -> _Attempt | None:
    """Read a claimed message and count its attempt, in one short transaction; None when
    there is nothing to send (delivered meanwhile, or its subscription is gone)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != MESSAGE_PENDING:
        db.session.commit()
        return None
    attempt: _Attempt
    if message.channel == "webhook":
        subscription = db.session.get(WebhookSubscription, message.subscription_id)
        if subscription is None or not subscription.enabled:
            message.status, message.last_error = MESSAGE_FAILED, "subscription disabled or gone"
            db.session.commit()
            return None
        body = webhooks.body_of(message.event, subscription)
        attempt = _Attempt(
            message_id, webhook=(subscription.url, subscription.secret_encrypted, body)
        )
    else:
        try:
            attempt = _Attempt(message_id, mail=build(message.event, message))
        except Exception as failure:  # a mail that cannot be built must not stop the others
            db.session.rollback()
            message = db.session.get(OutboxMessage, message_id)
            if message is None:
                return None
            attempt = _Attempt(
                message_id,
                error=f"cannot build this mail: {type(failure).__name__}: {failure}",
                permanent=not isinstance(failure, DBAPIError),
            )
    # The attempt counts from here: a claim that a dead worker never started costs none.
    message.attempts += 1
    db.session.commit()
    return attempt


def _record(
    message_id: int, status: int | None, error: str, round_: Round, permanent: bool = False
) -> None:
    """Record the outcome of an attempt in a transaction of its own."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        db.session.commit()
        return
    now = utcnow()
    if message.channel == "webhook":
        _record_webhook(message, status, error, now, round_)
    elif error:
        too_old = permanent or now - message.created_at >= GIVE_UP_AFTER
        _failed(message, error, now, None if too_old else backoff(message.attempts), round_)
    else:
        _delivered(message, now, round_)
        event = message.event
        if event.type in (SIGN_IN_LINK, WEB_REQUEST_LINK, SIGNUP_LINK, HOST_INVITED):
            # The code is a secret: once mailed it has no business in the database, even sealed.
            event.payload = {**event.payload, "code_sealed": None}
        elif event.type == ACCOUNT_ERASED:
            # The person is gone: once their last mail is out, so is their address.
            event.payload = {**event.payload, "email_sealed": None}
            message.recipient = ""
    db.session.commit()


def _record_webhook(
    message: OutboxMessage, status: int | None, error: str, now: datetime, round_: Round
) -> None:
    """Any 2xx is success; anything else waits for its next attempt, and three days of
    failure disable the subscription and tell its owner (the caller commits)."""
    message.last_status_code = status
    subscription = db.session.get(WebhookSubscription, message.subscription_id)
    if not error:
        _delivered(message, now, round_)
        if subscription is not None:
            subscription.failing_since = None
        return
    _failed(message, error, now, webhooks.retry_wait(message.attempts), round_)
    if subscription is None:
        return
    subscription.failing_since = subscription.failing_since or now
    if now - subscription.failing_since >= webhooks.DISABLE_AFTER:
        subscription.enabled = False
        subscription.disabled_reason = "Every delivery failed for three days."
        emit(
            WEBHOOK_DISABLED,
            {
                "subscription_id": subscription.id,
                "url": subscription.url,
                "account_id": subscription.account_id,
            },
        )


def _delivered(message: OutboxMessage, now: datetime, round_: Round) -> None:
    """Mark a message delivered (the caller commits)."""
    message.status, message.delivered_at = MESSAGE_DELIVERED, now
    message.locked_until, message.last_error = None, ""
    round_.delivered += 1


def _failed(
    message: OutboxMessage, error: str, now: datetime, wait: timedelta | None, round_: Round
) -> None:
    """Record a failed attempt: try again after `wait`, or give up when there is none."""
    message.last_error, message.locked_until = error[:1000], None
    if wait is None:
        message.status = MESSAGE_FAILED
        round_.failed += 1
        log.error("message %s failed for good: %s", message.id, message.last_error)
    else:
        message.next_attempt_at = now + wait
        round_.retried += 1
        log.warning("message %s attempt %s failed: %s", message.id, message.attempts, error)


def run_once(app: Flask, stop: threading.Event | None = None) -> Round:
    """Dispatch and deliver everything that is due now; stop early when asked."""
    round_ = Round()
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    transport = transport_for(app.config["SMTP_URL"], app.instance_path)
    with app.app_context():
        try:
            while (count := dispatch(utcnow())) and not _stopping(stop):
                round_.dispatched += count
            while not _stopping(stop) and (ids := claim(utcnow(), lease)):
                for index, message_id in enumerate(ids):
                    if _stopping(stop):
                        _release(ids[index:])
                        break
                    deliver(message_id, transport, round_)
        finally:
            db.session.remove()
    return round_


def _release(ids: list[int]) -> None:
    """Give back claimed messages this worker will not send (it is stopping)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MESSAGE_PENDING)
        .values(locked_until=None)
    )
    db.session.commit()


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def run_forever(app: Flask, stop: threading.Event, poll_seconds: float = 1.0) -> None:
    """Work until `stop` is set; sleep `poll_seconds` whenever nothing was due. Once a day
    (first soon after start) the retention purge runs too."""
    log.info("worker started")
    next_purge = next_follow_up = utcnow() + PURGE_FIRST_AFTER
    while not stop.is_set():
        try:
            busy = run_once(app, stop).busy
            if utcnow() >= next_purge:
                next_purge = utcnow() + PURGE_EVERY
                _purge(app)
            if utcnow() >= next_follow_up:
                next_follow_up = utcnow() + FOLLOW_UP_EVERY
                _follow_up(app)
        except Exception:  # a passing database outage: log, wait, go on
            log.exception("worker pass failed")
            busy = False
        if not busy:
            stop.wait(poll_seconds)
    log.info("worker stopped")


def _follow_up(app: Flask) -> None:
    """Monitoring's own work (booking/services/monitoring/follow_up.py), logged as counts."""
    from booking.services.monitoring.follow_up import run_follow_up

    _counted_job(app, "monitoring", run_follow_up)


def _purge(app: Flask) -> None:
    """The daily retention purge (docs/privacy.md), logged as counts only."""
    from booking.services.privacy.retention import run_purge

    _counted_job(app, "privacy purge", run_purge)


def _counted_job(app: Flask, name: str, job: Callable[[datetime], dict[str, int]]) -> None:
    """Run a periodic job in its own app context and log what it counted (never who)."""
    with app.app_context():
        try:
            counts = job(utcnow())
        finally:
            db.session.remove()
    log.info("%s: %s", name, ", ".join(f"{k} {v}" for k, v in counts.items()) or "skipped")
