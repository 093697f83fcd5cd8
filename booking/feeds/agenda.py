"""What everyone may see of a place's, neighbourhood's or initiative's coming days, for the
pages: the same events the public feeds carry, in a shorter window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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
from booking.services.signups.quotas import Counts, counts_of

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


@dataclass(frozen=True)
class Coming:
    """A kept coming activity: enough to tell whether it is still shown, whose place's
    data it shows, and whether it counts sign-ups, without loading it."""

    booking_id: int
    place_id: int
    end: int  # epoch seconds
    takes_signups: bool
    # The version of its place's data it was read under (its feed stamp).
    stamp: str


def kept_coming(
    now: datetime,
    days: int,
    limit: int,
    places: tuple[int, ...] = (),
    public_only: bool = True,
) -> list[Coming]:
    """The first `limit` of `coming_activities` of the places (every place when none are
    named), read from the store: each place's are kept per version of that place's data
    and the minute, so a booking makes only its own place's list be asked again, and their
    merge is kept under all the stamps. Nothing of the bookings is loaded."""
    minute = now.replace(second=0, microsecond=0)
    stamps = data_version(AvailabilityFilter(place=places))
    visible = [Booking.visibility == "public"] if public_only else []

    def first_of(place_ids: list[int]) -> dict[int, list[list[int]]]:
        # As of the minute's start; one that has ended since is left out below.
        found: dict[int, list[list[int]]] = {place_id: [] for place_id in place_ids}
        rows = db.session.execute(
            select(
                Booking.place_id,
                Booking.id,
                Booking.start,
                Booking.end,
                Booking.signup_capacity.is_not(None) & (Booking.visibility == "public"),
            )
            .where(*_coming(visible, minute, days), Booking.place_id.in_(place_ids))
            .order_by(Booking.start, Booking.id)
        )
        for place_id, booking_id, start, end, takes_signups in rows:
            if len(found[place_id]) < limit:
                found[place_id].append(
                    [int(start.timestamp()), booking_id, int(end.timestamp()), int(takes_signups)]
                )
        return found

    def merged() -> list[list[int]]:
        versions = {
            place_id: [place_id, stamp, minute.isoformat(), days, limit, public_only]
            for place_id, stamp in stamps
        }
        kept = many_once_per_version("coming-activities", versions, first_of, ttl=ROWS_TTL_SECONDS)
        return sorted(
            [start, booking_id, end, takes_signups, place_id]
            for place_id, rows in kept.items()
            for start, booking_id, end, takes_signups in rows
        )[:limit]

    # The merge itself is kept for all the places' stamps: a visit with nothing changed
    # asks the store once.
    every = [stamps, minute.isoformat(), days, limit, public_only]
    wanted = once_per_version("merged-coming-activities", every, merged, ttl=ROWS_TTL_SECONDS)
    second = now.timestamp()
    stamp_of = dict(stamps)
    return [
        Coming(booking_id, place_id, end, bool(takes_signups), stamp_of[place_id])
        for _, booking_id, end, takes_signups, place_id in wanted
        if end > second
    ]


def activities_of(
    coming: list[Coming], now: datetime, counts: dict[int, Counts] | None = None
) -> list[Activity]:
    """The kept activities loaded and shown as the public feeds show them, in their order
    (`counts`: their sign-up counts, when the caller read them already)."""
    if not coming:
        return []
    rows = db.session.scalars(
        select(Booking).where(Booking.id.in_([c.booking_id for c in coming])).options(*_SHOWN)
    ).all()
    order = {c.booking_id: n for n, c in enumerate(coming)}
    return _activities(sorted(rows, key=lambda row: order[row.id]), now, counts)


def _activities(
    found: list[Booking], now: datetime, counts: dict[int, Counts] | None = None
) -> list[Activity]:
    taken = counts
    if taken is None:
        taken = counts_of(
            [
                row.id
                for row in found
                if row.signup_capacity is not None and row.visibility == "public"
            ]
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
