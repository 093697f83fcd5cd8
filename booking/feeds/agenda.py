"""What everyone may see of a place's, neighbourhood's or initiative's coming days, for the
pages: the same events the public feeds carry, in a shorter window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.feeds.render import FeedEvent
from booking.feeds.sources import closed_days, public_event
from booking.models import Booking, Place
from booking.models.booking import CONFIRMED
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
        .where(
            *conditions,
            Booking.status == CONFIRMED,
            Booking.end > now,
            Booking.start < now + timedelta(days=days),
        )
        .options(selectinload(Booking.room), selectinload(Booking.place))
        .order_by(Booking.start, Booking.id)
        .limit(limit)
    )
    found = list(rows)
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
