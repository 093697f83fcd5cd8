"""What each feed shows: a cheap version (for ETag and Last-Modified) and its events.

Every feed is computed as of a time bucket (the hour, or the day for public booking
feeds), so its content is a function of the data and the bucket, and the version can be
known without rendering it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import selectinload

from booking.config import DEFAULT_TIMEZONE
from booking.extensions import db
from booking.feeds.render import FeedEvent, FeedInfo
from booking.models import (
    Account,
    Booking,
    BookingEvent,
    Closure,
    FeedToken,
    Initiative,
    Neighbourhood,
    Place,
    Room,
    utcnow,
)
from booking.models.booking import CANCELLED, CONFIRMED, PENDING
from booking.services.availability import AvailabilityFilter, find_availability
from booking.services.common import get_or_404
from booking.services.rooms import atom_ids

PAST = timedelta(days=30)
AHEAD = timedelta(days=365)
# Cancelled (and declined, expired) events stay this long, then leave the feed.
CANCELLED_KEPT = timedelta(days=30)
AVAILABILITY_DAYS = 56
UID_DOMAIN = "wijkruimte"
STATUS = {CONFIRMED: "CONFIRMED", PENDING: "TENTATIVE"}


@dataclass(frozen=True)
class Feed:
    """A feed as of its time bucket: identity, version, and how to produce its events."""

    info: FeedInfo
    version: tuple[Any, ...]
    last_modified: datetime
    private: bool
    events: Callable[[], list[FeedEvent]]

    @property
    def etag(self) -> str:
        """A strong validator: the same version always renders the same bytes."""
        return hashlib.sha256(repr(self.version).encode()).hexdigest()[:32]


def _bucket(now: datetime, size: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch + ((now - epoch) // size) * size


def _latest(*stamps: datetime | None) -> datetime:
    return max(stamp for stamp in stamps if stamp is not None)


def _location(booking: Booking) -> str:
    place = booking.place
    parts = [booking.room.name, place.name, place.street, f"{place.postcode} {place.city}"]
    return ", ".join(part.strip() for part in parts if part.strip())


def booking_uid(booking_id: int) -> str:
    """The UID of a booking in every feed: stable for the booking's life."""
    return f"booking-{booking_id}@{UID_DOMAIN}"


def _status(booking: Booking, now: datetime) -> str:
    return STATUS.get(booking.status_at(now), "CANCELLED")


def public_event(booking: Booking, now: datetime) -> FeedEvent:
    """A booking as everyone may see it: a private one is only a busy block."""
    private = booking.visibility == "private"
    return FeedEvent(
        uid=booking_uid(booking.id),
        start=booking.start,
        end=booking.end,
        summary="Busy" if private else booking.title,
        description="" if private else booking.description,
        location=_location(booking),
        status=_status(booking, now),
        sequence=booking.sequence,
        stamp=booking.updated_at,
        confidential=private,
    )


def involved_event(booking: Booking, now: datetime, host_view: bool) -> FeedEvent:
    """A booking as its booker or host sees it; hosts also get the booker's contact."""
    lines = [booking.description] if booking.description else []
    if host_view:
        booker = booking.booked_by
        lines.append(f"Booked by {booker.name} <{booker.email}>")
        lines.append(f"Status: {booking.status_at(now)}")
    return FeedEvent(
        uid=booking_uid(booking.id),
        start=booking.start,
        end=booking.end,
        summary=booking.title,
        description="\n".join(lines),
        location=_location(booking),
        status=_status(booking, now),
        sequence=booking.sequence,
        stamp=booking.updated_at,
    )


def _in_window(now: datetime) -> list[ColumnElement[bool]]:
    return [Booking.start < now + AHEAD, Booking.end > now - PAST]


def _public_rows(now: datetime) -> ColumnElement[bool]:
    """Confirmed bookings, and recently cancelled ones that had been confirmed."""
    was_confirmed = exists().where(
        BookingEvent.booking_id == Booking.id, BookingEvent.to_status == CONFIRMED
    )
    return or_(
        Booking.status == CONFIRMED,
        (Booking.status == CANCELLED)
        & (Booking.updated_at >= now - CANCELLED_KEPT)
        & was_confirmed,
    )


def _involved_rows(now: datetime) -> ColumnElement[bool]:
    """Active bookings, and recently ended requests and bookings (shown as cancelled)."""
    return or_(
        Booking.status.in_([PENDING, CONFIRMED]),
        Booking.updated_at >= now - CANCELLED_KEPT,
    )


def _version(
    conditions: list[ColumnElement[bool]], place_ids: ColumnElement[bool] | None = None
) -> tuple[int, datetime | None, datetime | None, datetime | None]:
    """In one query: how many bookings, their last change, and the places' and rooms' last
    change (names and addresses are in the feed)."""
    columns: list[Any] = [func.count(Booking.id), func.max(Booking.updated_at)]
    if place_ids is not None:
        columns.append(select(func.max(Place.updated_at)).where(place_ids).scalar_subquery())
        columns.append(
            select(func.max(Room.updated_at))
            .join(Place, Room.place_id == Place.id)
            .where(place_ids)
            .scalar_subquery()
        )
    row = db.session.execute(select(*columns).where(*conditions)).one()
    stamps = (row[2], row[3]) if place_ids is not None else (None, None)
    return int(row[0]), row[1], *stamps


def _rows(conditions: list[ColumnElement[bool]]) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(*conditions)
            .options(
                selectinload(Booking.room),
                selectinload(Booking.place),
                selectinload(Booking.booked_by),
            )
            .order_by(Booking.start, Booking.id)
        )
    )


def _public_feed(
    key: tuple[Any, ...],
    info: FeedInfo,
    conditions: list[ColumnElement[bool]],
    place_ids: ColumnElement[bool],
    now: datetime,
) -> Feed:
    day = _bucket(now, timedelta(days=1))
    conditions = [*conditions, *_in_window(day), _public_rows(day)]
    count, latest, *stamps = _version(conditions, place_ids)
    return Feed(
        info=info,
        version=(*key, day, count, latest, *stamps),
        last_modified=_latest(day, latest, *stamps),
        private=False,
        events=lambda: [public_event(b, day) for b in _rows(conditions)],
    )


def place_feed(place_id: int, now: datetime | None = None) -> Feed:
    """Confirmed bookings at a place; private ones as busy blocks."""
    place = get_or_404(Place, place_id)
    info = FeedInfo(f"{place.name}: bookings", place.timezone, f"Bookings at {place.name}.")
    return _public_feed(
        ("place", place.id),
        info,
        [Booking.place_id == place.id],
        Place.id == place.id,
        now or utcnow(),
    )


def room_feed(room_id: int, now: datetime | None = None) -> Feed:
    """Confirmed bookings that occupy a room: its own, and those of rooms sharing a part."""
    room = get_or_404(Room, room_id)
    atoms = atom_ids(room)
    related = [other.id for other in room.place.rooms if atoms & atom_ids(other)]
    info = FeedInfo(
        f"{room.name}, {room.place.name}",
        room.place.timezone,
        f"Bookings that occupy {room.name} at {room.place.name}.",
    )
    return _public_feed(
        ("room", room.id, tuple(sorted(related))),
        info,
        [Booking.room_id.in_(related)],
        Place.id == room.place_id,
        now or utcnow(),
    )


def neighbourhood_feed(neighbourhood_id: int, now: datetime | None = None) -> Feed:
    """Public confirmed activities at every place in a neighbourhood."""
    neighbourhood = get_or_404(Neighbourhood, neighbourhood_id)
    places = select(Place.id).where(Place.neighbourhood_id == neighbourhood.id)
    info = FeedInfo(
        f"{neighbourhood.name}: activities",
        DEFAULT_TIMEZONE,
        f"Public activities in {neighbourhood.name}, {neighbourhood.city}.",
    )
    return _public_feed(
        ("neighbourhood", neighbourhood.id, neighbourhood.updated_at),
        info,
        [Booking.place_id.in_(places), Booking.visibility == "public"],
        Place.neighbourhood_id == neighbourhood.id,
        now or utcnow(),
    )


def initiative_feed(initiative_id: int, now: datetime | None = None) -> Feed:
    """Public confirmed activities of an initiative, wherever they take place."""
    initiative = get_or_404(Initiative, initiative_id)
    places = select(Booking.place_id).where(Booking.initiative_id == initiative.id)
    info = FeedInfo(
        initiative.title, DEFAULT_TIMEZONE, f"Activities of the initiative {initiative.title}."
    )
    return _public_feed(
        ("initiative", initiative.id, initiative.updated_at),
        info,
        [Booking.initiative_id == initiative.id, Booking.visibility == "public"],
        Place.id.in_(places),
        now or utcnow(),
    )


def availability_feed(
    *,
    place_id: int | None = None,
    neighbourhood_id: int | None = None,
    min_duration: int | None = None,
    now: datetime | None = None,
) -> Feed:
    """Free slots for the next eight weeks, as transparent events."""
    hour = _bucket(now or utcnow(), timedelta(hours=1))
    if place_id is not None:
        place = get_or_404(Place, place_id)
        where: ColumnElement[bool] = Place.id == place.id
        title, zone = place.name, place.timezone
    elif neighbourhood_id is not None:
        neighbourhood = get_or_404(Neighbourhood, neighbourhood_id)
        where = Place.neighbourhood_id == neighbourhood.id
        title, zone = neighbourhood.name, DEFAULT_TIMEZONE
    else:
        raise ValueError("an availability feed is for a place or a neighbourhood")
    places = select(Place.id).where(where)
    end = hour + timedelta(days=AVAILABILITY_DAYS)
    bookings = _version(
        [Booking.place_id.in_(places), Booking.start < end + timedelta(days=1), Booking.end > hour],
        where,
    )
    closures = db.session.execute(
        select(func.count(Closure.id), func.max(Closure.updated_at)).where(
            Closure.place_id.in_(places), Closure.start < end, Closure.end > hour
        )
    ).one()
    filters = AvailabilityFilter(
        from_=hour,
        to=end,
        min_duration=min_duration,
        place=(place_id,) if place_id is not None else (),
        neighbourhood=(neighbourhood_id,) if neighbourhood_id is not None else (),
    )

    def events() -> list[FeedEvent]:
        rooms = {
            room.id: room for room in db.session.scalars(select(Room).join(Place).where(where))
        }
        return [
            FeedEvent(
                uid=f"free-{slot.room_id}-{slot.start:%Y%m%dT%H%M%SZ}@{UID_DOMAIN}",
                start=slot.start,
                end=slot.end,
                summary=f"Free: {rooms[slot.room_id].name}",
                location=f"{rooms[slot.room_id].name}, {rooms[slot.room_id].place.name}",
                stamp=hour,
                status="",
                transparent=True,
            )
            for slot in find_availability(filters, now=hour)
        ]

    return Feed(
        info=FeedInfo(f"{title}: free rooms", zone, f"Free rooms at {title}, next 8 weeks."),
        version=(
            "free",
            place_id,
            neighbourhood_id,
            min_duration,
            hour,
            *bookings,
            *closures,
        ),
        last_modified=_latest(hour, bookings[1], closures[1], *bookings[2:]),
        private=False,
        events=events,
    )


def private_feed(token: FeedToken, now: datetime | None = None) -> Feed:
    """Everything the token's owner may see: own bookings, and (hosts) their places'."""
    hour = _bucket(now or utcnow(), timedelta(hours=1))
    account: Account = token.account
    hosted = account.hosted_place_ids if token.include_hosted else []
    mine = Booking.booked_by_id == account.id
    scope = or_(mine, Booking.place_id.in_(hosted)) if hosted else mine
    conditions = [scope, *_in_window(hour), _involved_rows(hour)]
    count, latest, *stamps = _version(conditions, Place.id.in_(hosted) if hosted else None)
    hosted_set = set(hosted)

    def events() -> list[FeedEvent]:
        return [
            involved_event(b, hour, host_view=b.place_id in hosted_set) for b in _rows(conditions)
        ]

    return Feed(
        info=FeedInfo(
            f"Wijkruimte: {account.name}",
            DEFAULT_TIMEZONE,
            "Your bookings" + (" and the requests at the places you host." if hosted else "."),
        ),
        version=("private", token.id, hour, count, latest, account.updated_at, *stamps),
        last_modified=_latest(hour, latest, account.updated_at, *stamps),
        private=True,
        events=events,
    )
