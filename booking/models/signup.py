"""Sign-ups for activities (DESIGN §15): a place *at* a public booking, with a capacity, a
waitlist and a check-in. The booking holds the settings (its quota); each sign-up is a row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from booking.models.booking import Booking

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
# Signed up without a token: holds nothing until the mailed link is followed.
UNCONFIRMED = "unconfirmed"
SIGNUP_STATUSES = (CONFIRMED, WAITLISTED, CANCELLED, UNCONFIRMED)
ACTIVE_SIGNUPS = (CONFIRMED, WAITLISTED)


class Signup(Base):
    """One person's (or class's) place at an activity, confirmed or waiting."""

    __tablename__ = "signups"
    __table_args__ = (
        Index("ix_signups_booking_status", "booking_id", "status"),
        Index("ix_signups_confirm_hash", "confirm_hash", unique=True),
    )

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
    # An unconfirmed sign-up: the hash of its mailed code, and when the link stops working.
    confirm_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language its mails are written in (an account's own wins).
    locale: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when one sign-up holds a place on every coming date of this series.
    series_id: Mapped[int | None]

    booking: Mapped[Booking] = relationship(lazy="select")
