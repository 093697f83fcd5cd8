"""Helpers for booking tests: local times of Amsterdam as the API wants them, and requests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from booking.models import utcnow
from tests.factories import Caller

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(day: date, clock: str) -> str:
    """RFC 3339 for a wall-clock time in Amsterdam, with that moment's offset."""
    hours, minutes = map(int, clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=AMSTERDAM).isoformat()


def upcoming(days: int = 14, weekday: int | None = None) -> date:
    """A local date `days` from today, moved forward to `weekday` (0 = Monday) if given."""
    day = utcnow().astimezone(AMSTERDAM).date() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def book(
    client: FlaskClient,
    caller: Caller | None,
    room: int,
    day: date,
    start: str,
    end: str,
    **fields: Any,
) -> TestResponse:
    """POST /bookings for [start, end) local time on `day`."""
    body = {
        "room_id": room,
        "start": local(day, start),
        "end": local(day, end),
        "title": fields.pop("title", "Taalcafé"),
        **fields,
    }
    headers = caller.headers if caller else {}
    return client.post("/api/v1/bookings", json=body, headers=headers)


def book_weekly(
    client: FlaskClient,
    caller: Caller,
    room: int,
    first: date,
    start: str,
    end: str,
    weeks: int,
    **fields: Any,
) -> TestResponse:
    """POST /series: `weeks` weekly dates from `first`, [start, end) local time."""
    body = {
        "room_id": room,
        "start": local(first, start),
        "end": local(first, end),
        "rrule": f"FREQ=WEEKLY;COUNT={weeks}",
        "title": fields.pop("title", "Taalcafé"),
        **fields,
    }
    return client.post("/api/v1/series", json=body, headers=caller.headers)


def shift_booking(make: Any, booking_id: int, start: datetime, hours: float) -> None:
    """Put a booking at another time straight in the database (a test that needs it started
    or long over), its SEQUENCE raised as any move raises it."""
    from sqlalchemy import update

    from booking.extensions import db
    from booking.models import Booking

    def move() -> None:
        db.session.execute(
            update(Booking)
            .where(Booking.id == booking_id)
            .values(
                start=start,
                end=start + timedelta(hours=hours),
                sequence=Booking.sequence + 1,
            )
        )
        db.session.commit()

    make.run(move)
