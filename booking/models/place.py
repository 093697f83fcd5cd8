"""Neighbourhoods, places, their hosts and closures."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.config import DEFAULT_TIMEZONE
from booking.models.base import Base, Timestamped, UTCDateTime, utcnow

if TYPE_CHECKING:
    from booking.models.account import Account
    from booking.models.photo import PlacePhoto
    from booking.models.room import Room


class Neighbourhood(Timestamped, Base):
    """A neighbourhood (wijk) in a city."""

    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120))


class Place(Timestamped, Base):
    """A meeting place: its identity, accessibility, opening hours and booking policy."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"), index=True
    )
    street: Mapped[str] = mapped_column(String(160), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    description: Mapped[str] = mapped_column(Text, default="")
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    step_free: Mapped[bool] = mapped_column(default=False)
    ground_floor: Mapped[bool] = mapped_column(default=False)
    accessible_toilet: Mapped[bool] = mapped_column(default=False)
    house_rules: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str] = mapped_column(String(1000))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # What the place chooses to monitor (booking/models/monitoring.py); None: nothing.
    monitoring: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    # When anything a feed shows of this place last changed, bookings leaving it included;
    # it never goes back, so neither does a feed's Last-Modified (booking/feeds/stamps.py).
    feed_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rises when the name or address changes: every event's LOCATION changes with it.
    feed_revision: Mapped[int] = mapped_column(default=0)
    feed_revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Archived by an admin: hidden from search, lists and feeds; its history stays.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    rooms: Mapped[list[Room]] = relationship(
        back_populates="place", cascade="all, delete-orphan", order_by="Room.id"
    )
    hosts: Mapped[list[PlaceHost]] = relationship(
        back_populates="place", cascade="all, delete-orphan"
    )
    closures: Mapped[list[Closure]] = relationship(
        back_populates="place", cascade="all, delete-orphan"
    )
    # Read-only here: photos are written through their own service (the order, the limit).
    photos: Mapped[list[PlacePhoto]] = relationship(
        order_by="PlacePhoto.position", viewonly=True, lazy="select"
    )

    @cached_property
    def zone(self) -> ZoneInfo:
        """The place's IANA timezone."""
        return ZoneInfo(self.timezone)

    @property
    def address(self) -> dict[str, str]:
        """The postal address as one object."""
        return {"street": self.street, "postcode": self.postcode, "city": self.city}

    @property
    def monitoring_settings(self) -> dict[str, Any]:
        """The monitoring choices, with the defaults (nothing asked) filled in."""
        from booking.models.monitoring import DEFAULT_MONITORING

        return {**DEFAULT_MONITORING, **(self.monitoring or {})}

    @property
    def accessibility(self) -> dict[str, bool]:
        """Accessibility features as one object."""
        return {
            "step_free": self.step_free,
            "ground_floor": self.ground_floor,
            "accessible_toilet": self.accessible_toilet,
        }


class PlaceHost(Timestamped, Base):
    """An account that hosts (manages) a place."""

    __tablename__ = "place_hosts"

    place_id: Mapped[int] = mapped_column(
        ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    place: Mapped[Place] = relationship(back_populates="hosts")
    account: Mapped[Account] = relationship(back_populates="hosted")


closure_rooms = Table(
    "closure_rooms",
    Base.metadata,
    Column("closure_id", ForeignKey("closures.id", ondelete="CASCADE"), primary_key=True),
    Column("room_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("created_at", UTCDateTime, default=utcnow, nullable=False),
)


class Closure(Timestamped, Base):
    """A dated closure of a whole place, or of some of its rooms."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("accounts.id", ondelete="SET NULL")
    )

    place: Mapped[Place] = relationship(back_populates="closures")
    rooms: Mapped[list[Room]] = relationship(secondary=closure_rooms, order_by="Room.id")

    @property
    def room_ids(self) -> list[int]:
        """Ids of the closed rooms; empty when the whole place is closed."""
        return [room.id for room in self.rooms]

    @property
    def zone(self) -> ZoneInfo:
        """The timezone of the closure's place."""
        return self.place.zone


class HostInvitation(Timestamped, Base):
    """An invitation to host a place, sent to an address: accepted by the mailed link (which
    proves the address) or from an account whose address is proven; 14 days, withdrawable."""

    __tablename__ = "host_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # Only the hash of the mailed link's token is kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship()

    def status_at(self, now: datetime) -> str:
        """pending, accepted, withdrawn or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "expired" if self.expires_at <= now else "pending"
