"""GET /availability: filters, limits, and agreement with a brute force on real rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from booking.errors import Conflict
from booking.extensions import db
from booking.models import Account, Booking, Closure, Place
from booking.services.authorization import Actor
from booking.services.booking.bookings import cancel_booking, create_booking
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.calendar.opening_hours import open_intervals
from booking.services.search.availability import AvailabilityFilter, find_availability
from tests.booking_helpers import AMSTERDAM, book, local, upcoming
from tests.factories import Factory
from tests.services.search.test_availability import brute_force
from tests.venue import Venue


def test_free_time_is_opening_hours_minus_bookings(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    book(client, venue.booker, venue.a, day, "10:00", "12:00")
    for start, end in (("08:00", "16:00"), ("16:00", "22:00")):
        assert book(client, venue.booker, venue.small, day, start, end).status_code == 201
    response = client.get(f"/api/v1/availability?place={venue.place}&from={day}&to={day}")
    assert response.status_code == 200, response.json
    by_room: dict[int, list[tuple[str, str]]] = {}
    for item in response.json:
        assert item["place_id"] == venue.place
        by_room.setdefault(item["room_id"], []).append((item["start"], item["end"]))
    open_day = [(local(day, "08:00"), local(day, "22:00"))]
    split = [(local(day, "08:00"), local(day, "10:00")), (local(day, "12:00"), local(day, "22:00"))]
    # The small room is taken all day, A is split, and so is the hall that contains it.
    assert by_room == {venue.a: split, venue.b: open_day, venue.hall: split}


def test_buffers_closures_and_filters(client: FlaskClient, venue: Venue) -> None:
    venue.policy(buffer_minutes=30)
    day = upcoming(14)
    book(client, venue.booker, venue.b, day, "12:00", "13:00")
    venue.make.closure(
        venue.place,
        datetime.fromisoformat(local(day, "18:00")),
        datetime.fromisoformat(local(day, "23:00")),
        room_ids=[venue.a],
    )

    def slots(query: str) -> list[tuple[int, str, str]]:
        response = client.get(f"/api/v1/availability?from={day}&to={day}&{query}")
        assert response.status_code == 200, response.json
        return [(i["room_id"], i["start"][11:16], i["end"][11:16]) for i in response.json]

    assert slots(f"room={venue.b}") == [(venue.b, "08:00", "11:30"), (venue.b, "13:30", "22:00")]
    assert slots(f"room={venue.a}") == [(venue.a, "08:00", "18:00")]
    assert slots(f"room={venue.hall}") == [
        (venue.hall, "08:00", "11:30"),
        (venue.hall, "13:30", "18:00"),
    ]
    assert {room for room, _, _ in slots(f"place={venue.place}&capacity=30")} == {venue.hall}
    assert slots(f"place={venue.place}&min_duration=660") == [(venue.small, "08:00", "22:00")]
    venue.make.run(lambda: _set_facilities(venue.small, ["beamer"]))
    assert {r for r, _, _ in slots(f"place={venue.place}&facilities=beamer")} == {venue.small}
    other = venue.make.neighbourhood()
    assert slots(f"neighbourhood={other}") == []


def _set_facilities(room_id: int, facilities: list[str]) -> None:
    from booking.models import Room

    room = db.session.get(Room, room_id)
    assert room is not None
    room.facilities = facilities
    db.session.commit()


def test_notice_and_horizon_clip_the_result(client: FlaskClient, venue: Venue) -> None:
    venue.policy(max_days_ahead=10)
    room = venue.make.room(venue.place, opening_hours="24/7")
    response = client.get(f"/api/v1/rooms/{room}/availability?to={upcoming(30)}")
    assert response.status_code == 200 and len(response.json) == 1
    (slot,) = response.json
    now = datetime.now(UTC)
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    assert now + timedelta(minutes=60) <= start <= now + timedelta(minutes=75)
    assert now + timedelta(days=10) - timedelta(minutes=15) <= end <= now + timedelta(days=10)


def test_limits_and_errors(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(3)
    too_long = client.get(f"/api/v1/availability?from={day}&to={day + timedelta(days=62)}")
    assert too_long.status_code == 422 and too_long.json["code"] == "range_too_long"
    assert (
        client.get(f"/api/v1/availability?from={day}&to={day + timedelta(days=61)}").status_code
        == 200
    )
    backwards = client.get(f"/api/v1/availability?from={day}&to={day - timedelta(days=1)}")
    assert backwards.status_code == 422
    for query in ("min_duration=0", "capacity=-1", "facilities=Not%20a%20slug", "room=0"):
        assert client.get(f"/api/v1/availability?{query}").status_code == 422, query
    assert client.get("/api/v1/rooms/999999/availability").status_code == 404
    paged = client.get(f"/api/v1/availability?place={venue.place}&page_size=2")
    assert len(paged.json) == 2 and json.loads(paged.headers["X-Pagination"])["total"] > 2


OPENINGS = ["24/7", "Mo-Su 08:00-22:00", "Mo-Su 22:00-03:00", "Mo-Sa 09:00-12:00,13:00-18:00"]
ROOMS = ("A", "B", "Hall", "C")
# The last Saturday of October 2026: the clocks go back in the night that follows.
DAY = datetime(2026, 10, 24, tzinfo=AMSTERDAM)
NOW = (DAY - timedelta(days=1)).astimezone(UTC)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opening=st.sampled_from(OPENINGS),
    buffer=st.sampled_from([0, 15, 30]),
    bookings=st.lists(
        st.tuples(
            st.sampled_from(ROOMS),
            st.integers(0, 2 * 96 - 1),
            st.integers(2, 16),
            st.booleans(),
        ),
        max_size=10,
    ),
    closure=st.one_of(
        st.none(),
        st.tuples(st.sampled_from([None, "A", "Hall"]), st.integers(0, 150), st.integers(1, 40)),
    ),
)
def test_availability_matches_a_brute_force_on_real_rows(
    make: Factory,
    opening: str,
    buffer: int,
    bookings: list[tuple[str, int, int, bool]],
    closure: tuple[str | None, int, int] | None,
) -> None:
    quarter = timedelta(minutes=15)
    start, end = DAY.astimezone(UTC), (DAY + timedelta(days=2)).astimezone(UTC)
    policy = {**DEFAULT_POLICY, "buffer_minutes": buffer, "max_active_bookings": 1000}
    place = make.place(opening_hours=opening, policy=policy)
    a, b = make.room(place, name="A"), make.room(place, name="B")
    ids = {"A": a, "B": b, "Hall": make.room(place, name="Hall", part_ids=[a, b])}
    ids["C"] = make.room(place, name="C")
    atoms = {"A": {a}, "B": {b}, "Hall": {a, b}, "C": {ids["C"]}}
    admin = make.account(admin=True)
    closed: list[tuple[Any, set[int]]] = []
    if closure:
        which, offset, length = closure
        span = (start + offset * quarter, start + (offset + length) * quarter)
        make.closure(place, *span, room_ids=[ids[which]] if which else None)
        closed.append((span, atoms[which] if which else set()))

    def fill() -> list[tuple[set[int], Any, int]]:
        actor = Actor(db.session.get(Account, admin.id), frozenset({"book", "admin", "manage"}))
        kept = []
        for room, offset, length, cancel in bookings:
            slot_start = start + offset * quarter
            data = {
                "room_id": ids[room],
                "start": slot_start,
                "end": slot_start + length * quarter,
                "title": "Willekeurig",
                "outside_opening_hours": True,
            }
            try:
                booking = create_booking(actor, data, now=NOW)
            except Conflict:
                continue
            db.session.flush()
            if cancel:
                cancel_booking(actor, booking.id, now=NOW)
            else:
                kept.append((atoms[room], (booking.start, booking.end), booking.buffer_minutes))
        db.session.commit()
        return kept

    try:
        active = make.run(fill)
        found = make.run(
            lambda: find_availability(
                AvailabilityFilter(from_=start, to=end, place=(place,)), now=NOW
            )
        )
        opened = open_intervals(opening, AMSTERDAM, start, end)
        for name, room_id in ids.items():
            room_atoms = atoms[name]
            expected = brute_force(
                opened,
                [
                    span
                    for span, closed_atoms in closed
                    if not closed_atoms or closed_atoms & room_atoms
                ],
                [
                    (s, e + timedelta(minutes=stored_buffer))
                    for other_atoms, (s, e), stored_buffer in active
                    if other_atoms & room_atoms
                ],
                timedelta(minutes=buffer),
                max(start, NOW + timedelta(minutes=60)),
                end,
                AMSTERDAM,
                15,
                timedelta(minutes=30),
                start,
                end,
            )
            got = [(slot.start, slot.end) for slot in found if slot.room_id == room_id]
            assert got == expected, name
    finally:
        make.run(lambda: _drop_place(place))


def _drop_place(place_id: int) -> None:
    db.session.execute(delete(Booking).where(Booking.place_id == place_id))
    db.session.execute(delete(Closure).where(Closure.place_id == place_id))
    db.session.execute(delete(Place).where(Place.id == place_id))
    db.session.commit()
