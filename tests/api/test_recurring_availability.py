"""Recurring availability against a brute force: every date of random weekly patterns checked
one by one through /rooms/{id}/availability, across the spring DST switch, with bookings, a
closure and public holidays."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from tests.booking_helpers import AMSTERDAM, book
from tests.factories import Factory
from tests.venue import Venue

SPRING_2027 = date(2027, 3, 1)  # DST starts on 28 March; Easter Monday is 29 March


def recurring(client: FlaskClient, query: str) -> Any:
    response = client.get(f"/api/v1/availability/recurring?{query}&page_size=100")
    assert response.status_code == 200, response.json
    return response.json


def free_by_brute_force(
    client: FlaskClient, room: int, day: date, clock: str, minutes: int
) -> bool:
    hours, mins = map(int, clock.split(":"))
    start = datetime(day.year, day.month, day.day, hours, mins, tzinfo=AMSTERDAM)
    end = start + timedelta(minutes=minutes)
    slots = client.get(
        f"/api/v1/rooms/{room}/availability?from={day}&to={day}&min_duration={minutes}"
    ).json
    return any(
        datetime.fromisoformat(s["start"]) <= start and end <= datetime.fromisoformat(s["end"])
        for s in slots
    )


def test_the_recurring_search_agrees_with_single_days(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    weekday_place = make.place(opening_hours="Mo-Fr 09:00-17:00; PH off")
    office = make.room(weekday_place, name="Kantoor")
    for day, start, end, room in (
        (date(2027, 3, 2), "19:00", "21:00", venue.a),
        (date(2027, 3, 30), "18:00", "19:30", venue.hall),
        (date(2027, 4, 6), "10:00", "11:00", venue.small),
    ):
        made = book(client, venue.host, room, day, start, end)
        assert made.status_code == 201, made.json
    make.closure(
        venue.place,
        datetime(2027, 3, 16, tzinfo=AMSTERDAM),
        datetime(2027, 3, 17, tzinfo=AMSTERDAM),
        room_ids=[venue.b],
    )
    rng = random.Random(20261125)
    rooms = [venue.a, venue.b, venue.hall, venue.small, office]
    for _ in range(4):
        days = rng.sample(["mo", "tu", "we", "th", "fr", "sa", "su"], rng.randint(1, 2))
        clock = f"{rng.choice([10, 12, 16, 19])}:{rng.choice(['00', '30'])}"
        minutes = rng.choice([60, 90, 120])
        # Repeated and comma-joined weekdays are the same filter.
        query = rng.choice(["&".join(f"weekdays={d}" for d in days), f"weekdays={','.join(days)}"])
        query += f"&start_time={clock}&duration={minutes}&from={SPRING_2027}&weeks=6"
        query += "".join(f"&room={r}" for r in rooms)
        answer = {row["room_id"]: row for row in recurring(client, query)}
        assert set(answer) == set(rooms)
        for room in rooms:
            row = answer[room]
            free = {date.fromisoformat(d) for d in row["free_dates"]}
            taken = {date.fromisoformat(t["date"]): t["reason"] for t in row["taken_dates"]}
            assert row["total_dates"] == len(free) + len(taken) > 0
            for day in sorted(free | set(taken)):
                expected = free_by_brute_force(client, room, day, clock, minutes)
                assert (day in free) == expected, (room, day, clock, minutes, taken.get(day))
        # Ranked by free dates, most first.
        counts = [len(row["free_dates"]) for row in answer.values()]
        ranked = [len(row["free_dates"]) for row in recurring(client, query)]
        assert ranked == sorted(counts, reverse=True)


def test_reasons_and_a_series_body_that_books_the_pattern(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    weekday_place = make.place(opening_hours="Mo-Fr 09:00-17:00; PH off")
    office = make.room(weekday_place, name="Kantoor")
    query = f"weekdays=mo&start_time=10:00&duration=60&from={SPRING_2027}&weeks=5&room={office}"
    (row,) = recurring(client, query)
    assert {t["date"]: t["reason"] for t in row["taken_dates"]} == {"2027-03-29": "public_holiday"}
    assert row["series"]["rrule"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=5"
    evening = recurring(client, query.replace("10:00", "19:00"))[0]
    reasons = {t["date"]: t["reason"] for t in evening["taken_dates"]}
    assert reasons.pop("2027-03-29") == "public_holiday"
    assert set(reasons.values()) == {"outside_opening_hours"} and len(reasons) == 4
    # Across the DST switch the wall-clock time stays: 19:00 every Tuesday.
    body = recurring(
        client,
        f"weekdays=tu&start_time=19:00&duration=120&from={SPRING_2027}&weeks=6&room={venue.a}",
    )[0]["series"]
    booked = client.post(
        "/api/v1/series", json={**body, "title": "Taalcafé"}, headers=venue.booker.headers
    )
    assert booked.status_code == 201, booked.json
    starts = {
        datetime.fromisoformat(b["start"]).astimezone(AMSTERDAM).strftime("%H:%M")
        for b in booked.json["created"]
    }
    assert starts == {"19:00"} and len(booked.json["created"]) == 6


def test_the_pattern_is_checked(client: FlaskClient, venue: Venue) -> None:
    base = "weekdays=tu&start_time=19:00&duration=120"
    for bad in (
        f"{base}&weeks=60",
        f"{base}&from=2027-03-01&until=2027-02-01",
        f"{base}&weeks=2&until=2027-03-20",
        "weekdays=xx&start_time=19:00&duration=60",
        "weekdays=tu&start_time=25:00&duration=60",
        "weekdays=tu&start_time=19:00",
    ):
        assert client.get(f"/api/v1/availability/recurring?{bad}").status_code == 422, bad


def test_accessibility_kind_and_target_group_filter_everywhere(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    open_all_week = "Mo-Su 08:00-22:00"
    step_free = make.place(
        opening_hours=open_all_week, step_free=True, kind="huiskamer", target_groups=["ouderen"]
    )
    ramp = make.room(step_free, name="Met oprit")
    day = SPRING_2027
    window = f"from={day}&to={day}"
    found = client.get(f"/api/v1/availability?{window}&step_free=true").json
    assert {slot["room_id"] for slot in found} == {ramp}
    found = client.get(f"/api/v1/availability?{window}&kind=huiskamer&kind=kerk").json
    assert {slot["room_id"] for slot in found} == {ramp}
    found = client.get(f"/api/v1/availability?{window}&target_group=ouderen").json
    assert {slot["room_id"] for slot in found} == {ramp}
    pattern = f"weekdays=tu&start_time=19:00&duration=60&from={day}&weeks=2"
    rows = recurring(client, f"{pattern}&step_free=true")
    assert [row["room_id"] for row in rows] == [ramp]
    places = client.get("/api/v1/places?step_free=true&ground_floor=false").json
    assert [p["id"] for p in places] == [step_free]


def test_availability_by_weekday_and_part_of_the_day(client: FlaskClient, venue: Venue) -> None:
    window = f"from={SPRING_2027}&to={SPRING_2027 + timedelta(days=13)}&room={venue.a}"
    everything = client.get(f"/api/v1/availability?{window}").json
    evenings = client.get(f"/api/v1/availability?{window}&weekdays=tu&between=19:00-22:00").json
    assert evenings and len(evenings) == 2  # two Tuesdays
    for slot in evenings:
        start = datetime.fromisoformat(slot["start"])
        end = datetime.fromisoformat(slot["end"])
        assert start.weekday() == 1 and start.strftime("%H:%M") == "19:00"
        assert end.strftime("%H:%M") == "22:00"
        assert any(
            datetime.fromisoformat(s["start"]) <= start and end <= datetime.fromisoformat(s["end"])
            for s in everything
        )
    mornings = client.get(f"/api/v1/availability?{window}&time_of_day=morning").json
    assert len(mornings) == 14 and all(s["start"][11:16] == "08:00" for s in mornings)
    both = client.get(f"/api/v1/availability?{window}&time_of_day=morning&between=08:00-09:00")
    assert both.status_code == 422


def test_a_part_of_the_day_must_hold_the_pattern(client: FlaskClient, venue: Venue) -> None:
    pattern = f"weekdays=tu&start_time=19:00&duration=120&from={SPRING_2027}&weeks=2"
    assert recurring(client, f"{pattern}&time_of_day=evening&room={venue.a}")
    assert recurring(client, f"{pattern}&between=18:00-24:00&room={venue.a}")
    for outside in ("time_of_day=morning", "between=19:00-20:00"):
        answer = client.get(f"/api/v1/availability/recurring?{pattern}&{outside}")
        assert answer.status_code == 422, outside
        assert answer.json["code"] == "pattern_outside_between"


def test_buffers_grid_ends_and_cancelled_bookings_agree_with_single_days(
    client: FlaskClient, venue: Venue
) -> None:
    """The database's probe against the brute force where it is easiest to get wrong: a
    buffer before the next booking, a duration that ends off the grid (it needs the room
    until the next grid line), a combined room, and a cancelled booking that takes nothing."""
    venue.policy(granularity_minutes=30, buffer_minutes=15, max_days_ahead=365)
    for day, start, end, room in (
        (date(2027, 3, 2), "20:00", "21:00", venue.a),  # 15 minutes after a 19:00-19:45
        (date(2027, 3, 9), "20:00", "20:30", venue.b),  # 19:45 is off the grid: 20:00 is needed
        (date(2027, 3, 16), "18:00", "18:30", venue.small),  # its buffer ends at 18:45
        (date(2027, 3, 23), "19:30", "20:00", venue.small),
    ):
        made = book(client, venue.host, room, day, start, end)
        assert made.status_code == 201, made.json
        if day == date(2027, 3, 23):
            cancelled = client.post(
                f"/api/v1/bookings/{made.json['id']}/cancel", json={}, headers=venue.host.headers
            )
            assert cancelled.status_code == 200, cancelled.json
    rooms = [venue.a, venue.b, venue.hall, venue.small]
    query = f"weekdays=tu&start_time=19:00&duration=45&from={SPRING_2027}&weeks=5"
    answer = {row["room_id"]: row for row in recurring(client, query)}
    for room in rooms:
        row = answer[room]
        free = {date.fromisoformat(d) for d in row["free_dates"]}
        taken = {date.fromisoformat(t["date"]): t["reason"] for t in row["taken_dates"]}
        for day in sorted(free | set(taken)):
            expected = free_by_brute_force(client, room, day, "19:00", 45)
            assert (day in free) == expected, (room, day, taken.get(day))
    booked = {
        room: {t["date"] for t in answer[room]["taken_dates"] if t["reason"] == "booked"}
        for room in rooms
    }
    assert booked == {
        venue.a: {"2027-03-02"},
        venue.b: {"2027-03-09"},
        venue.hall: {"2027-03-02", "2027-03-09"},
        venue.small: set(),
    }


def test_recurring_rows_name_their_room_and_place_and_take_a_neighbourhood_slug(
    client: FlaskClient, make: Factory
) -> None:
    """Web 4, item 12: rows carry room and place names; `neighbourhood` takes a slug or an
    id, as /places does (and an id too large for any row finds nothing, not a 500)."""
    north = make.neighbourhood("Noord")
    slug = client.get(f"/api/v1/neighbourhoods/{north}").json["slug"]
    place = make.place(
        name="Buurthuis Noord", opening_hours="Mo-Su 08:00-22:00", neighbourhood_id=north
    )
    make.room(place, name="Grote zaal")
    elsewhere = make.place(name="Elders", opening_hours="Mo-Su 08:00-22:00")
    make.room(elsewhere, name="Kleine zaal")
    query = f"weekdays=tu&start_time=19:00&duration=60&from={SPRING_2027}&weeks=3"
    by_slug = recurring(client, f"{query}&neighbourhood={slug}")
    by_id = recurring(client, f"{query}&neighbourhood={north}")
    assert by_slug == by_id and len(by_slug) == 1
    assert (by_slug[0]["room_name"], by_slug[0]["place_name"]) == ("Grote zaal", "Buurthuis Noord")
    assert recurring(client, f"{query}&neighbourhood=bestaat-niet") == []
    assert recurring(client, f"{query}&neighbourhood=99999999999999999999") == []
    assert len(recurring(client, query)) == 2
    places = client.get("/api/v1/places?neighbourhood=99999999999999999999")
    assert places.status_code == 200 and places.json == []


def test_the_pages_of_a_recurring_answer_are_slices_of_one_ranking(
    client: FlaskClient, venue: Venue
) -> None:
    """The rows are written as text from the whole ranking: each page is its slice, and
    X-Pagination counts every room."""
    made = book(client, venue.host, venue.a, date(2027, 3, 2), "19:00", "21:00")
    assert made.status_code == 201, made.json
    query = "weekdays=tu&start_time=19:00&duration=60&from=2027-03-01&weeks=4"
    whole = recurring(client, query)
    assert [row["total_dates"] for row in whole] == [4] * len(whole)
    # A and the hall that holds it lose the booked Tuesday: they rank last.
    assert {row["room_id"] for row in whole[-2:]} == {venue.a, venue.hall}
    assert [row["free_dates"] for row in whole[-2:]] == [
        ["2027-03-09", "2027-03-16", "2027-03-23"]
    ] * 2
    assert whole[-1]["taken_dates"] == [{"date": "2027-03-02", "reason": "booked"}]
    pages = []
    for page in (1, 2, 3):
        response = client.get(f"/api/v1/availability/recurring?{query}&page_size=2&page={page}")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        assert json.loads(response.headers["X-Pagination"])["total"] == len(whole)
        pages.extend(response.json)
    assert pages == whole
