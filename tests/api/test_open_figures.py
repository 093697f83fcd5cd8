"""Open figures that cannot be differenced (web 4, item 2): the probe's attacks, replayed.

A resident's visit must not be recoverable by subtracting two anonymous answers: neither two
overlapping periods, nor a set of places with and without one of them."""

from __future__ import annotations

from datetime import date, timedelta
from secrets import token_hex
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Attendance, Booking
from tests.api.test_monitoring import MONITORED, at
from tests.conftest import discard_app, make_test_app
from tests.factories import Caller, Factory
from tests.statements import statements_of

DECEMBER = [date(2025, 12, 1) + timedelta(days=n) for n in range(31)]


def _activities(
    make: Factory, place: int, room: int, booker: Caller, visits: list[tuple[date, int | None]]
) -> None:
    """Confirmed activities 10:00-12:00 on the given days, with the visitors counted."""

    def write() -> None:
        for day, visitors in visits:
            booking = Booking(
                room_id=room,
                place_id=place,
                booked_by_id=booker.id,
                start=at(day, 10),
                end=at(day, 12),
                title="Buurtlunch",
                status="confirmed",
                visibility="private",
            )
            db.session.add(booking)
            db.session.flush()
            if visitors is not None:
                db.session.add(
                    Attendance(
                        booking_id=booking.id,
                        place_id=place,
                        count=visitors,
                        first_time=None,
                        note="",
                        recorded_at=at(day, 20),
                    )
                )
        db.session.commit()

    make.run(write)


def _open(client: FlaskClient, query: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/reports/impact?{query}")
    assert answer.status_code == 200, answer.json
    assert "complaints" not in answer.json  # the open figures, not the full report
    return dict(answer.json)


def test_the_probes_differences_give_nothing_away(client: FlaskClient, make: Factory) -> None:
    north = make.neighbourhood("Noord")
    lunch = make.place(
        name="Huiskamer",
        opening_hours="Mo-Su 09:00-18:00",
        neighbourhood_id=north,
        monitoring=MONITORED,
    )
    small = make.place(
        name="Klein",
        opening_hours="Mo-Su 09:00-18:00",
        neighbourhood_id=north,
        monitoring=MONITORED,
    )
    host, booker = make.account(hosts=[lunch]), make.account()
    # Six counted lunches on 1-6 December (32 visitors), and a private one of 3 on the 7th.
    _activities(
        make,
        lunch,
        make.room(lunch),
        booker,
        [(DECEMBER[n], v) for n, v in enumerate((6, 5, 6, 5, 5, 5))] + [(DECEMBER[6], 3)],
    )
    # Four activities at the small place: under the minimum.
    _activities(make, small, make.room(small), booker, [(DECEMBER[n], 4) for n in range(4)])
    # Two overlapping periods are the same whole month: the difference is nothing.
    week = _open(client, f"place={lunch}&from=2025-12-01&to=2025-12-07")
    six_days = _open(client, f"place={lunch}&from=2025-12-01&to=2025-12-06")
    assert week == six_days
    assert (week["from"], week["to"]) == ("2025-12-01", "2025-12-31")
    (month,) = week["by_month"]
    assert month["activities"] == 7 and month["visitors"] == 35 and month["used_hours"] == 14.0
    # A place under the minimum is left out of every set it is in, and the answer says so.
    alone = _open(client, f"place={lunch}&from=2025-12-01&to=2025-12-31")
    both = _open(client, f"place={lunch}&place={small}&from=2025-12-01&to=2025-12-31")
    area = _open(client, f"neighbourhood={north}&from=2025-12-01&to=2025-12-31")
    for answer in (both, area):
        assert answer["by_month"][0]["activities"] == alone["by_month"][0]["activities"]
        assert answer["by_month"][0]["visitors"] == alone["by_month"][0]["visitors"]
        assert answer["places_left_out"] == 1 and answer["by_month"][0]["places_left_out"] == 1
    assert alone["places_left_out"] == 0
    # Its host still sees the small place in full, for any days.
    small_host = make.account(hosts=[small])
    full = client.get(
        f"/api/v1/reports/impact?place={small}&from=2025-12-02&to=2025-12-03",
        headers=small_host.headers,
    ).json
    assert full["activities"] == 2 and full["visitors"] == 8 and full["from"] == "2025-12-02"
    assert host.id != small_host.id


def test_visitors_need_enough_counted_activities_behind_them(
    client: FlaskClient, make: Factory
) -> None:
    place = make.place(name="Tuin", opening_hours="Mo-Su 09:00-18:00", monitoring=MONITORED)
    booker = make.account()
    # Six activities, one counted (40 visitors): the activities show, the visitors do not.
    visits: list[tuple[date, int | None]] = [(DECEMBER[0], 40)]
    visits += [(DECEMBER[n], None) for n in range(1, 6)]
    _activities(make, place, make.room(place), booker, visits)
    (month,) = _open(client, f"place={place}&from=2025-12-10&to=2025-12-20")["by_month"]
    assert month["activities"] == 6 and month["used_hours"] == 12.0
    assert month["visitors"] is None


def test_the_open_figures_are_limited_and_computed_once_per_data_version(
    database_url: str, app: Flask
) -> None:
    """Security 3.5: without a token, rate limited; each month computed once per version of
    the data it reads (a new activity is a new version, never a stale answer)."""
    application = make_test_app(
        database_url, OPEN_FIGURES_RATE_LIMIT="4 per minute", RATELIMIT_KEY_PREFIX=token_hex(4)
    )
    try:
        make = Factory(application)
        place = make.place(
            name="Huiskamer", opening_hours="Mo-Su 09:00-18:00", monitoring=MONITORED
        )
        room, booker = make.room(place), make.account()
        _activities(make, place, room, booker, [(DECEMBER[n], 6) for n in range(5)])
        client = application.test_client()
        query = f"place={place}&from=2025-12-01&to=2025-12-31"
        with statements_of(application) as statements:
            first = _open(client, query)
            cold = len(statements)
            statements.clear()
            again = _open(client, query)
            warm = list(statements)
        assert again == first and first["by_month"][0]["activities"] == 5
        # Warm, the month is not computed again: no booking, closure or attendance row is read
        # (only the places and the version's one-row summary).
        assert len(warm) < cold
        assert not [s for s in warm if "FROM bookings" in s or "FROM closures" in s], warm
        # A sixth activity: a new version, and the answer follows.
        _activities(make, place, room, booker, [(DECEMBER[10], 6)])
        assert _open(client, query)["by_month"][0]["activities"] == 6
        # The fifth anonymous call in the minute is refused; a token is not limited.
        assert client.get(f"/api/v1/reports/impact?{query}").status_code == 200
        assert client.get(f"/api/v1/reports/impact?{query}").status_code == 429
        host = make.account(hosts=[place])
        full = client.get(f"/api/v1/reports/impact?{query}", headers=host.headers)
        assert full.status_code == 200 and "complaints" in full.json
    finally:
        discard_app(application)
