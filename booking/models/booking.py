"""Bookings, their occupancy of atomic rooms, recurring series and the history of changes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, Timestamped, UTCDateTime, utcnow

if TYPE_CHECKING:
    from booking.models.account import Account
    from booking.models.place import Place
    from booking.models.room import Room

PENDING, CONFIRMED, DECLINED, CANCELLED, EXPIRED = (
    "pending",
    "confirmed",
    "declined",
    "cancelled",
    "expired",
)
STATUSES = (PENDING, CONFIRMED, DECLINED, CANCELLED, EXPIRED)
# Statuses that hold the slot.
ACTIVE_STATUSES = (PENDING, CONFIRMED)
VISIBILITIES = ("public", "private")


class Series(Timestamped, Base):
    """A recurring booking: an RRULE expanded in the place's local time."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    booked_by_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), index=True
    )
    rrule: Mapped[str] = mapped_column(String(300))
    # The first occurrence; later ones keep its local wall-clock times.
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")

    room: Mapped[Room] = relationship()
    place: Mapped[Place] = relationship()
    booked_by: Mapped[Account] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="series", order_by=lambda: (Booking.start, Booking.id)
    )

    @property
    def zone(self) -> ZoneInfo:
        """The timezone of the series' place."""
        return self.place.zone

    @property
    def occurrences(self) -> int:
        """How many bookings the series made."""
        return len(self.bookings)

    @property
    def booking_ids(self) -> list[int]:
        """Ids of the series' bookings, in time order."""
        return [booking.id for booking in self.bookings]


class Booking(Timestamped, Base):
    """A booking of one room for one period."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_place_id_start", "place_id", "start"),
        CheckConstraint('start < "end"', name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    booked_by_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    status: Mapped[str] = mapped_column(String(16), index=True)
    expected_attendees: Mapped[int | None]
    # Whether the organiser said it costs nothing (True), something (False), or not (None):
    # the activity page tells search engines only what the organiser said.
    free_of_charge: Mapped[bool | None]
    # Sign-ups (DESIGN §15): none (walk-in) while the capacity is null.
    signup_capacity: Mapped[int | None]
    signup_waitlist: Mapped[bool] = mapped_column(default=True, server_default="1")
    signup_closes_minutes_before: Mapped[int] = mapped_column(default=0, server_default="0")
    # A date of a series where one sign-up holds a place on every coming date.
    signup_whole_series: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Booked by a host for someone who phoned or walked in (DESIGN §16): who, and how to
    # reach them (mails go to the address); the host's account stays the booker of record.
    on_behalf_name: Mapped[str | None] = mapped_column(String(120))
    on_behalf_email: Mapped[str | None] = mapped_column(String(254))
    on_behalf_phone: Mapped[str | None] = mapped_column(String(40))
    # The place's buffer when the booking was made or moved; later policy changes
    # must not make existing bookings overlap.
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    outside_opening_hours: Mapped[bool] = mapped_column(default=False)
    # Raised on every change of the booking itself, for calendar clients (iCalendar
    # SEQUENCE); decision links and the history follow it.
    sequence: Mapped[int] = mapped_column(default=0)
    # Raised when only what its events show of other rows changed (the booker's name, the
    # initiative's target groups): feeds add it to SEQUENCE and LAST-MODIFIED, while the
    # booking's own sequence and updated_at stay, so a host's link still decides.
    feed_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    feed_revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Outsiders get a RedactedBooking instead for private bookings.
    details_hidden = False

    room: Mapped[Room] = relationship()
    place: Mapped[Place] = relationship()
    booked_by: Mapped[Account] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="bookings")
    occupancies: Mapped[list[Occupancy]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Occupancy.room_id"
    )
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking",
        cascade="all, delete-orphan",
        order_by=lambda: (BookingEvent.at, BookingEvent.id),
    )

    @property
    def zone(self) -> ZoneInfo:
        """The timezone of the booking's place."""
        return self.place.zone

    def status_at(self, now: datetime) -> str:
        """The status as read at `now`: a pending booking whose start passed is expired."""
        if self.status == PENDING and self.start <= now:
            return EXPIRED
        return self.status

    # Set per request on bookings shown to their booker, a host or an admin: only they see
    # the booker's e-mail address.
    show_contact = False

    @property
    def booker(self) -> dict[str, Any] | None:
        """Who booked it: id and name, and the e-mail for those involved; nobody once the
        booker's account was erased."""
        account = self.booked_by
        if self.on_behalf_name is not None and self.show_contact:
            # Those involved see the caller as the booker; everyone else sees the host.
            return {
                "id": account.id,
                "name": self.on_behalf_name,
                "email": self.on_behalf_email,
            }
        if account.erased_at is not None:
            return None
        shown: dict[str, Any] = {"id": account.id, "name": account.name}
        if self.show_contact:
            shown["email"] = account.email
        return shown

    @property
    def on_behalf_of(self) -> dict[str, Any] | None:
        """The caller a host booked for, to those involved only."""
        if self.on_behalf_name is None or not self.show_contact:
            return None
        return {
            "name": self.on_behalf_name,
            "email": self.on_behalf_email,
            "phone": self.on_behalf_phone,
        }

    @property
    def booker_id(self) -> int | None:
        """The booker's account id, as shown: none once that account was erased."""
        return None if self.booked_by.erased_at is not None else self.booked_by_id

    @property
    def current_status(self) -> str:
        """The status as read now."""
        return self.status_at(utcnow())

    @property
    def is_active(self) -> bool:
        """Whether the booking holds its slot."""
        return self.status in ACTIVE_STATUSES


class Occupancy(Base):
    """The time an active booking blocks one atomic room, buffer included.

    The no-double-booking guarantee lives here: on PostgreSQL an exclusion constraint,
    on SQLite triggers (both in migration 0002), forbid two active rows of one room
    from overlapping.
    """

    __tablename__ = "occupancies"
    __table_args__ = (
        Index("ix_occupancies_room_id_start", "room_id", "start"),
        CheckConstraint('start < "end"', name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)

    booking: Mapped[Booking] = relationship(back_populates="occupancies")


class BookingEvent(Base):
    """One change of a booking: who, when, from which status to which, and why."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    booking: Mapped[Booking] = relationship(back_populates="events")

    @property
    def zone(self) -> ZoneInfo:
        """The timezone of the booking's place."""
        return self.booking.zone


class IdempotencyKey(Base):
    """The stored first response to a request sent with an `Idempotency-Key` header."""

    __tablename__ = "idempotency_keys"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
