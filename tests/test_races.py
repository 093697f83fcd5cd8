"""Races for unique keys and for the booking quota, against gunicorn with 4 workers.

Each lost race must be the answer the rules give (409, 422), never a 500. Both databases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Booking, Place
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import local, upcoming
from tests.factories import Factory
from tests.gunicorn import gunicorn
from tests.http import all_at_once, send


@pytest.fixture
def server(clean_app: Flask, database_url: str) -> Iterator[str]:
    """gunicorn with 4 sync workers on the test database; its base URL."""
    env = {"BOOKING_DATABASE_URL": database_url, "BOOKING_RATELIMIT_ENABLED": "false"}
    with gunicorn(env, workers=4) as base:
        yield base


def test_parallel_sign_ups_with_one_email(server: str) -> None:
    for round_no in range(3):
        body = {"name": "Ann", "email": f"ann{round_no}@example.nl"}
        answers = all_at_once(8, lambda i, b=body: send("POST", f"{server}/api/v1/accounts", b))
        codes = Counter(status for status, _, _ in answers)
        assert codes == {201: 1, 409: 7}, answers
        assert all(body["code"] == "email_taken" for status, _, body in answers if status == 409), (
            answers
        )


def test_parallel_places_with_one_name_get_distinct_slugs(server: str, make: Factory) -> None:
    admin = make.account(admin=True)
    body = {"name": "Huiskamer Oost", "kind": "huiskamer"}
    answers = all_at_once(
        12, lambda i: send("POST", f"{server}/api/v1/places", body, admin.headers)
    )
    assert [status for status, _, _ in answers] == [201] * 12, answers
    slugs = {body["slug"] for _, _, body in answers}
    assert len(slugs) == 12 and "huiskamer-oost" in slugs
    assert make.run(lambda: db.session.scalar(select(func.count(Place.id)))) == 12


def test_the_quota_holds_under_concurrent_bookings(server: str, make: Factory) -> None:
    place = make.place(opening_hours="24/7", policy={**DEFAULT_POLICY, "max_active_bookings": 2})
    rooms = [make.room(place, name=f"Zaal {i}") for i in range(3)]
    first_day = upcoming(7)
    for round_no in range(4):
        booker = make.account(name=f"Booker {round_no}")
        day = first_day + timedelta(days=round_no)
        bodies = [
            {
                "room_id": rooms[i % 3],
                "start": local(day, f"{8 + i}:00"),
                "end": local(day, f"{8 + i}:30"),
                "title": f"Poging {i}",
            }
            for i in range(12)
        ]
        answers = all_at_once(
            12,
            lambda i, b=bodies, c=booker: send(
                "POST", f"{server}/api/v1/bookings", b[i], c.headers
            ),
        )
        codes = Counter(status for status, _, _ in answers)
        assert codes == {201: 2, 422: 10}, (round_no, answers)
        assert all(b["code"] == "quota_exceeded" for s, _, b in answers if s == 422)
        held = make.run(
            lambda c=booker: db.session.scalar(
                select(func.count(Booking.id)).where(Booking.booked_by_id == c.id)
            )
        )
        assert held == 2


def test_a_rush_for_the_last_places_never_overfills_an_activity(server: str, make: Factory) -> None:
    """Issue 34, item 3: 24 people at once for 5 places (a class of 3 among them): the
    confirmed party sizes never exceed the capacity, the waitlist is 1..n, no 5xx."""
    place = make.place(opening_hours="24/7")
    room = make.room(place, capacity=40)
    organiser = make.account(name="Organisator")
    day = upcoming(9)
    made = send(
        "POST",
        f"{server}/api/v1/bookings",
        {
            "room_id": room,
            "start": local(day, "19:00"),
            "end": local(day, "21:00"),
            "title": "Kookles",
            "signups": {"capacity": 5},
        },
        organiser.headers,
    )
    assert made[0] == 201, made
    booking = made[2]["id"]
    people = [make.account(name=f"Buur {n}") for n in range(24)]
    answers = all_at_once(
        24,
        lambda i: send(
            "POST",
            f"{server}/api/v1/bookings/{booking}/signups",
            {"party_size": 3 if i == 0 else 1},
            people[i].headers,
        ),
    )
    assert {status for status, _, _ in answers} == {201}, answers
    listed = send("GET", f"{server}/api/v1/bookings/{booking}/signups", None, organiser.headers)
    confirmed = [s for s in listed[2] if s["status"] == "confirmed"]
    waiting = sorted(s["position"] for s in listed[2] if s["status"] == "waitlisted")
    assert sum(s["party_size"] for s in confirmed) <= 5
    assert sum(s["party_size"] for s in confirmed) >= 4  # no chair left while one fits
    assert waiting == list(range(1, len(waiting) + 1))
    assert len(confirmed) + len(waiting) == 24
