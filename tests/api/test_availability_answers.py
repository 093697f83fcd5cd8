"""The flat availability list as one answer per data version: pages are slices of it, its
ETag names it, If-Match pins it, and any booking, closure or opening-hours change is a new
answer (speed 3, item 2)."""

from __future__ import annotations

import json
from secrets import token_hex
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.booking_helpers import book, local, upcoming
from tests.conftest import discard_app, make_test_app
from tests.factories import Factory
from tests.statements import statements_of
from tests.test_rate_limits import needs_redis  # noqa: F401 - a fixture


def _pages(client: FlaskClient, query: str, size: int) -> tuple[list[dict[str, Any]], str]:
    """Every page of the flat list, each pinned to the first page's answer; the ETag."""
    first = client.get(f"{query}&page_size={size}")
    assert first.status_code == 200, first.json
    etag = first.headers["ETag"]
    rows = list(first.json)
    pages = json.loads(first.headers["X-Pagination"])["total_pages"]
    for page in range(2, pages + 1):
        answer = client.get(f"{query}&page_size={size}&page={page}", headers={"If-Match": etag})
        assert answer.status_code == 200, answer.json
        assert answer.headers["ETag"] == etag
        rows += answer.json
    return rows, etag


def _setting(make: Factory) -> tuple[int, list[int]]:
    place = make.place(opening_hours="Mo-Su 09:00-17:00")
    return place, [make.room(place, name=f"Zaal {n}") for n in range(3)]


def test_a_booking_between_two_pages_is_told_and_then_seen(
    client: FlaskClient, make: Factory
) -> None:
    place, rooms = _setting(make)
    booker = make.account()
    day = upcoming(6)
    query = f"/api/v1/availability?place={place}&from={day}&to={upcoming(8)}"
    before, etag = _pages(client, query, 2)
    assert len(before) == 9  # three rooms, three days
    # The same answer again: the same ETag, and a revalidation is a 304.
    again = client.get(f"{query}&page_size=2&page=2", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    # A booking lands between page 1 and page 2: the pinned page is refused...
    assert book(client, booker, rooms[1], day, "10:00", "12:00").status_code == 201
    changed = client.get(f"{query}&page_size=2&page=2", headers={"If-Match": etag})
    assert changed.status_code == 412
    assert changed.json["code"] == "answer_changed"
    assert changed.headers["Content-Type"] == "application/problem+json"
    # ...and paging again from page 1 gives a new answer that holds the booking.
    after, renewed = _pages(client, query, 2)
    assert renewed != etag and len(after) == 10
    split = [(r["start"], r["end"]) for r in after if r["room_id"] == rooms[1]][:2]
    assert split == [
        (local(day, "09:00"), local(day, "10:00")),
        (local(day, "12:00"), local(day, "17:00")),
    ]
    # A weak or unknown tag never matches If-Match.
    for tag in (f"W/{renewed}", '"elders"'):
        refused = client.get(f"{query}&page_size=2&page=2", headers={"If-Match": tag})
        assert refused.status_code == 412


def test_closures_and_opening_hours_are_new_answers(client: FlaskClient, make: Factory) -> None:
    place, _ = _setting(make)
    host = make.account(hosts=[place])
    day = upcoming(6)
    query = f"/api/v1/availability?place={place}&from={day}&to={day}&page_size=100"
    first = client.get(query)
    closure = {"start": local(day, "09:00"), "end": local(day, "13:00"), "reason": "Schoonmaak"}
    made = client.post(f"/api/v1/places/{place}/closures", json=closure, headers=host.headers)
    assert made.status_code == 201, made.json
    closed = client.get(query)
    assert closed.headers["ETag"] != first.headers["ETag"]
    assert {r["start"] for r in closed.json} == {local(day, "13:00")}
    hours = {"opening_hours": "Mo-Su 14:00-17:00"}
    changed = client.patch(f"/api/v1/places/{place}", json=hours, headers=host.headers)
    assert changed.status_code == 200, changed.json
    shorter = client.get(query)
    assert {r["start"] for r in shorter.json} == {local(day, "14:00")}
    assert len({first.headers["ETag"], closed.headers["ETag"], shorter.headers["ETag"]}) == 3


@pytest.mark.parametrize("store", ["process", "redis"])
def test_every_page_is_a_slice_of_one_computation(
    database_url: str, app: Flask, store: str, request: pytest.FixtureRequest
) -> None:
    """Warm, a page reads the places' stamps and no occupancy, closure or room; in Redis,
    every worker shares the answer, chunk by chunk."""
    settings: dict[str, Any] = {}
    if store == "redis":
        request.getfixturevalue("needs_redis")
        settings = {
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "RATELIMIT_KEY_PREFIX": token_hex(4),
        }
    application = make_test_app(database_url, **settings)
    try:
        make = Factory(application)
        place, _ = _setting(make)
        client = application.test_client()
        day = upcoming(6)
        query = f"/api/v1/availability?place={place}&from={day}&to={upcoming(40)}"
        every = client.get(f"{query}&page_size=1000").json
        assert len(every) == 3 * 35
        with statements_of(application) as statements:
            rows, _ = _pages(client, query, 7)
        warm = list(statements)
        assert rows == every
        assert not [s for s in warm if "occupancies" in s or "FROM closures" in s], warm
        assert not [s for s in warm if "FROM rooms" in s], warm
    finally:
        discard_app(application)
