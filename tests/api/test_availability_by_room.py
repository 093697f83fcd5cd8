"""Availability grouped by room: a page is page_size rooms in a stable order, each row with
its names, capacity and free intervals, the same intervals as the flat list; every page
together is the whole answer; computed lists take up to 1,000 rows a page."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.booking_helpers import book, upcoming
from tests.factories import Factory


def test_pages_by_room_hold_the_same_intervals_as_the_flat_list(
    client: FlaskClient, make: Factory
) -> None:
    north = make.neighbourhood("Noord")
    places = [
        make.place(name=f"Plek {n}", opening_hours="Mo-Su 09:00-17:00", neighbourhood_id=north)
        for n in range(3)
    ]
    rooms = [
        make.room(place, name=f"Kamer {n}", capacity=10 + n) for n, place in enumerate(places * 2)
    ]
    booker = make.account()
    day = upcoming(5)
    assert book(client, booker, rooms[0], day, "10:00", "12:00").status_code == 201
    assert book(client, booker, rooms[4], day, "13:00", "14:00").status_code == 201
    query = f"/api/v1/availability?from={day}&to={upcoming(6)}&neighbourhood={north}"
    flat = client.get(f"{query}&page_size=1000").json
    assert len(flat) >= 12  # a page of up to 1,000 computed rows is allowed
    rows = []
    for page in (1, 2, 3):
        answer = client.get(f"{query}&group=room&page={page}&page_size=2")
        assert answer.status_code == 200
        pagination = json.loads(answer.headers["X-Pagination"])
        assert pagination["total"] == 6 and pagination["total_pages"] == 3
        assert len(answer.json) == 2
        rows += answer.json
    # Rooms in a stable order (place, then room), each with names and capacity.
    assert [row["room_id"] for row in rows] == sorted(
        (r for r in rooms), key=lambda r: (places.index(_place_of(client, r)), r)
    )
    first = next(row for row in rows if row["room_id"] == rooms[0])
    assert first["room_name"] == "Kamer 0" and first["place_name"] == "Plek 0"
    assert first["capacity"] == 10 and first["place_id"] == places[0]
    # Together, the same intervals as the flat list, room by room.
    grouped = {
        (row["room_id"], interval["start"], interval["end"])
        for row in rows
        for interval in row["free"]
    }
    assert grouped == {(slot["room_id"], slot["start"], slot["end"]) for slot in flat}
    # A page past the end is empty, and still says how many rooms there are.
    past = client.get(f"{query}&group=room&page=9&page_size=2")
    assert past.json == [] and json.loads(past.headers["X-Pagination"])["total"] == 6
    # The database pages the rooms: a page no offset can reach is refused, as for every
    # list the database pages.
    beyond = client.get(f"{query}&group=room&page=10000000000000&page_size=1000")
    assert beyond.status_code == 422 and beyond.json["errors"]["page"], beyond.json
    assert client.get(f"{query}&group=everything").status_code == 422
    assert client.get(f"{query}&page_size=1001").status_code == 422
    assert client.get(f"/api/v1/rooms/{rooms[0]}/availability?group=room").status_code == 422


def _place_of(client: FlaskClient, room_id: int) -> int:
    return int(client.get(f"/api/v1/rooms/{room_id}").json["place_id"])
