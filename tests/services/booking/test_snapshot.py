"""The one-statement read of a booking check equals what its three separate reads gave."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, or_, select

from booking.extensions import db
from booking.models import Booking, Occupancy, Room
from booking.models.base import epoch_seconds
from booking.models.booking import CONFIRMED, PENDING
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.booking.snapshot import read_snapshot
from booking.services.calendar.calendar import load_calendar
from booking.services.calendar.intervals import seconds
from tests.booking_helpers import AMSTERDAM, book, upcoming
from tests.factories import Factory


def active_bookings_of(account_id: int, place_id: int, now: datetime, exclude: int | None) -> int:
    """The quota count as its own query: the booker's active bookings that have not ended."""
    stmt = select(func.count(Booking.id)).where(
        Booking.booked_by_id == account_id,
        Booking.place_id == place_id,
        Booking.end > now,
        or_(Booking.status == CONFIRMED, (Booking.status == PENDING) & (Booking.start > now)),
    )
    if exclude is not None:
        stmt = stmt.where(Booking.id != exclude)
    return int(db.session.scalar(stmt) or 0)


def test_the_snapshot_reads_what_the_calendar_and_the_count_read(
    clean_app: Flask, client: FlaskClient, make: Factory
) -> None:
    place = make.place(opening_hours="Mo-Su 08:00-22:00")
    part_a, part_b = make.room(place), make.room(place)
    hall = make.room(place, part_ids=[part_a, part_b])
    other = make.room(place)
    booker, someone = make.account(), make.account()
    day = upcoming(days=3)
    assert book(client, booker, part_a, day, "09:00", "10:00").status_code == 201
    assert book(client, someone, part_b, day, "11:00", "12:00").status_code == 201
    assert book(client, booker, other, day, "09:00", "10:00").status_code == 201
    mine = book(client, booker, hall, day, "13:00", "14:00").json["id"]  # type: ignore[index]
    morning = datetime.combine(day, time(8), tzinfo=AMSTERDAM)
    # Closing the hall closes both parts; closing one part closes the hall; a whole-place
    # closure closes everything; a closure of the other room closes none of these.
    make.closure(place, morning + timedelta(hours=6), morning + timedelta(hours=7), [hall])
    make.closure(place, morning + timedelta(hours=8), morning + timedelta(hours=9), [part_b])
    make.closure(place, morning + timedelta(hours=10), morning + timedelta(hours=11))
    make.closure(place, morning + timedelta(hours=12), morning + timedelta(hours=13), [other])
    start, end = morning.astimezone(UTC), (morning + timedelta(hours=14)).astimezone(UTC)
    now = datetime.now(UTC)
    with clean_app.app_context():
        for room_id in (hall, part_a, part_b):
            room = db.session.get(Room, room_id)
            assert room is not None
            for exclude in (None, mine):
                snapshot = read_snapshot(room, start, end, booker.id, now, exclude)
                separate = load_calendar(room.place, start, end, snapshot.calendar.atoms(room))
                assert sorted(snapshot.calendar.blocked(room, exclude)) == sorted(
                    separate.blocked(room, exclude)
                )
                assert sorted(snapshot.calendar.closed(room)) == sorted(separate.closed(room))
                assert snapshot.calendar.closure_reasons == separate.closure_reasons
                assert snapshot.active_bookings == active_bookings_of(
                    booker.id, place, now, exclude
                )
        hall_room = db.session.get(Room, hall)
        assert hall_room is not None
        snapshot = read_snapshot(hall_room, start, end, booker.id, now)
        assert snapshot.active_bookings == 3
        assert len(snapshot.calendar.closed(hall_room)) == 3  # not the other room's
        reserved = read_snapshot(hall_room, start, end, booker.id, now, reserve_id=True)
        if db.engine.dialect.name == "postgresql":
            assert reserved.reserved_id is not None and reserved.reserved_id > mine
        else:
            assert reserved.reserved_id is None  # SQLite's insert assigns it
        db.session.rollback()


def test_the_database_reads_instants_as_epoch_seconds(
    clean_app: Flask, client: FlaskClient, make: Factory
) -> None:
    policy = {**DEFAULT_POLICY, "max_days_ahead": 365}
    place = make.place(opening_hours="Mo-Su 08:00-22:00", policy=policy)
    room = make.room(place)
    booker = make.account()
    # One day in winter time and one in summer time: the stored instant is UTC either way.
    for days in (3, 190):
        day = upcoming(days=days)
        assert book(client, booker, room, day, "09:15", "10:45").status_code == 201
    with clean_app.app_context():
        rows = db.session.execute(
            select(
                Occupancy.start,
                Occupancy.end,
                epoch_seconds(Occupancy.start),
                epoch_seconds(Occupancy.end),
            )
        ).all()
        assert len(rows) == 2
        for start, end, start_seconds, end_seconds in rows:
            assert (start_seconds, end_seconds) == (seconds(start), seconds(end))
            assert isinstance(start_seconds, int)
