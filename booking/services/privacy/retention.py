"""Retention that runs by itself (AVG art. 5(1)(e)): nothing personal is kept longer than
its purpose needs. `booking privacy purge` runs it by hand; the worker runs it daily.

Each kind is one rule with its own period (`Retention`, from BOOKING_PRIVACY_* settings):
- requests made on the pages that were never confirmed: deleted some days after expiry;
- sign-in codes: deleted once used or expired, and a code still sealed in an event whose
  mail never went out is wiped when it expires;
- delivered (or failed) mail and webhook messages: the address and the receiver's answer go
  after some days; their events keep kind, date, status and ids, and lose names, addresses,
  titles and texts;
- idempotency records: deleted after 48 hours (they answer retries of the last day);
- accounts nobody used for 24 months: warned by mail, erased 30 days later unless used;
- the name and address left with a complaint: wiped 12 months after it was handled (or
  after its term, if it never was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, delete, func, or_, select, update

from booking.errors import Conflict
from booking.extensions import db
from booking.models import (
    Account,
    ApiToken,
    Booking,
    Complaint,
    IdempotencyKey,
    OutboxEvent,
    OutboxMessage,
    SignInCode,
    Signup,
    WebRequest,
    WebSession,
)
from booking.models.outbox import (
    MESSAGE_PENDING,
    PRIVACY_INACTIVE_WARNING,
    SIGN_IN_LINK,
    SIGNUP_LINK,
    WEB_REQUEST_LINK,
)
from booking.models.signup import UNCONFIRMED
from booking.services.host_invitations import HOST_INVITED
from booking.services.outbox.events import emit
from booking.services.privacy.erasure import erase

# What an event keeps once its mails are long sent: what happened, to which object, when.
KEPT_PAYLOAD_KEYS = frozenset(
    {
        "booking_id",
        "series_id",
        "room_id",
        "place_id",
        "closure_id",
        "initiative_id",
        "subscription_id",
        "account_id",
        "booked_by",
        "actor_id",
        "status",
        "sequence",
        "visibility",
        "start",
        "end",
        "by",
        "from",
        "to",
        "outcome",
        "expires_at",
        "locale",
    }
)
# The advisory lock that keeps two workers from purging at once (an arbitrary constant).
PURGE_LOCK = 7_301_2026
KINDS = (
    "web_requests",
    "sign_in_codes",
    "mailed_codes",
    "message_addresses",
    "event_details",
    "idempotency_records",
    "inactive_accounts_warned",
    "inactive_accounts_erased",
    "complaint_contacts",
    "signup_contacts",
    "unconfirmed_signups",
    "caller_contacts",
)


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept (days, hours for idempotency)."""

    web_request_days: int = 7
    message_days: int = 30
    idempotency_hours: int = 48
    inactive_months: int = 24
    warning_days: int = 30
    erase_inactive: bool = True
    complaint_months: int = 12
    signup_days: int = 30
    caller_days: int = 30

    @classmethod
    def from_config(cls) -> Retention:
        """The periods configured for this installation."""
        config = current_app.config
        return cls(
            web_request_days=config["PRIVACY_WEB_REQUEST_DAYS"],
            message_days=config["PRIVACY_MESSAGE_DAYS"],
            idempotency_hours=config["PRIVACY_IDEMPOTENCY_HOURS"],
            inactive_months=config["PRIVACY_INACTIVE_MONTHS"],
            warning_days=config["PRIVACY_WARNING_DAYS"],
            erase_inactive=config["PRIVACY_ERASE_INACTIVE"],
            complaint_months=config["PRIVACY_COMPLAINT_MONTHS"],
            signup_days=config["RETAIN_SIGNUPS_DAYS"],
            caller_days=config["RETAIN_CALLER_DAYS"],
        )


def purge(now: datetime, retention: Retention) -> dict[str, int]:
    """Apply every rule as of `now`; how many of each kind went. The caller commits, or
    rolls back for a dry run."""
    messages_before = now - timedelta(days=retention.message_days)
    counts = {
        "web_requests": _delete(
            WebRequest, WebRequest.expires_at < now - timedelta(days=retention.web_request_days)
        ),
        "sign_in_codes": _delete(
            SignInCode, or_(SignInCode.used_at.is_not(None), SignInCode.expires_at < now)
        ),
        "mailed_codes": _wipe_expired_codes(now),
        "message_addresses": _forget_message_addresses(messages_before),
        "event_details": _forget_event_details(messages_before),
        "idempotency_records": _delete(
            IdempotencyKey,
            IdempotencyKey.created_at < now - timedelta(hours=retention.idempotency_hours),
        ),
        "inactive_accounts_warned": 0,
        "inactive_accounts_erased": 0,
        "complaint_contacts": _forget_complaint_contacts(
            now - timedelta(days=30 * retention.complaint_months), now
        ),
        "signup_contacts": _forget_signup_contacts(now - timedelta(days=retention.signup_days)),
        # A sign-up whose mailed link was never followed: as long as a request's link.
        "unconfirmed_signups": _delete(
            Signup,
            and_(
                Signup.status == UNCONFIRMED,
                Signup.expires_at < now - timedelta(days=retention.web_request_days),
            ),
        ),
        # Whom a host booked for: the name and how to reach them, this long after the
        # booking ended (the booking, its room and times stay).
        "caller_contacts": _forget_callers(now - timedelta(days=retention.caller_days)),
    }
    if retention.erase_inactive:
        warned, erased = _inactive_accounts(now, retention)
        counts["inactive_accounts_warned"], counts["inactive_accounts_erased"] = warned, erased
    db.session.flush()
    return counts


def _forget_complaint_contacts(before: datetime, now: datetime) -> int:
    """Wipe the name and address of complaints handled before `before`, or whose term
    ended before it without an answer: they were kept only to answer."""
    result = db.session.execute(
        update(Complaint)
        .where(
            or_(Complaint.name.is_not(None), Complaint.email.is_not(None)),
            or_(Complaint.handled_at < before, Complaint.due_at < before),
        )
        .values(name=None, email=None, personal_data_erased_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _forget_callers(before: datetime) -> int:
    """Bookings made for a caller that ended before `before` forget who the caller was."""
    result = db.session.execute(
        update(Booking)
        .where(Booking.on_behalf_name.is_not(None), Booking.end < before)
        .values(on_behalf_name="", on_behalf_email=None, on_behalf_phone=None)
        .where(Booking.on_behalf_name != "")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _forget_signup_contacts(before: datetime) -> int:
    """Sign-ups of activities that ended before `before` keep their party size, status and
    check-in (the counts), not who they were."""
    ended = select(Booking.id).where(Booking.end < before)
    result = db.session.execute(
        update(Signup)
        .where(Signup.booking_id.in_(ended), or_(Signup.name != "", Signup.email != ""))
        .values(name="", email="", note=None, account_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _delete(model: Any, condition: Any) -> int:
    result = db.session.execute(delete(model).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


def _wipe_expired_codes(now: datetime) -> int:
    """A code still sealed in an event whose mail never went out, once it no longer works."""
    count = 0
    events = db.session.scalars(
        select(OutboxEvent).where(
            OutboxEvent.type.in_((SIGN_IN_LINK, WEB_REQUEST_LINK, SIGNUP_LINK, HOST_INVITED))
        )
    )
    for event in events:
        payload = event.payload or {}
        expires = payload.get("expires_at")
        if payload.get("code_sealed") and expires and datetime.fromisoformat(expires) < now:
            event.payload = {**payload, "code_sealed": None}
            count += 1
    return count


def _forget_message_addresses(before: datetime) -> int:
    """Sent (or given up) messages older than the period keep no address and no answer."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status != MESSAGE_PENDING,
            OutboxMessage.created_at < before,
            or_(OutboxMessage.recipient != "", OutboxMessage.last_error != ""),
        )
        .values(recipient="", last_error="")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _forget_event_details(before: datetime) -> int:
    """Events older than the period whose messages are all done keep only what happened."""
    waiting = select(OutboxMessage.id).where(
        OutboxMessage.event_id == OutboxEvent.id, OutboxMessage.status == MESSAGE_PENDING
    )
    old: Select[Any] = select(OutboxEvent).where(
        OutboxEvent.created_at < before,
        OutboxEvent.dispatched_at.is_not(None),
        ~waiting.exists(),
    )
    count = 0
    for event in db.session.scalars(old):
        payload = event.payload or {}
        kept = {key: value for key, value in payload.items() if key in KEPT_PAYLOAD_KEYS}
        if kept != payload:
            event.payload = kept
            count += 1
    return count


def last_activity(account: Account) -> datetime:
    """When the account was last used: signed up, signed in, used a token, booked."""
    moments = [
        account.created_at,
        db.session.scalar(
            select(func.max(ApiToken.last_used_at)).where(ApiToken.account_id == account.id)
        ),
        db.session.scalar(
            select(func.max(ApiToken.created_at)).where(ApiToken.account_id == account.id)
        ),
        db.session.scalar(
            select(func.max(WebSession.created_at)).where(WebSession.account_id == account.id)
        ),
        db.session.scalar(
            select(func.max(Booking.created_at)).where(Booking.booked_by_id == account.id)
        ),
    ]
    return max(moment for moment in moments if moment is not None)


def _inactive_accounts(now: datetime, retention: Retention) -> tuple[int, int]:
    """Warn accounts unused for the period; erase those warned long enough ago and unused
    since. Admins are never erased this way; an account others depend on waits."""
    unused_since = now - timedelta(days=round(retention.inactive_months * 30.44))
    warned = erased = 0
    candidates = db.session.scalars(
        select(Account).where(
            Account.erased_at.is_(None),
            Account.is_admin.is_(False),
            Account.created_at < unused_since,
        )
    )
    for account in list(candidates):
        active = last_activity(account)
        if account.inactivity_warned_at is not None and active > account.inactivity_warned_at:
            account.inactivity_warned_at = None  # used again since the warning
        if active >= unused_since:
            continue
        if account.inactivity_warned_at is None:
            warned += 1
            account.inactivity_warned_at = now
            emit(
                PRIVACY_INACTIVE_WARNING,
                {
                    "account_id": account.id,
                    "erase_on": (now + timedelta(days=retention.warning_days)).isoformat(),
                },
            )
        elif account.inactivity_warned_at <= now - timedelta(days=retention.warning_days):
            try:
                erase(account, now)  # refuses before it writes while others depend on it
            except Conflict:
                continue
            erased += 1
    return warned, erased


def run_purge(now: datetime, dry_run: bool = False) -> dict[str, int]:
    """One purge as one transaction: committed and counted in /metrics, or, for a dry run,
    counted and rolled back. On PostgreSQL one worker at a time runs it (the others skip)."""
    from booking.metrics import PRIVACY_PURGED

    if db.session.get_bind().dialect.name == "postgresql":
        locked = db.session.scalar(select(func.pg_try_advisory_xact_lock(PURGE_LOCK)))
        if not locked:
            db.session.rollback()
            return {}
    counts = purge(now, Retention.from_config())
    if dry_run:
        db.session.rollback()
        return counts
    db.session.commit()
    for kind, count in counts.items():
        PRIVACY_PURGED.labels(kind).inc(count)
    return counts
