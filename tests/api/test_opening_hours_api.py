"""GET /places/{id}/opening-hours: resolution, room overrides, closures, DST."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from tests.factories import Factory

AMS = ZoneInfo("Europe/Amsterdam")


def hours(
    client: FlaskClient, place: int, first: str, last: str, room: int | None = None
) -> dict[str, list[tuple[str, str]]]:
    query = f"from={first}&to={last}" + (f"&room={room}" if room else "")
    response = client.get(f"/api/v1/places/{place}/opening-hours?{query}")
    assert response.status_code == 200, response.json
    return {d["date"]: [(i["start"], i["end"]) for i in d["intervals"]] for d in response.json}


def test_output_carries_the_places_offset_across_dst(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="Mo-Su 09:00-17:00")
    days = hours(client, place, "2026-03-28", "2026-03-29")
    assert days == {
        "2026-03-28": [("2026-03-28T09:00:00+01:00", "2026-03-28T17:00:00+01:00")],
        "2026-03-29": [("2026-03-29T09:00:00+02:00", "2026-03-29T17:00:00+02:00")],
    }
    days = hours(client, place, "2026-10-25", "2026-10-26")
    assert days["2026-10-25"] == [("2026-10-25T09:00:00+01:00", "2026-10-25T17:00:00+01:00")]


def test_kings_day_and_room_override(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="Mo-Fr 09:00-17:00; PH off")
    garden = make.room(place, opening_hours="Mo-Su 08:00-20:00")
    assert hours(client, place, "2026-04-27", "2026-04-27") == {"2026-04-27": []}
    assert hours(client, place, "2026-04-27", "2026-04-27", room=garden) == {
        "2026-04-27": [("2026-04-27T08:00:00+02:00", "2026-04-27T20:00:00+02:00")]
    }


def test_closures_of_the_place_and_of_rooms(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="Mo-Fr 09:00-17:00")
    a, b = make.room(place), make.room(place)
    hall = make.room(place, part_ids=[a, b])
    other = make.room(place)
    make.closure(place, datetime(2026, 6, 1, 12, tzinfo=AMS), datetime(2026, 6, 1, 17, tzinfo=AMS))
    make.closure(
        place,
        datetime(2026, 6, 2, 0, tzinfo=AMS),
        datetime(2026, 6, 3, 0, tzinfo=AMS),
        room_ids=[a],
    )
    whole_day = [("2026-06-02T09:00:00+02:00", "2026-06-02T17:00:00+02:00")]
    morning = [("2026-06-01T09:00:00+02:00", "2026-06-01T12:00:00+02:00")]
    assert hours(client, place, "2026-06-01", "2026-06-02") == {
        "2026-06-01": morning,
        "2026-06-02": whole_day,
    }
    assert hours(client, place, "2026-06-01", "2026-06-02", room=a) == {
        "2026-06-01": morning,
        "2026-06-02": [],
    }
    # The hall contains part A, so closing A closes the hall; B and other rooms stay open.
    assert hours(client, place, "2026-06-02", "2026-06-02", room=hall) == {"2026-06-02": []}
    assert hours(client, place, "2026-06-02", "2026-06-02", room=b) == {"2026-06-02": whole_day}
    assert hours(client, place, "2026-06-02", "2026-06-02", room=other) == {"2026-06-02": whole_day}


def test_closure_api_round_trip(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    room = make.room(place)
    host = make.account(hosts=[place])
    created = client.post(
        f"/api/v1/places/{place}/closures",
        json={
            "start": "2030-07-20T00:00:00Z",
            "end": "2030-08-03T00:00:00Z",
            "reason": "Zomer",
            "room_ids": [room],
        },
        headers=host.headers,
    )
    assert created.status_code == 201
    assert created.json["start"] == "2030-07-20T02:00:00+02:00" and created.json["room_ids"] == [
        room
    ]
    listed = client.get(f"/api/v1/places/{place}/closures").json
    assert [c["id"] for c in listed] == [created.json["id"]]
    for body, code in [
        ({"start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}, "validation_error"),
        ({"start": "2030-01-01T00:00:00Z", "end": "2031-06-01T00:00:00Z"}, "range_too_long"),
        (
            {
                "start": "2030-01-01T00:00:00Z",
                "end": "2030-01-02T00:00:00Z",
                "room_ids": [make.room(make.place())],
            },
            "unknown_room",
        ),
    ]:
        response = client.post(f"/api/v1/places/{place}/closures", json=body, headers=host.headers)
        assert response.status_code == 422 and response.json["code"] == code


def test_past_closures_only_on_request(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    make.closure(place, datetime(2020, 1, 1, tzinfo=AMS), datetime(2020, 1, 2, tzinfo=AMS))
    assert client.get(f"/api/v1/places/{place}/closures").json == []
    assert len(client.get(f"/api/v1/places/{place}/closures?include_past=true").json) == 1


def test_room_of_another_place_is_refused(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    foreign = make.room(make.place())
    response = client.get(f"/api/v1/places/{place}/opening-hours?room={foreign}")
    assert response.status_code == 422 and response.json["code"] == "unknown_room"
