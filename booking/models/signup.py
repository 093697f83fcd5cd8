"""Sign-ups for activities (DESIGN §15): a place *at* a public booking, with a capacity, a
waitlist and a check-in. The booking holds the settings (its quota); each sign-up is a row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, UTCDateTime

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
SIGNUP_STATUSES = (CONFIRMED, WAITLISTED, CANCELLED)
ACTIVE_SIGNUPS = (CONFIRMED, WAITLISTED)


class Signup(Base):
    """One person's (or class's) place at an activity, confirmed or waiting."""

    __tablename__ = "signups"
    __table_args__ = (Index("ix_signups_booking_status", "booking_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    party_size: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    checked_in: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
