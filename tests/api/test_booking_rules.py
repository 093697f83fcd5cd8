"""Every booking rule answers with its own code; hosts are exempt where DESIGN.md says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from booking.models import utcnow
from tests.booking_helpers import AMSTERDAM, book, local, upcoming
from tests.venue import Venue


def test_a_booking_is_confirmed_and_reads_back_in_local_time(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(14)
    response = book(client, venue.booker, venue.a, day, "19:00", "21:00", expected_attendees=12)
    assert response.status_code == 201, response.json
    booking = response.json
    assert booking["status"] == "confirmed" and booking["booked_by"] == venue.booker.id
    assert booking["start"] == local(day, "19:00") and booking["end"] == local(day, "21:00")
    assert booking["place_id"] == venue.place and booking["sequence"] == 0
    assert client.get(f"/api/v1/bookings/{booking['id']}").json["title"] == "Taalcafé"


def test_utc_input_is_accepted_and_shown_in_the_places_offset(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(14)
    start = local(day, "19:00")
    utc_start = datetime.fromisoformat(start).astimezone(UTC)
    body = {
        "room_id": venue.a,
        "start": utc_start.isoformat().replace("+00:00", "Z"),
        "end": (utc_start + timedelta(hours=1)).isoformat(),
        "title": "UTC",
    }
    response = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
    assert response.status_code == 201 and response.json["start"] == start


def test_approval_places_give_pending_except_to_their_hosts(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(requires_approval=True)
    day = upcoming(14)
    asked = book(client, venue.booker, venue.a, day, "10:00", "11:00")
    assert asked.status_code == 201 and asked.json["status"] == "pending"
    own = book(client, venue.host, venue.b, day, "10:00", "11:00")
    assert own.status_code == 201 and own.json["status"] == "confirmed"


def _rule_cases(venue: Venue) -> list[tuple[str, dict[str, object]]]:
    day = upcoming(14)
    now = utcnow().astimezone(AMSTERDAM)

    def at(delta: timedelta, minutes: int = 60) -> dict[str, object]:
        start = (now + delta).replace(second=0, microsecond=0)
        start -= timedelta(minutes=start.minute % 15)
        return {"start": start.isoformat(), "end": (start + timedelta(minutes=minutes)).isoformat()}

    return [
        ("invalid_range", {"start": local(day, "12:00"), "end": local(day, "11:00")}),
        ("not_aligned", {"start": local(day, "12:05"), "end": local(day, "13:05")}),
        ("too_short", {"start": local(day, "12:00"), "end": local(day, "12:15")}),
        ("too_long", {"start": local(day, "08:00"), "end": local(day, "17:00")}),
        ("in_the_past", at(timedelta(days=-2))),
        ("too_far_ahead", at(timedelta(days=400))),
        ("over_capacity", {"expected_attendees": 21}),
        ("outside_opening_hours", {"start": local(day, "07:00"), "end": local(day, "09:00")}),
        ("outside_opening_hours", {"start": local(day, "21:30"), "end": local(day, "22:30")}),
        ("nonexistent_local_time", {"start": "2026-03-29T02:30:00+01:00"}),
        ("wrong_utc_offset", {"start": local(day, "12:00")[:-6] + "+05:00"}),
    ]


@pytest.mark.parametrize("index", range(11))
def test_each_broken_rule_has_its_code(client: FlaskClient, venue: Venue, index: int) -> None:
    code, changes = _rule_cases(venue)[index]
    day = upcoming(14)
    body = {
        "room_id": venue.a,
        "start": local(day, "12:00"),
        "end": local(day, "13:00"),
        "title": "Regel",
        **changes,
    }
    response = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
    assert response.status_code == 422, response.json
    assert response.json["code"] == code, response.json
    assert response.json["detail"] and response.json["errors"]


def test_a_room_that_is_not_bookable(client: FlaskClient, venue: Venue) -> None:
    storage = venue.make.room(venue.place, name="Opslag", bookable=False)
    response = book(client, venue.booker, storage, upcoming(14), "12:00", "13:00")
    assert response.status_code == 422 and response.json["code"] == "room_not_bookable"


def test_a_closure_closes_the_room(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    venue.make.closure(
        venue.place,
        datetime.fromisoformat(local(day, "00:00")),
        datetime.fromisoformat(local(day, "23:00")),
        room_ids=[venue.a],
    )
    for room in (venue.a, venue.hall):
        response = book(client, venue.booker, room, day, "12:00", "13:00")
        assert response.status_code == 422 and response.json["code"] == "closed"
    assert book(client, venue.booker, venue.b, day, "12:00", "13:00").status_code == 201


def test_public_holidays_follow_the_opening_hours(client: FlaskClient, venue: Venue) -> None:
    room = venue.make.room(venue.place, opening_hours="Mo-Su 08:00-22:00; PH off")
    christmas = upcoming(0).replace(month=12, day=25)
    if christmas <= upcoming(1):
        christmas = christmas.replace(year=christmas.year + 1)
    response = book(client, venue.booker, room, christmas, "12:00", "13:00")
    assert response.status_code == 422 and response.json["code"] == "outside_opening_hours"


def test_notice_applies_to_bookers_but_not_to_hosts(client: FlaskClient, venue: Venue) -> None:
    venue.policy(min_notice_minutes=48 * 60)
    day = upcoming(1)
    late = book(client, venue.booker, venue.a, day, "12:00", "13:00")
    assert late.status_code == 422 and late.json["code"] == "too_short_notice"
    assert book(client, venue.host, venue.a, day, "12:00", "13:00").status_code == 201


def test_horizon_applies_to_bookers_but_not_to_hosts(client: FlaskClient, venue: Venue) -> None:
    venue.policy(max_days_ahead=30)
    day = upcoming(60)
    far = book(client, venue.booker, venue.a, day, "12:00", "13:00")
    assert far.status_code == 422 and far.json["code"] == "too_far_ahead"
    assert book(client, venue.host, venue.a, day, "12:00", "13:00").status_code == 201
    assert book(client, venue.admin, venue.b, day, "12:00", "13:00").status_code == 201


def test_quota_counts_active_future_bookings_at_the_place(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(max_active_bookings=2)
    day = upcoming(14)
    first = book(client, venue.booker, venue.a, day, "09:00", "10:00")
    assert book(client, venue.booker, venue.a, day, "10:00", "11:00").status_code == 201
    over = book(client, venue.booker, venue.a, day, "11:00", "12:00")
    assert over.status_code == 422 and over.json["code"] == "quota_exceeded"
    # A cancelled booking no longer counts; hosts have no quota.
    client.post(f"/api/v1/bookings/{first.json['id']}/cancel", headers=venue.booker.headers)
    assert book(client, venue.booker, venue.a, day, "11:00", "12:00").status_code == 201
    for hour in range(12, 16):
        response = book(client, venue.host, venue.b, day, f"{hour}:00", f"{hour + 1}:00")
        assert response.status_code == 201


def test_hosts_may_book_outside_opening_hours_only_when_they_say_so(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(14)
    plain = book(client, venue.host, venue.a, day, "22:00", "23:00")
    assert plain.status_code == 422 and plain.json["code"] == "outside_opening_hours"
    flagged = book(client, venue.host, venue.a, day, "22:00", "23:00", outside_opening_hours=True)
    assert flagged.status_code == 201 and flagged.json["outside_opening_hours"] is True
    # ...but never over another booking.
    again = book(client, venue.admin, venue.hall, day, "22:00", "23:00", outside_opening_hours=True)
    assert again.status_code == 409 and again.json["code"] == "booking_conflict"
    refused = book(client, venue.booker, venue.b, day, "22:00", "23:00", outside_opening_hours=True)
    assert refused.status_code == 403 and refused.json["code"] == "not_a_host"


def test_several_broken_rules_are_all_listed(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    response = book(client, venue.booker, venue.small, day, "07:05", "07:20", expected_attendees=9)
    assert response.status_code == 422
    assert {"not_aligned", "too_short", "over_capacity", "outside_opening_hours"} <= set(
        response.json["violations"]
    )
    assert set(response.json["errors"]) == {"start", "end", "expected_attendees"}


def test_writing_needs_the_book_scope(client: FlaskClient, venue: Venue) -> None:
    reader = venue.make.account(scopes=["read"])
    response = book(client, reader, venue.a, upcoming(14), "12:00", "13:00")
    assert response.status_code == 403 and response.json["code"] == "insufficient_scope"
    assert book(client, None, venue.a, upcoming(14), "12:00", "13:00").status_code == 401
    unknown = book(client, venue.booker, 999999, upcoming(14), "12:00", "13:00")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"visibility": "secret"},
        {"expected_attendees": 0},
        {"expected_attendees": "12"},
        {"start": "2027-01-12T19:00:00"},
        {"status": "confirmed"},
        {"booked_by": 1},
        {"room_id": 2**31},
    ],
)
def test_input_bounds(client: FlaskClient, venue: Venue, changes: dict[str, object]) -> None:
    day = upcoming(14)
    body = {
        "room_id": venue.a,
        "start": local(day, "12:00"),
        "end": local(day, "13:00"),
        "title": "Grenzen",
        **changes,
    }
    response = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
    assert response.status_code == 422 and response.json["code"] == "validation_error"
