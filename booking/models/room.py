"""Rooms, and the parts of combinable rooms."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, Timestamped, UTCDateTime, utcnow
from booking.models.place import Place

room_parts = Table(
    "room_parts",
    Base.metadata,
    Column("room_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("created_at", UTCDateTime, default=utcnow, nullable=False),
)


class Room(Timestamped, Base):
    """A bookable room; a combinable room consists of atomic parts."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int]
    facilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None means: the place's opening hours apply.
    opening_hours: Mapped[str | None] = mapped_column(String(1000))
    # Only the keys that override the place's policy.
    policy_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bookable: Mapped[bool] = mapped_column(default=True)
    # Rises when the name changes: the LOCATION of its events changes with it.
    feed_revision: Mapped[int] = mapped_column(default=0)
    feed_revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship(back_populates="rooms")
    parts: Mapped[list[Room]] = relationship(
        secondary=room_parts,
        primaryjoin=lambda: Room.id == room_parts.c.room_id,
        secondaryjoin=lambda: Room.id == room_parts.c.part_id,
        back_populates="combinations",
        order_by=lambda: Room.id,
    )
    combinations: Mapped[list[Room]] = relationship(
        secondary=room_parts,
        primaryjoin=lambda: Room.id == room_parts.c.part_id,
        secondaryjoin=lambda: Room.id == room_parts.c.room_id,
        back_populates="parts",
        order_by=lambda: Room.id,
    )

    @property
    def part_ids(self) -> list[int]:
        """Ids of the parts this room combines; empty for an atomic room."""
        return [part.id for part in self.parts]

    @property
    def effective_opening_hours(self) -> str:
        """The room's own opening hours, or its place's."""
        return self.opening_hours if self.opening_hours is not None else self.place.opening_hours

    @property
    def policy(self) -> dict[str, Any]:
        """The room's own policy overrides (the API field `policy`)."""
        return self.policy_overrides

    @property
    def effective_policy(self) -> dict[str, Any]:
        """The place's policy with the room's overrides applied."""
        return {**self.place.policy, **self.policy_overrides}

    @property
    def place_name(self) -> str:
        """The name of the room's place."""
        return self.place.name

    @property
    def zone(self) -> ZoneInfo:
        """The timezone of the room's place."""
        return self.place.zone
