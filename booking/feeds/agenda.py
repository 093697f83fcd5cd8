"""What everyone may see of a place's, neighbourhood's or initiative's coming days, for the
pages: the same events the public feeds carry, in a shorter window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from booking.computed import ROWS_TTL_SECONDS, many_once_per_version, once_per_version
from booking.extensions import db
from booking.feeds.render import FeedEvent
from booking.feeds.sources import closed_days, public_event
from booking.models import Booking, Place
from booking.models.booking import CONFIRMED
from booking.services.search.answers import data_version
from booking.services.search.availability import AvailabilityFilter
from booking.services.signups.quotas import counts_of

MAX_ACTIVITIES = 60


@dataclass(frozen=True)
class Activity:
    """A coming booking as everyone may see it, with where it is."""

    event: FeedEvent
    place: Place
    room: str
    booking_id: int
    # Places left, for a public activity that takes sign-ups (None: walk-in or private).
    places_left: int | None = None
    waitlist: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The place's timezone, in which its times are shown."""
        return self.place.zone


def coming_activities(
    conditions: list[ColumnElement[bool]],
    now: datetime,
    days: int = 14,
    limit: int = MAX_ACTIVITIES,
) -> list[Activity]:
    """Confirmed bookings matching `conditions` from now on, as the public feeds show them.

    A private booking comes back as a busy block without title or description.
    """
    rows = db.session.scalars(
        select(Booking)
        .where(*_coming(conditions, now, days))
        .options(*_SHOWN)
        .order_by(Booking.start, Booking.id)
        .limit(limit)
    )
    return _activities(list(rows), now)


_SHOWN = (selectinload(Booking.room), selectinload(Booking.place))


def _coming(
    conditions: list[ColumnElement[bool]], now: datetime, days: int
) -> list[ColumnElement[bool]]:
    return [
        *conditions,
        Booking.status == CONFIRMED,
        Booking.end > now,
        Booking.start < now + timedelta(days=days),
    ]


def kept_activities(
    now: datetime,
    days: int,
    limit: int,
    places: tuple[int, ...] = (),
    public_only: bool = True,
) -> list[Activity]:
    """`coming_activities` of the places (every place when none are named), the same rows
    read for less: each place's first `limit` are kept per version of that place's data
    and the minute, so a booking makes only its own place's list be asked again, and
    their merge is kept under all the stamps. Each call reads the shown rows and their
    sign-up counts."""
    minute = now.replace(second=0, microsecond=0)
    stamps = data_version(AvailabilityFilter(place=places))
    visible = [Booking.visibility == "public"] if public_only else []

    def first_of(place_ids: list[int]) -> dict[int, list[list[int]]]:
        # As of the minute's start; one that has ended since is left out when loaded.
        found: dict[int, list[list[int]]] = {place_id: [] for place_id in place_ids}
        rows = db.session.execute(
            select(Booking.place_id, Booking.id, Booking.start)
            .where(*_coming(visible, minute, days), Booking.place_id.in_(place_ids))
            .order_by(Booking.start, Booking.id)
        )
        for place_id, booking_id, start in rows:
            if len(found[place_id]) < limit:
                found[place_id].append([int(start.timestamp()), booking_id])
        return found

    def merged() -> list[int]:
        versions = {
            place_id: [place_id, stamp, minute.isoformat(), days, limit, public_only]
            for place_id, stamp in stamps
        }
        kept = many_once_per_version("place-activities", versions, first_of, ttl=ROWS_TTL_SECONDS)
        return [booking_id for _, booking_id in sorted(chain(*kept.values()))[:limit]]

    # The merge itself is kept for all the places' stamps: a visit with nothing changed
    # asks the store once.
    every = [stamps, minute.isoformat(), days, limit, public_only]
    wanted = once_per_version("merged-activities", every, merged, ttl=ROWS_TTL_SECONDS)
    if not wanted:
        return []
    rows = db.session.scalars(
        select(Booking).where(Booking.id.in_(wanted), Booking.end > now).options(*_SHOWN)
    ).all()
    order = {booking_id: n for n, booking_id in enumerate(wanted)}
    return _activities(sorted(rows, key=lambda row: order[row.id]), now)


def _activities(found: list[Booking], now: datetime) -> list[Activity]:
    taken = counts_of(
        [row.id for row in found if row.signup_capacity is not None and row.visibility == "public"]
    )
    return [
        Activity(
            public_event(row, now),
            row.place,
            row.room.name,
            row.id,
            max((row.signup_capacity or 0) - taken[row.id].taken, 0) if row.id in taken else None,
            row.signup_waitlist,
        )
        for row in found
    ]


def coming_closures(place: Place, now: datetime, days: int = 56) -> list[FeedEvent]:
    """The place's closures and public holidays in the coming `days`, by first day."""
    events = closed_days(place, None, now, now + timedelta(days=days))
    return sorted(events, key=lambda event: (event.day or event.start.date(), event.uid))
