"""Suggestions are truly free, fit every need, and are ranked by the reasons they state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import AMSTERDAM, book, upcoming
from tests.factories import Factory

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def test_suggestions_fit_are_free_and_are_ranked(client: FlaskClient, make: Factory) -> None:
    north = make.neighbourhood("Noord", city="Rotterdam")
    south = make.neighbourhood("Zuid", city="Rotterdam")
    elsewhere = make.neighbourhood("Centrum", city="Utrecht")
    policy = {**DEFAULT_POLICY, "min_notice_minutes": 0}
    places = {
        "home": make.place(
            name="Huiskamer Noord",
            neighbourhood_id=north,
            city="Rotterdam",
            opening_hours="Mo-Su 08:00-22:00",
            target_groups=["youth"],
            policy=policy,
        ),
        "nearby": make.place(
            name="Buurthuis Zuid",
            neighbourhood_id=south,
            city="Rotterdam",
            step_free=True,
            opening_hours="Mo-Su 08:00-22:00",
            target_groups=["youth", "parents"],
            policy=policy,
        ),
        "far": make.place(
            name="Utrechts huis",
            neighbourhood_id=elsewhere,
            city="Utrecht",
            opening_hours="Mo-Su 08:00-22:00",
            policy=policy,
        ),
    }
    rooms = {
        "home": make.room(places["home"], name="Kamer", capacity=15, facilities=["wifi", "tables"]),
        "home_small": make.room(
            places["home"], name="Hok", capacity=4, facilities=["wifi", "tables"]
        ),
        "home_plain": make.room(places["home"], name="Leeg", capacity=30, facilities=[]),
        "nearby": make.room(
            places["nearby"], name="Zaal", capacity=40, facilities=["wifi", "tables"]
        ),
        "far": make.room(places["far"], name="Kelder", capacity=12, facilities=["tables", "wifi"]),
    }
    initiator = make.account()
    initiative = client.post(
        "/api/v1/initiatives",
        json={
            "title": "Huiswerkklas",
            "neighbourhood_id": north,
            "target_groups": ["youth", "parents"],
            "needs": {
                "capacity": 10,
                "facilities": ["wifi", "tables"],
                "duration_minutes": 90,
                "weekdays": ["tu", "th"],
                "time_of_day": "afternoon",
            },
            "trial_starts_on": str(upcoming(7)),
            "trial_ends_on": str(upcoming(70)),
        },
        headers=initiator.headers,
    ).json

    def trial_dates(weekday: str) -> int:
        days = [upcoming(7) + timedelta(days=n) for n in range(64)]
        return sum(1 for day in days if WEEKDAYS[day.weekday()] == weekday)

    # Busy on the home room's first Tuesday afternoon, from 12:00 to 15:00.
    first_tuesday = upcoming(7, weekday=1)
    blocker = make.account()
    book(client, blocker, rooms["home"], first_tuesday, "12:00", "15:00")

    response = client.get(f"/api/v1/initiatives/{initiative['id']}/suggestions?page_size=100")
    assert response.status_code == 200, response.json
    found = response.json
    assert found
    # Every need is met: room, duration, weekday, time of day; one row per weekly slot.
    room_ids = {rooms["home"], rooms["nearby"], rooms["far"]}
    keys = [(item["room_id"], item["weekday"], item["start_time"]) for item in found]
    assert len(keys) == len(set(keys))
    for item in found:
        assert item["room_id"] in room_ids, item  # capacity and facilities
        start = datetime.fromisoformat(item["start"]).astimezone(AMSTERDAM)
        end = datetime.fromisoformat(item["end"]).astimezone(AMSTERDAM)
        assert end - start == timedelta(minutes=90)
        assert WEEKDAYS[start.weekday()] == item["weekday"] in ("tu", "th")
        assert start.strftime("%H:%M") == item["start_time"]
        assert start.hour >= 12 and (end.hour, end.minute) <= (17, 0)
        assert 0 < len(item["free_dates"]) <= item["total_dates"] == trial_dates(item["weekday"])
    # Start times run through the afternoon, not only at its start.
    home_tuesdays = {
        item["start_time"]
        for item in found
        if item["room_id"] == rooms["home"] and item["weekday"] == "tu"
    }
    assert {"12:00", "13:30", "15:30"} <= home_tuesdays
    # The blocked first Tuesday counts against the home room's 12:00 slot.
    noon = next(
        item
        for item in found
        if (item["room_id"], item["weekday"], item["start_time"]) == (rooms["home"], "tu", "12:00")
    )
    assert len(noon["free_dates"]) == trial_dates("tu") - 1
    assert str(first_tuesday) not in noon["free_dates"]
    # Ranked by the share of free dates first, then by the reasons' score.
    expected_codes = {
        rooms["home"]: {"same_neighbourhood", "serves_target_groups", "fits_capacity"},
        rooms["nearby"]: {"same_city", "serves_target_groups", "step_free"},
        rooms["far"]: {"fits_capacity"},
    }
    for item in found:
        assert item["score"] == sum(reason["points"] for reason in item["reasons"])
        assert {reason["code"] for reason in item["reasons"]} == expected_codes[item["room_id"]]
    ranks = [(-len(item["free_dates"]) / item["total_dates"], -item["score"]) for item in found]
    assert ranks == sorted(ranks)
    assert found[0]["room_id"] == rooms["home"]
    assert len(found[0]["free_dates"]) == found[0]["total_dates"]
    assert [r["points"] for r in found[0]["reasons"]] == [30, 5, 5]
    assert found.index(noon) > found.index(found[0])
    nearby = next(item for item in found if item["room_id"] == rooms["nearby"])
    assert [r["points"] for r in nearby["reasons"]] == [10, 10, 3]  # city, two groups, step-free
    # The series body books exactly the free dates of the trial.
    series: dict[str, Any] = found[0]["series"]
    assert series["initiative_id"] == initiative["id"] and series["on_conflict"] == "skip"
    assert series["rrule"].endswith(f";COUNT={found[0]['total_dates']}")
    booked = client.post("/api/v1/series", json=series, headers=initiator.headers)
    assert booked.status_code == 201, booked.json
    assert len(booked.json["created"]) == found[0]["total_dates"]
    assert booked.json["skipped"] == []
    assert {b["initiative_id"] for b in booked.json["created"]} == {initiative["id"]}


def test_a_fixed_start_time_and_step_free_are_hard_limits(
    client: FlaskClient, make: Factory
) -> None:
    stairs = make.place(opening_hours="Mo-Su 08:00-22:00")
    make.room(stairs, name="Boven", capacity=20)
    flat = make.place(opening_hours="Mo-Su 08:00-22:00", step_free=True)
    ground = make.room(flat, name="Beneden", capacity=20)
    initiator = make.account()
    initiative = client.post(
        "/api/v1/initiatives",
        json={
            "title": "Taalcafé",
            "needs": {
                "start_time": "19:00",
                "duration_minutes": 120,
                "weekdays": ["tu"],
                "step_free": True,
            },
            "trial_starts_on": str(upcoming(7)),
            "trial_ends_on": str(upcoming(7 + 12 * 7)),
        },
        headers=initiator.headers,
    ).json
    found = client.get(f"/api/v1/initiatives/{initiative['id']}/suggestions").json
    assert [(i["room_id"], i["weekday"], i["start_time"]) for i in found] == [
        (ground, "tu", "19:00")
    ]
    assert found[0]["total_dates"] in (12, 13)


def test_no_fitting_room_means_no_suggestions(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="Mo-Fr 09:00-12:00")
    make.room(place, capacity=100)
    initiator = make.account()
    initiative = client.post(
        "/api/v1/initiatives",
        json={"title": "Avondkoor", "needs": {"capacity": 20, "time_of_day": "evening"}},
        headers=initiator.headers,
    ).json
    response = client.get(f"/api/v1/initiatives/{initiative['id']}/suggestions")
    assert response.status_code == 200 and response.json == []
    window = client.get(
        f"/api/v1/initiatives/{initiative['id']}/suggestions?from={upcoming(1)}&to={upcoming(100)}"
    )
    assert window.status_code == 200 and window.json == []
    assert client.get("/api/v1/initiatives/999999/suggestions").status_code == 404
