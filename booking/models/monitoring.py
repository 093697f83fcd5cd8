"""Monitoring a place chooses to do: who came to an activity, how it was (anonymous
feedback), and complaints with their handling term. No figure here names a visitor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, UTCDateTime

ATTENDANCE_OFF, ASK_BOOKER, ASK_HOSTS = "off", "booker", "hosts"
ATTENDANCE_MODES = (ATTENDANCE_OFF, ASK_BOOKER, ASK_HOSTS)
DEFAULT_MONITORING: dict[str, Any] = {"attendance": ATTENDANCE_OFF, "feedback": False}

COMPLAINT, SUGGESTION = "complaint", "suggestion"
COMPLAINT_KINDS = (COMPLAINT, SUGGESTION)
RECEIVED, IN_PROGRESS, HANDLED = "received", "in_progress", "handled"
COMPLAINT_STATUSES = (RECEIVED, IN_PROGRESS, HANDLED)


class Attendance(Base):
    """How many people came to one activity (a booking), recorded after it ended."""

    __tablename__ = "attendance"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    count: Mapped[int]
    first_time: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class AttendanceAsk(Base):
    """That the morning-after mail asking for attendance went out for a booking (once)."""

    __tablename__ = "attendance_asks"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Feedback(Base):
    """One anonymous answer to "how was it": a score of 1 to 5 and an optional comment."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL"), index=True
    )
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The nonce of the page's form it came from: one shown form is kept once (spam_guard).
    form_nonce: Mapped[str | None] = mapped_column(String(24), unique=True)


class Complaint(Base):
    """A complaint or suggestion about a place, and how and when it was handled."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    # Only to answer; wiped with the retention of personal data (docs/privacy.md).
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    status: Mapped[str] = mapped_column(String(16), default=RECEIVED, index=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The nonce of the page's form it came from: one shown form is kept once (spam_guard).
    form_nonce: Mapped[str | None] = mapped_column(String(24), unique=True)

    @property
    def on_time(self) -> bool | None:
        """Handled within its term; None while open."""
        return None if self.handled_at is None else self.handled_at <= self.due_at
