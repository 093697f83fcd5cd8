"""Idempotency keys on POST /bookings and POST /series, and the booking-write rate limit."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Booking, IdempotencyKey
from tests.booking_helpers import local, upcoming
from tests.conftest import _empty_all_tables, make_test_app
from tests.factories import Factory
from tests.venue import Venue


def _body(venue: Venue, clock: str = "10:00", **changes: object) -> dict[str, object]:
    day = upcoming(14)
    hour = int(clock[:2])
    return {
        "room_id": venue.a,
        "start": local(day, clock),
        "end": local(day, f"{hour + 1:02d}:00"),
        "title": "Herhaald",
        **changes,
    }


def _count(venue: Venue) -> int:
    return int(venue.make.run(lambda: db.session.scalar(select(func.count(Booking.id)))))


def test_a_retry_gets_the_first_response_and_books_once(client: FlaskClient, venue: Venue) -> None:
    headers = {**venue.booker.headers, "Idempotency-Key": "4f1c-retry"}
    first = client.post("/api/v1/bookings", json=_body(venue), headers=headers)
    # Same content, other key order and layout: still the same request.
    again = client.post(
        "/api/v1/bookings",
        data=json.dumps(dict(reversed(_body(venue).items())), indent=2),
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(venue) == 1


def test_the_same_key_with_another_body_is_refused(client: FlaskClient, venue: Venue) -> None:
    headers = {**venue.booker.headers, "Idempotency-Key": "k1"}
    assert client.post("/api/v1/bookings", json=_body(venue), headers=headers).status_code == 201
    other = client.post("/api/v1/bookings", json=_body(venue, "12:00"), headers=headers)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    # The same key on another endpoint is another request too.
    series = client.post(
        "/api/v1/series", json={**_body(venue), "rrule": "FREQ=DAILY;COUNT=2"}, headers=headers
    )
    assert series.status_code == 422 and series.json["code"] == "idempotency_key_reused"
    assert _count(venue) == 1


def test_keys_belong_to_one_account(client: FlaskClient, venue: Venue) -> None:
    key = {"Idempotency-Key": "shared"}
    mine = client.post(
        "/api/v1/bookings", json=_body(venue), headers={**venue.booker.headers, **key}
    )
    theirs = client.post(
        "/api/v1/bookings", json=_body(venue), headers={**venue.stranger.headers, **key}
    )
    assert mine.status_code == 201 and theirs.status_code == 409


def test_failures_are_not_remembered(client: FlaskClient, venue: Venue) -> None:
    taken = client.post("/api/v1/bookings", json=_body(venue), headers=venue.stranger.headers)
    headers = {**venue.booker.headers, "Idempotency-Key": "after-409"}
    assert client.post("/api/v1/bookings", json=_body(venue), headers=headers).status_code == 409
    client.post(
        f"/api/v1/bookings/{taken.json['id']}/cancel", json={}, headers=venue.stranger.headers
    )
    retry = client.post("/api/v1/bookings", json=_body(venue), headers=headers)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers


def test_series_retries_are_idempotent(client: FlaskClient, venue: Venue) -> None:
    headers = {**venue.booker.headers, "Idempotency-Key": "series-1"}
    body = {**_body(venue), "rrule": "FREQ=WEEKLY;COUNT=3"}
    first = client.post("/api/v1/series", json=body, headers=headers)
    again = client.post("/api/v1/series", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert _count(venue) == 3


def test_key_format_is_checked(client: FlaskClient, venue: Venue) -> None:
    for key in ("x" * 256, "with space", "é"):
        headers = {**venue.booker.headers, "Idempotency-Key": key}
        response = client.post("/api/v1/bookings", json=_body(venue), headers=headers)
        assert response.status_code == 422 and response.json["code"] == "invalid_idempotency_key"
    anonymous = client.post("/api/v1/bookings", json=_body(venue), headers={"Idempotency-Key": "a"})
    assert anonymous.status_code == 401


def test_keys_are_stored_in_the_database(client: FlaskClient, venue: Venue) -> None:
    headers = {**venue.booker.headers, "Idempotency-Key": "stored"}
    client.post("/api/v1/bookings", json=_body(venue), headers=headers)
    row = venue.make.run(
        lambda: db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "stored"))
    )
    assert row.account_id == venue.booker.id and row.status_code == 201 and '"id"' in row.body


def test_booking_writes_are_rate_limited(database_url: str, app: Flask) -> None:
    limited = make_test_app(database_url, BOOKING_WRITE_RATE_LIMIT="2 per minute")
    try:
        make = Factory(limited)
        place = make.place(opening_hours="24/7")
        room = make.room(place)
        caller = make.account()
        client = limited.test_client()
        day = upcoming(14)
        codes = []
        for hour in (10, 12, 14):
            body = {
                "room_id": room,
                "start": local(day, f"{hour}:00"),
                "end": local(day, f"{hour + 1}:00"),
                "title": "Snel",
            }
            response = client.post("/api/v1/bookings", json=body, headers=caller.headers)
            codes.append(response.status_code)
        assert codes == [201, 201, 429]
        assert response.json["code"] == "rate_limited" and response.headers["Retry-After"]
        # Another caller has a budget of their own.
        other = make.account()
        body["start"], body["end"] = local(day, "16:00"), local(day, "17:00")
        assert client.post("/api/v1/bookings", json=body, headers=other.headers).status_code == 201
    finally:
        _empty_all_tables(limited)
        with limited.app_context():
            db.engine.dispose()
