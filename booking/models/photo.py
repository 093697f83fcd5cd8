"""Photos of a place ("kijk alvast binnen", DESIGN §16): each kept re-encoded at fixed widths
in the database, so every app server serves them and an export carries them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, UTCDateTime, utcnow


class PlacePhoto(Base):
    """One photo of a place: its alt text, its place in the order, and its size."""

    __tablename__ = "place_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    alt: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    # The photo as shown upright (after its orientation tag), before any scaling.
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list[PhotoFile]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="select"
    )


class PhotoFile(Base):
    """One rendition of a photo at a fixed width: the bytes served, and their strong ETag."""

    __tablename__ = "photo_files"

    photo_id: Mapped[int] = mapped_column(
        ForeignKey("place_photos.id", ondelete="CASCADE"), primary_key=True
    )
    # The rendition's name in its URL (480 or 1280); the image may be narrower.
    width: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    etag: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
