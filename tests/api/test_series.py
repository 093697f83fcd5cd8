"""Recurring series: local time across DST, fail / skip / dry run, cancelling, permissions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Account, Booking
from booking.services.authorization import Actor
from booking.services.booking.series import create_series
from tests.booking_helpers import AMSTERDAM, book, book_weekly, local, upcoming
from tests.venue import Venue


def post_series(client: FlaskClient, venue: Venue, day: date, rrule: str, **fields: Any) -> Any:
    caller = fields.pop("caller", venue.booker)
    body = {
        "room_id": fields.pop("room_id", venue.a),
        "start": local(day, fields.pop("from_clock", "19:00")),
        "end": local(day, fields.pop("to_clock", "21:00")),
        "title": "Taalcafé",
        "rrule": rrule,
        **fields,
    }
    return client.post("/api/v1/series", json=body, headers=caller.headers)


def count_bookings(venue: Venue) -> int:
    return int(venue.make.run(lambda: db.session.scalar(select(func.count(Booking.id)))))


def last_sunday(year: int, month: int) -> date:
    """The day of a European DST switch."""
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# The first year whose spring switch is still ahead, so the API tests never go stale.
NEXT_YEAR = upcoming(1).year + 1


def test_a_weekly_series_keeps_its_local_time_across_dst(client: FlaskClient, venue: Venue) -> None:
    venue.policy(max_days_ahead=730, max_active_bookings=100)
    # Tuesdays from early March to early November: both DST switches.
    first = date(NEXT_YEAR, 3, 1)
    first += timedelta(days=(1 - first.weekday()) % 7)
    response = post_series(client, venue, first, f"FREQ=WEEKLY;BYDAY=TU;UNTIL={NEXT_YEAR}1109")
    assert response.status_code == 201, response.json
    created = response.json["created"]
    assert len(created) in (36, 37) and response.json["skipped"] == []
    starts = [datetime.fromisoformat(item["start"]) for item in created]
    assert {start.astimezone(AMSTERDAM).strftime("%a %H:%M") for start in starts} == {"Tue 19:00"}
    offsets = [start.utcoffset() for start in starts]
    assert offsets[0] == timedelta(hours=1) and offsets[-1] == timedelta(hours=1)
    assert timedelta(hours=2) in offsets
    series = response.json["series"]
    assert series["occurrences"] == len(created) and series["booking_ids"] == [
        b["id"] for b in created
    ]
    assert all(b["series_id"] == series["id"] for b in created)


@pytest.mark.parametrize("year", [2026, NEXT_YEAR])
def test_series_across_the_dst_switches_of_the_year(
    clean_app: Any, venue: Venue, year: int
) -> None:
    """Through the service with a clock set before the year, so past years stay testable."""
    venue.policy(max_days_ahead=730, max_active_bookings=100)

    def run() -> list[Booking]:
        actor = Actor(db.session.get(Account, venue.booker.id), frozenset({"book"}))
        first = datetime(year, 3, 1, 19, 0, tzinfo=AMSTERDAM)
        outcome = create_series(
            actor,
            {
                "room_id": venue.a,
                "start": first,
                "end": first + timedelta(hours=2),
                "title": "Wekelijks",
                "rrule": f"FREQ=WEEKLY;UNTIL={year}1101",
            },
            now=datetime(year - 1, 12, 1, tzinfo=AMSTERDAM),
        )
        db.session.commit()
        return [(b.start, b.end) for b in outcome.created]  # type: ignore[misc]

    occurrences = venue.make.run(run)
    assert len(occurrences) == 36
    switch_spring, switch_autumn = last_sunday(year, 3), last_sunday(year, 10)
    if year == 2026:  # the dates the issue names
        assert (switch_spring, switch_autumn) == (date(2026, 3, 29), date(2026, 10, 25))
    for start, end in occurrences:
        local_start = start.astimezone(AMSTERDAM)
        assert (local_start.hour, local_start.minute) == (19, 0)
        assert end - start == timedelta(hours=2)
        summer = switch_spring <= local_start.date() < switch_autumn
        assert start.utcoffset() == timedelta(0)  # stored in UTC
        assert local_start.utcoffset() == timedelta(hours=2 if summer else 1)


def test_an_occurrence_in_the_spring_gap_is_reported_not_shifted(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(max_days_ahead=730)
    room = venue.make.room(venue.place, opening_hours="24/7")
    first = last_sunday(NEXT_YEAR, 3) - timedelta(days=2)
    response = post_series(
        client,
        venue,
        first,
        "FREQ=DAILY;COUNT=4",
        room_id=room,
        from_clock="02:00",
        to_clock="03:00",
        on_conflict="skip",
    )
    assert response.status_code == 201, response.json
    assert [s["reason"] for s in response.json["skipped"]] == ["nonexistent_local_time"]
    assert response.json["skipped"][0]["start"].startswith(str(last_sunday(NEXT_YEAR, 3)))
    assert len(response.json["created"]) == 3


def test_fail_writes_nothing_and_lists_every_conflict(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14, weekday=1)
    book(client, venue.stranger, venue.a, day + timedelta(weeks=1), "20:00", "21:00")
    book(client, venue.stranger, venue.hall, day + timedelta(weeks=3), "18:00", "19:30")
    before = count_bookings(venue)
    response = post_series(client, venue, day, "FREQ=WEEKLY;COUNT=6")
    assert response.status_code == 409 and response.json["code"] == "series_conflict"
    problems = response.json["problems"]
    assert [p["start"] for p in problems] == [
        local(day + timedelta(weeks=1), "19:00"),
        local(day + timedelta(weeks=3), "19:00"),
    ]
    assert {p["reason"] for p in problems} == {"booking_conflict"}
    assert count_bookings(venue) == before


def test_skip_books_the_rest_and_says_why(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14, weekday=1)
    book(client, venue.stranger, venue.a, day + timedelta(weeks=1), "20:00", "21:00")
    venue.make.closure(
        venue.place,
        datetime.fromisoformat(local(day + timedelta(weeks=2), "00:00")),
        datetime.fromisoformat(local(day + timedelta(weeks=2), "23:59")),
    )
    response = post_series(client, venue, day, "FREQ=WEEKLY;COUNT=5", on_conflict="skip")
    assert response.status_code == 201, response.json
    assert len(response.json["created"]) == 3
    assert [(s["reason"], s["start"]) for s in response.json["skipped"]] == [
        ("booking_conflict", local(day + timedelta(weeks=1), "19:00")),
        ("closed", local(day + timedelta(weeks=2), "19:00")),
    ]
    assert response.json["series"]["occurrences"] == 3


def test_skip_with_nothing_left_is_refused(client: FlaskClient, venue: Venue) -> None:
    response = post_series(
        client, venue, upcoming(14), "FREQ=DAILY;COUNT=3", expected_attendees=99, on_conflict="skip"
    )
    assert response.status_code == 422 and response.json["code"] == "series_invalid"
    assert {p["reason"] for p in response.json["problems"]} == {"over_capacity"}


def test_dry_run_previews_exactly_and_writes_nothing(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14, weekday=3)
    book(client, venue.stranger, venue.b, day + timedelta(weeks=2), "19:00", "20:00")
    before = count_bookings(venue)
    preview = post_series(
        client,
        venue,
        day,
        "FREQ=WEEKLY;COUNT=4",
        room_id=venue.hall,
        on_conflict="skip",
        dry_run=True,
    )
    assert preview.status_code == 200 and preview.json["dry_run"] is True
    assert preview.json["series"]["id"] is None
    assert all(item["id"] is None for item in preview.json["created"])
    assert count_bookings(venue) == before
    failing = post_series(
        client, venue, day, "FREQ=WEEKLY;COUNT=4", room_id=venue.hall, dry_run=True
    )
    assert failing.status_code == 409 and "nothing would be written" in failing.json["detail"]
    real = post_series(
        client, venue, day, "FREQ=WEEKLY;COUNT=4", room_id=venue.hall, on_conflict="skip"
    )
    assert real.status_code == 201

    def times(body: dict[str, Any]) -> list[tuple[str, str]]:
        return [(item["start"], item["end"]) for item in body["created"]]

    assert times(preview.json) == times(real.json) and len(times(real.json)) == 3
    assert preview.json["skipped"] == real.json["skipped"]


def test_occurrences_of_one_series_cannot_overlap_each_other(
    client: FlaskClient, venue: Venue
) -> None:
    room = venue.make.room(
        venue.place, opening_hours="24/7", policy_overrides={"max_duration_minutes": 2880}
    )
    response = post_series(
        client,
        venue,
        upcoming(14),
        "FREQ=DAILY;COUNT=3",
        room_id=room,
        from_clock="10:00",
        to_clock="10:00",
        caller=venue.host,
    )
    assert response.status_code == 422  # a zero-length occurrence
    start = local(upcoming(14), "10:00")
    end = local(upcoming(16), "10:00")
    body = {
        "room_id": room,
        "start": start,
        "end": end,
        "title": "Lang",
        "rrule": "FREQ=DAILY;COUNT=3",
        "on_conflict": "skip",
    }
    response = client.post("/api/v1/series", json=body, headers=venue.host.headers)
    assert response.status_code == 201, response.json
    assert len(response.json["created"]) == 2
    assert [s["reason"] for s in response.json["skipped"]] == ["booking_conflict"]


def test_the_quota_counts_every_occurrence(client: FlaskClient, venue: Venue) -> None:
    venue.policy(max_active_bookings=3)
    response = post_series(client, venue, upcoming(14), "FREQ=DAILY;COUNT=5", on_conflict="skip")
    assert len(response.json["created"]) == 3
    assert {s["reason"] for s in response.json["skipped"]} == {"quota_exceeded"}


@pytest.mark.parametrize(
    ("rrule", "code"),
    [
        ("FREQ=YEARLY;COUNT=2", "invalid_rrule"),
        ("FREQ=WEEKLY", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20300101", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=371", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=0", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;BYDAY=XX", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;BYDAY=2TU", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;WKST=MO", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "invalid_rrule"),
        ("FREQ=WEEKLY;UNTIL=20271350", "invalid_rrule"),
        ("FREQ=DAILY;UNTIL=20990101", "series_too_long"),
        ("FREQ=MONTHLY;INTERVAL=12;COUNT=4", "series_too_long"),
        ("garbage", "invalid_rrule"),
    ],
)
def test_rrule_validation(client: FlaskClient, venue: Venue, rrule: str, code: str) -> None:
    response = post_series(client, venue, upcoming(14), rrule)
    assert response.status_code == 422 and response.json["code"] == code, response.json
    assert response.json["errors"]["rrule"]


def test_monthly_rules_with_numbered_weekdays(client: FlaskClient, venue: Venue) -> None:
    venue.policy(max_days_ahead=365)
    # A start that is not itself a last Friday is refused, naming the first one.
    refused = post_series(
        client,
        venue,
        upcoming(1),
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
        dry_run=True,
        caller=venue.host,
    )
    if refused.status_code == 422:
        assert refused.json["code"] == "start_not_in_rule"
        first = date.fromisoformat(refused.json["first_occurrence"][:10])
    else:  # tomorrow happens to be a last Friday
        first = upcoming(1)
    response = post_series(
        client, venue, first, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", dry_run=True, caller=venue.host
    )
    assert response.status_code == 200, response.json
    assert response.json["series"]["room_id"] == venue.a  # the preview names its room
    for item in response.json["created"]:
        start = datetime.fromisoformat(item["start"])
        assert start.weekday() == 4 and (start + timedelta(weeks=1)).month != start.month


def test_reading_and_cancelling_a_series(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14, weekday=2)
    created = post_series(client, venue, day, "FREQ=WEEKLY;COUNT=4").json
    series_id = created["series"]["id"]
    url = f"/api/v1/series/{series_id}"
    assert client.get(url, headers=venue.booker.headers).json["occurrences"] == 4
    assert client.get(url, headers=venue.host.headers).status_code == 200
    assert client.get(url, headers=venue.stranger.headers).status_code == 404
    assert client.get(url).status_code == 401
    assert client.post(f"{url}/cancel", json={}, headers=venue.stranger.headers).status_code == 404
    third = local(day + timedelta(weeks=2), "19:00")
    partial = client.post(
        f"{url}/cancel", json={"from": third, "reason": "Zomerstop"}, headers=venue.booker.headers
    )
    assert partial.status_code == 200
    assert [b["start"] for b in partial.json["cancelled"]] == [
        third,
        local(day + timedelta(weeks=3), "19:00"),
    ]
    assert partial.json["series"]["status"] == "active"
    # The cancelled occurrences' slots are free again.
    assert (
        book(
            client, venue.stranger, venue.a, day + timedelta(weeks=2), "19:00", "20:00"
        ).status_code
        == 201
    )
    rest = client.post(f"{url}/cancel", json={}, headers=venue.host.headers)
    assert len(rest.json["cancelled"]) == 2 and rest.json["series"]["status"] == "cancelled"
    statuses = client.get(
        "/api/v1/bookings?mine=true&status=cancelled", headers=venue.booker.headers
    )
    assert len(statuses.json) == 4


def test_a_single_occurrence_can_be_moved_or_cancelled(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14, weekday=2)
    created = post_series(client, venue, day, "FREQ=WEEKLY;COUNT=3").json["created"]
    second = f"/api/v1/bookings/{created[1]['id']}"
    moved = client.patch(
        second,
        json={"start": local(day + timedelta(weeks=1), "18:00")},
        headers=venue.booker.headers,
    )
    assert moved.status_code == 200 and moved.json["series_id"] == created[1]["series_id"]
    assert client.post(f"{second}/cancel", json={}, headers=venue.booker.headers).status_code == 200


def test_a_start_outside_its_own_rule_is_refused(client: FlaskClient, venue: Venue) -> None:
    wednesday = upcoming(14, weekday=2)
    response = post_series(client, venue, wednesday, "FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    assert response.status_code == 422 and response.json["code"] == "start_not_in_rule"
    tuesday = wednesday + timedelta(days=6)
    assert response.json["first_occurrence"].startswith(f"{tuesday}T19:00")
    assert str(tuesday) in response.json["detail"]
    assert post_series(client, venue, tuesday, "FREQ=WEEKLY;BYDAY=TU;COUNT=4").status_code == 201


def test_history_shows_times_in_the_places_offset(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    made = book(client, venue.booker, venue.a, day, "10:00", "11:00").json
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": local(day, "09:00")},
        headers=venue.booker.headers,
    )
    history = client.get(f"/api/v1/bookings/{made['id']}/history", headers=venue.booker.headers)
    change = history.json[-1]["changes"]["start"]
    assert change == [local(day, "10:00"), local(day, "09:00")]


def test_a_change_of_a_series_applies_to_every_coming_date(
    client: FlaskClient, venue: Venue
) -> None:
    """Web 4, item 12: PATCH /series/{id} for title, description, visibility, initiative."""
    first = upcoming(8, weekday=2)
    made = book_weekly(
        client, venue.booker, venue.small, first, "10:00", "11:00", 3, title="Naaicafé"
    )
    assert made.status_code == 201
    series_id, ids = made.json["series"]["id"], made.json["series"]["booking_ids"]
    cancelled = client.post(
        f"/api/v1/bookings/{ids[2]}/cancel", json={}, headers=venue.booker.headers
    )
    assert cancelled.status_code == 200
    changed = client.patch(
        f"/api/v1/series/{series_id}",
        json={"title": "Naaiatelier", "description": "Neem stof mee", "visibility": "private"},
        headers=venue.booker.headers,
    )
    assert changed.status_code == 200 and changed.json["title"] == "Naaiatelier"
    dates = [client.get(f"/api/v1/bookings/{i}", headers=venue.booker.headers).json for i in ids]
    assert [d["title"] for d in dates[:2]] == ["Naaiatelier"] * 2
    assert {d["visibility"] for d in dates[:2]} == {"private"}
    assert dates[2]["title"] == "Naaicafé"  # a cancelled date stays as it was
    # Others may not; unknown fields are refused.
    assert (
        client.patch(
            f"/api/v1/series/{series_id}", json={"title": "x"}, headers=venue.stranger.headers
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/series/{series_id}",
            json={"rrule": "FREQ=DAILY"},
            headers=venue.booker.headers,
        ).status_code
        == 422
    )
