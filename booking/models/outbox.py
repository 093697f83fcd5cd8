"""The transactional outbox: domain events written with the change that caused them, and the
messages (one per recipient and channel) the worker delivers from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow

EVENT_TYPES = (
    "booking.requested",
    "booking.confirmed",
    "booking.declined",
    "booking.cancelled",
    "booking.moved",
    "booking.expired",
    "booking.signups_changed",
    "series.created",
    "series.confirmed",
    "series.declined",
    "series.cancelled",
    "closure.created",
    "initiative.transitioned",
)
# Sent to one subscription on request (POST /webhooks/{id}/test).
WEBHOOK_TEST = "webhook.test"
WEBHOOK_EVENT_TYPES = (*EVENT_TYPES, WEBHOOK_TEST)
# The owner hears that a subscription was disabled after three days of failures.
WEBHOOK_DISABLED = "webhook.disabled"
# Not a domain event: the sign-in mail. It goes through the outbox so nothing is sent
# inside a request, like every other mail.
SIGN_IN_LINK = "auth.email_link"
# Neither: the mail with the link that confirms a request made on the pages.
WEB_REQUEST_LINK = "web.request_link"
# Nor this: an account was listed as a partner of an initiative and is asked to accept.
PARTNER_INVITED = "initiative.partner_invited"
# Nor this: an account unused for long is told it will be erased unless it is used.
PRIVACY_INACTIVE_WARNING = "privacy.inactive_warning"
# Nor this: the last mail to an erased account's address, with a cancellation of every
# coming date in one calendar file, so the person's agenda forgets them too.
ACCOUNT_ERASED = "privacy.account_erased"

# Nor these: the mails of sign-ups for activities (DESIGN §15). Their payloads carry ids
# only; the name and address are read from the sign-up when the mail is written.
SIGNUP_LINK = "signup.link"  # the link that confirms a sign-up made without a token
SIGNUP_PLACED = "signup.placed"  # confirmed or on the waitlist
SIGNUP_PROMOTED = "signup.promoted"  # from the waitlist to a place
SIGNUP_REMINDER = "signup.reminder"  # the day before, with the cancel link
SIGNUP_MAILS = (SIGNUP_LINK, SIGNUP_PLACED, SIGNUP_PROMOTED, SIGNUP_REMINDER)

MESSAGE_PENDING, MESSAGE_DELIVERED, MESSAGE_FAILED = "pending", "delivered", "failed"
MESSAGE_STATUSES = (MESSAGE_PENDING, MESSAGE_DELIVERED, MESSAGE_FAILED)


class OutboxEvent(Base):
    """Something that happened, recorded in the transaction that made it happen."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    # What the event is about, as it was at that moment (ids, titles, times, reasons).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the worker has turned the event into messages.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    messages: Mapped[list[OutboxMessage]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_outbox_events_undispatched", "dispatched_at", "id"),)


class OutboxMessage(Base):
    """One delivery of an event: an e-mail to one address (webhooks come later)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    # Why this recipient gets it, as a key the message text explains (host, booker...).
    reason: Mapped[str] = mapped_column(String(40))
    # Webhook messages: the subscription, and the receiver's last HTTP status.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    last_status_code: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=MESSAGE_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that claimed the message owns it until then; after that (it died) another
    # worker delivers it again, with the same Message-ID.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[OutboxEvent] = relationship(back_populates="messages")

    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)


class SignInCode(Base):
    """A one-time code mailed to an address; only its hash is kept."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebRequest(Base):
    """A slot asked for on the pages, waiting for its e-mail address to be proven.

    Only the hash of the mailed code is kept. Following the link (and pressing confirm)
    places the booking or series as the address's account, once.
    """

    __tablename__ = "web_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    weeks: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    expected_attendees: Mapped[int | None]
    free_of_charge: Mapped[bool | None]
    # Places for sign-ups (DESIGN §15); None: walk-in.
    signup_capacity: Mapped[int | None]
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
