"""Monitoring through the API: attendance (who may record it, and when), anonymous feedback
(off, invalid, rate limited, hidden), and the impact report's figures checked against a
data set computed by hand, in full for its host and as open figures for anyone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import (
    Attendance,
    Booking,
    Complaint,
    Feedback,
    Initiative,
    InitiativeTransition,
    Place,
)
from tests.booking_helpers import AMSTERDAM, book, upcoming
from tests.conftest import discard_app, make_test_app
from tests.factories import Caller, Factory

MONITORED = {"attendance": "hosts", "feedback": True}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def _past_booking(make: Factory, place: int, room: int, booker: Caller, **fields: Any) -> int:
    """A confirmed booking that ended yesterday (the API cannot book the past)."""
    yesterday = upcoming(days=-1)

    def add() -> int:
        booking = Booking(
            room_id=room,
            place_id=place,
            booked_by_id=booker.id,
            start=at(yesterday, 10),
            end=at(yesterday, 12),
            title="Breiclub",
            status="confirmed",
            **fields,
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id

    return int(make.run(add))


def test_a_place_chooses_what_it_monitors(client: FlaskClient, make: Factory) -> None:
    place = make.place(name="Huiskamer")
    host = make.account(hosts=[place])
    shown = client.get(f"/api/v1/places/{place}").json
    assert shown["monitoring"] == {"attendance": "off", "feedback": False}
    changed = client.patch(
        f"/api/v1/places/{place}", json={"monitoring": {"feedback": True}}, headers=host.headers
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["monitoring"] == {"attendance": "off", "feedback": True}
    changed = client.patch(
        f"/api/v1/places/{place}",
        json={"monitoring": {"attendance": "booker"}},
        headers=host.headers,
    )
    assert changed.json["monitoring"] == {"attendance": "booker", "feedback": True}
    wrong = client.patch(
        f"/api/v1/places/{place}",
        json={"monitoring": {"attendance": "everyone"}},
        headers=host.headers,
    )
    assert wrong.status_code == 422


def test_attendance_by_the_booker_and_a_host_and_no_one_else(
    client: FlaskClient, make: Factory
) -> None:
    place = make.place(name="Huiskamer", opening_hours="Mo-Su 08:00-22:00", monitoring=MONITORED)
    room = make.room(place)
    host, booker, other = make.account(hosts=[place]), make.account(), make.account()
    booking = _past_booking(make, place, room, booker)
    url = f"/api/v1/bookings/{booking}/attendance"
    assert client.get(f"/api/v1/bookings/{booking}").json["attendance"] is None
    done = client.put(
        url, json={"count": 12, "first_time": 4, "note": "Gezellig"}, headers=booker.headers
    )
    assert done.status_code == 200, done.json
    assert {k: done.json[k] for k in ("booking_id", "count", "first_time", "note")} == {
        "booking_id": booking,
        "count": 12,
        "first_time": 4,
        "note": "Gezellig",
    }
    assert done.json["recorded_at"]
    corrected = client.put(url, json={"count": 14}, headers=host.headers)
    assert corrected.status_code == 200 and corrected.json["first_time"] is None
    shown = client.get(f"/api/v1/bookings/{booking}").json["attendance"]
    assert shown["count"] == 14
    listed = client.get(f"/api/v1/bookings?place={place}&from=2020-01-01").json
    assert [b["attendance"]["count"] for b in listed if b["id"] == booking] == [14]
    assert client.put(url, json={"count": 1}, headers=other.headers).status_code == 403
    assert client.put(url, json={"count": 1}).status_code == 401
    assert (
        client.put(url, json={"count": 5, "first_time": 6}, headers=host.headers).status_code == 422
    )
    assert client.put(url, json={"count": -1}, headers=host.headers).status_code == 422
    assert client.put(url, json={"count": "veel"}, headers=host.headers).status_code == 422
    # Before it ended there is nothing to count yet.
    coming = book(client, booker, room, upcoming(3), "10:00", "11:00").json["id"]
    early = client.put(
        f"/api/v1/bookings/{coming}/attendance", json={"count": 3}, headers=booker.headers
    )
    assert early.status_code == 409 and early.json["code"] == "activity_not_ended"
    assert (
        client.put(
            "/api/v1/bookings/999999/attendance", json={"count": 1}, headers=host.headers
        ).status_code
        == 404
    )


@pytest.fixture
def limited(database_url: str, app: Flask) -> Iterator[tuple[FlaskClient, Factory]]:
    """An app whose anonymous feedback limit is four an hour (refusals count too)."""
    application = make_test_app(database_url, FEEDBACK_RATE_LIMIT="4 per hour")
    try:
        yield application.test_client(), Factory(application)
    finally:
        discard_app(application)


def test_anonymous_feedback_and_its_limits(limited: tuple[FlaskClient, Factory]) -> None:
    client, make = limited
    quiet = make.place(name="Stil")
    place = make.place(name="Huiskamer", monitoring=MONITORED)
    room = make.room(place)
    host, booker = make.account(hosts=[place]), make.account()
    off = client.post(f"/api/v1/places/{quiet}/feedback", json={"score": 4})
    assert off.status_code == 422 and off.json["code"] == "feedback_off"
    url = f"/api/v1/places/{place}/feedback"
    given = client.post(url, json={"score": 5, "comment": "Fijne middag"})
    assert given.status_code == 201 and given.json["score"] == 5 and not given.json["hidden"]
    assert "email" not in given.json and "account_id" not in given.json
    private = _past_booking(make, place, room, booker, visibility="private")
    refused = client.post(url, json={"score": 4, "booking_id": private})
    assert refused.status_code == 422  # not a public activity of this place
    public = _past_booking(make, place, room, booker)
    assert client.post(url, json={"score": 3, "booking_id": public}).status_code == 201
    assert client.post(url, json={"score": 6}).status_code == 429  # the fifth this hour
    listed = client.get(url, headers=host.headers)
    assert listed.status_code == 200 and [f["score"] for f in listed.json] == [3, 5]
    assert client.get(url, headers=booker.headers).status_code == 403
    assert client.get(url).status_code == 401
    hidden = client.patch(
        f"/api/v1/feedback/{given.json['id']}", json={"hidden": True}, headers=host.headers
    )
    assert hidden.status_code == 200 and hidden.json["hidden"] is True
    assert (
        client.patch(
            f"/api/v1/feedback/{given.json['id']}", json={"hidden": False}, headers=booker.headers
        ).status_code
        == 403
    )


def test_feedback_score_and_comment_are_checked(client: FlaskClient, make: Factory) -> None:
    place = make.place(name="Huiskamer", monitoring=MONITORED)
    url = f"/api/v1/places/{place}/feedback"
    for body in (
        {"score": 0},
        {"score": 6},
        {"score": "5"},
        {},
        {"score": 3, "comment": "x" * 1001},
    ):
        assert client.post(url, json=body).status_code == 422, body
    assert client.post(url, json={"score": 3, "comment": "nul\u0000"}).status_code == 422


# The fixed data set of the report: one week of March 2026 (no clock change, no holiday).
WEEK = [date(2026, 3, 2) + timedelta(days=n) for n in range(7)]  # Monday to Sunday


def _report_data(make: Factory) -> dict[str, int]:
    north = make.neighbourhood("Noord")
    place = make.place(
        name="Huiskamer",
        opening_hours="Mo-Su 10:00-18:00",
        neighbourhood_id=north,
        monitoring=MONITORED,
    )
    room = make.room(place)
    host, booker = make.account(hosts=[place]), make.account()

    def rows() -> None:
        youth = Initiative(
            title="Jeugd",
            initiator_id=booker.id,
            target_groups=["youth"],
            status="trial",
            created_at=at(WEEK[0], 9),
        )
        stopped = Initiative(
            title="Stopt",
            initiator_id=booker.id,
            target_groups=[],
            status="ended",
            outcome="stopped",
            created_at=datetime(2025, 1, 1, tzinfo=AMSTERDAM),
        )
        db.session.add_all([youth, stopped])
        db.session.flush()
        db.session.add_all(
            [
                InitiativeTransition(
                    initiative_id=youth.id,
                    at=at(WEEK[1], 9),
                    from_status="idea",
                    to_status="trial",
                    note="",
                ),
                InitiativeTransition(
                    initiative_id=stopped.id,
                    at=at(WEEK[4], 9),
                    from_status="trial",
                    to_status="running",
                    note="",
                ),
                InitiativeTransition(
                    initiative_id=stopped.id,
                    at=at(WEEK[5], 9),
                    from_status="running",
                    to_status="ended",
                    outcome="stopped",
                    note="",
                ),
            ]
        )
        specs = [
            # day, from, until, status, initiative, attendance (count, first time)
            (WEEK[0], 10, 12, "confirmed", youth.id, (10, 3)),
            (WEEK[1], 14, 17, "confirmed", youth.id, (6, None)),
            (WEEK[2], 10, 11, "confirmed", stopped.id, None),
            (WEEK[3], 10, 12, "cancelled", None, None),
        ]
        for day, start, end, status, initiative, counted in specs:
            booking = Booking(
                room_id=room,
                place_id=place,
                booked_by_id=booker.id,
                start=at(day, start),
                end=at(day, end),
                title="Rij",
                status=status,
                initiative_id=initiative,
            )
            db.session.add(booking)
            db.session.flush()
            if counted:
                db.session.add(
                    Attendance(
                        booking_id=booking.id,
                        place_id=place,
                        count=counted[0],
                        first_time=counted[1],
                        note="",
                        recorded_at=at(day, 20),
                    )
                )
        for day, score in (
            (WEEK[0], 5),
            (WEEK[2], 4),
            (WEEK[6], 3),
            (WEEK[6] + timedelta(days=1), 1),
        ):
            db.session.add(
                Feedback(
                    place_id=place, score=score, comment="", hidden=False, created_at=at(day, 20)
                )
            )
        for day, handled in (
            (WEEK[1], WEEK[1] + timedelta(days=7)),
            (WEEK[2], WEEK[2] + timedelta(weeks=7)),
            (WEEK[3], None),
        ):
            received = at(day, 12)
            db.session.add(
                Complaint(
                    place_id=place,
                    kind="complaint",
                    text="Te koud",
                    status="handled" if handled else "received",
                    answer="Verwarming gemaakt" if handled else "",
                    received_at=received,
                    due_at=received + timedelta(weeks=6),
                    handled_at=at(handled, 12) if handled else None,
                )
            )
        db.session.commit()

    make.run(rows)
    return {"place": place, "north": north, "host_id": host.id, "host": host}  # type: ignore[dict-item]


def test_the_impact_figures_match_a_hand_computed_week(client: FlaskClient, make: Factory) -> None:
    data = _report_data(make)
    host: Caller = data["host"]  # type: ignore[assignment]
    query = f"from={WEEK[0]}&to={WEEK[6]}&place={data['place']}"
    got = client.get(f"/api/v1/reports/impact?{query}", headers=host.headers)
    assert got.status_code == 200, got.json
    report = got.json
    # Open 8 hours a day for 7 days; used 2 + 3 + 1 hours; the cancelled one does not count.
    assert report["open_hours"] == 56.0 and report["used_hours"] == 6.0
    assert report["occupancy"] == round(6 / 56, 4)
    assert report["activities"] == 3 and report["activities_without_attendance"] == 1
    assert report["visitors"] == 16 and report["first_time_visitors"] == 3
    assert report["target_groups"] == {"youth": 2}
    assert report["initiatives"] == {
        "started": 1,
        "on_trial": 1,
        "continued": 1,
        "ended": 1,
        "outcomes": {"continued": 0, "stopped": 1, "moved": 0},
    }
    assert report["feedback"] == {"count": 3, "average": 4.0}
    assert report["complaints"] == {"received": 3, "handled": 2, "handled_on_time": 1}
    assert report["places"] == [{"id": data["place"], "name": "Huiskamer"}]
    # A year before nothing was recorded: no zeros that read as growth (web 4, item 5).
    assert set(report["last_year"].values()) == {None}
    assert "starts when the place joined" in report["last_year_note"]
    (march,) = report["by_month"]
    assert march["month"] == "2026-03" and march["visitors"] == 16 and march["activities"] == 3
    assert march["feedback_count"] == 3 and march["feedback_average"] == 4.0


def test_a_year_before_compares_once_the_place_recorded_something(
    client: FlaskClient, make: Factory
) -> None:
    data = _report_data(make)
    host = make.account(hosts=[data["place"]])
    booker = make.account()
    a_year_before = WEEK[2].replace(year=2025)

    def add() -> None:
        room = db.session.get(Place, data["place"]).rooms[0]  # type: ignore[union-attr]
        db.session.add(
            Booking(
                room_id=room.id,
                place_id=data["place"],
                booked_by_id=booker.id,
                start=at(a_year_before, 10),
                end=at(a_year_before, 12),
                title="Toen al",
                status="confirmed",
            )
        )
        db.session.commit()

    make.run(add)
    report = client.get(
        f"/api/v1/reports/impact?place={data['place']}&from={WEEK[0]}&to={WEEK[6]}",
        headers=host.headers,
    ).json
    assert report["last_year"]["activities"] == 1 and report["last_year"]["open_hours"] == 56.0
    assert report["last_year"]["visitors"] == 0 and report["last_year_note"] is None


def test_anyone_reads_the_open_figures_with_small_counts_left_out(
    client: FlaskClient, make: Factory
) -> None:
    data = _report_data(make)
    got = client.get(
        f"/api/v1/reports/impact?from={WEEK[0]}&to={WEEK[6]}&neighbourhood={data['north']}"
    )
    assert got.status_code == 200, got.json
    # Whole months only, and the answer says which.
    assert (got.json["from"], got.json["to"]) == ("2026-03-01", "2026-03-31")
    (march,) = got.json["by_month"]
    # Three activities are fewer than five: the place's month is left out, visitors too.
    assert march == {
        "month": "2026-03",
        "activities": None,
        "used_hours": None,
        "visitors": None,
        "places_left_out": 1,
    }
    assert got.json["suppressed_below"] == 5 and got.json["places_left_out"] == 1
    assert "complaints" not in got.json and "feedback" not in got.json
    # Someone who hosts another place sees the open figures too, not the full report.
    stranger = make.account(hosts=[make.place(name="Elders")])
    other = client.get(
        f"/api/v1/reports/impact?from={WEEK[0]}&to={WEEK[6]}&place={data['place']}",
        headers=stranger.headers,
    )
    assert "complaints" not in other.json and other.json["by_month"][0]["places_left_out"] == 1
    # Only what a place collects: a place that counts nobody has no visitors figure.
    quiet = make.place(name="Stil", opening_hours="Mo-Su 10:00-18:00")
    quiet_host = make.account(hosts=[quiet])
    bare = client.get(
        f"/api/v1/reports/impact?from={WEEK[0]}&to={WEEK[6]}&place={quiet}",
        headers=quiet_host.headers,
    ).json
    assert bare["visitors"] is None and bare["feedback"] is None
    assert bare["activities_without_attendance"] is None
