"""Malformed and hostile input is a 4xx problem with nothing written, never a 500."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Booking, Initiative, Place
from tests.booking_helpers import book, local, upcoming
from tests.factories import Factory
from tests.venue import Venue

PROBLEM = "application/problem+json"


def count(make: Factory, model: type) -> int:
    return int(make.run(lambda: db.session.scalar(select(func.count()).select_from(model))))


@pytest.mark.parametrize(
    "query",
    [
        "neighbourhood=%C2%B2",  # a superscript two: a digit, but not an ASCII one
        "neighbourhood=99999999999999999999",
        "neighbourhood=%D9%A3",  # an Arabic-Indic three
        "q=a%00b",
        "target_group=%00",
    ],
)
def test_odd_place_filters_are_answered_without_error(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/v1/places?{query}")
    assert response.status_code in (200, 422), response.json
    if response.status_code == 422:
        assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/availability?place=%C2%B2",
        "/api/v1/availability?place=99999999999999999999",
        "/api/v1/bookings?room=%D9%A3",
        "/api/v1/initiatives?neighbourhood=4294967296",
    ],
)
def test_ids_take_ascii_digits_within_range(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422 and response.mimetype == PROBLEM


def test_nul_in_a_query_is_refused(client: FlaskClient) -> None:
    response = client.get("/api/v1/places?q=Oost%00")
    assert response.status_code == 422 and response.json["code"] == "invalid_character"


def test_nul_in_any_text_field_writes_nothing(
    client: FlaskClient, make: Factory, venue: Venue
) -> None:
    day = upcoming(10)
    for field in ("title", "description"):
        body = {
            "room_id": venue.a,
            "start": local(day, "10:00"),
            "end": local(day, "11:00"),
            "title": "Taalcafé",
            field: "Taal\x00café",
        }
        response = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
        assert response.status_code == 422, response.json
        assert response.json["code"] == "invalid_character" and field in response.json["errors"]
    initiative = {"title": "Naai\x00club", "summary": "x", "target_groups": ["everyone"]}
    response = client.post("/api/v1/initiatives", json=initiative, headers=venue.booker.headers)
    assert response.status_code == 422
    assert count(make, Booking) == 0 and count(make, Initiative) == 0


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\\ud800", "kind": "huiskamer"}',  # a lone surrogate
        b'{"name": "\\udfff x", "kind": "huiskamer"}',
        b'{"name": "A\\ufffe", "kind": "huiskamer"}',  # a non-character
        b'{"name": "A", "kind": "huiskamer", "description": "\\u0007"}',
    ],
)
def test_surrogates_and_non_characters_are_refused(
    client: FlaskClient, make: Factory, raw: bytes
) -> None:
    admin = make.account(admin=True)
    response = client.post(
        "/api/v1/places",
        data=raw,
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json["code"] == "invalid_character"
    assert count(make, Place) == 0


def test_deeply_nested_json_is_refused(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    body = b"[" * 100_000 + b"]" * 100_000  # 200 KB: Python's parser would recurse too deep
    response = client.post(
        "/api/v1/places", data=body, headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json["code"] == "json_too_deep"
    nested = {"name": "A", "kind": "huiskamer", "address": {"street": json.dumps([[[[1]]]])}}
    assert client.post("/api/v1/places", json=nested, headers=admin.headers).status_code == 201


def test_huge_numbers_are_refused(client: FlaskClient, make: Factory, venue: Venue) -> None:
    admin = make.account(admin=True)
    for raw in (b'{"name": "A", "kind": "huiskamer", "neighbourhood_id": ' + b"9" * 5000 + b"}",):
        response = client.post(
            "/api/v1/places",
            data=raw,
            headers={**admin.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422 and response.json["code"] == "number_too_large"
    response = client.patch(
        f"/api/v1/rooms/{venue.a}",
        data=b'{"capacity": 1e999}',
        headers={**venue.host.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    response = client.patch(
        f"/api/v1/rooms/{venue.a}",
        data=b'{"capacity": NaN}',
        headers={**venue.host.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json["code"] == "malformed_json"
    assert count(make, Place) == 1


def test_a_title_empty_once_cleaned_is_refused(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(10)
    for title in ("\u2028\u2029", "\r\n\t", "\x85 "):
        body = {
            "room_id": venue.a,
            "start": local(day, "10:00"),
            "end": local(day, "11:00"),
            "title": title,
        }
        response = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
        assert response.status_code == 422, (title, response.json)


class TestAuthenticationComesFirst:
    def test_an_anonymous_write_with_a_bad_body_is_401(self, client: FlaskClient) -> None:
        for method, url in (
            ("POST", "/api/v1/places"),
            ("POST", "/api/v1/bookings"),
            ("PATCH", "/api/v1/places/1"),
            ("POST", "/api/v1/series"),
            ("POST", "/api/v1/tokens"),
        ):
            response = client.open(url, method=method, json={"nonsense": True})
            assert response.status_code == 401, (method, url, response.json)
            assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_an_anonymous_delete_of_an_unknown_id_is_401(self, client: FlaskClient) -> None:
        for url in ("/api/v1/places/999", "/api/v1/rooms/999", "/api/v1/closures/999"):
            assert client.delete(url).status_code == 401, url

    def test_an_anonymous_report_with_unknown_parameters_is_401(self, client: FlaskClient) -> None:
        assert client.get("/api/v1/reports/usage?place=x&bogus=1").status_code == 401


class TestQueryParameters:
    def test_unknown_parameters_are_named(self, client: FlaskClient, make: Factory) -> None:
        response = client.get("/api/v1/availability?stepfree=true&colour=red")
        assert response.status_code == 422 and response.json["code"] == "unknown_parameter"
        assert response.json["unknown"] == ["colour", "stepfree"]
        admin = make.account(admin=True)
        response = client.get(
            "/api/v1/reports/usage?from=2027-01-01&to=2027-01-07&plaats=27", headers=admin.headers
        )
        assert response.status_code == 422 and response.json["unknown"] == ["plaats"]
        assert client.get("/api/v1/places/1?x=1").status_code == 422

    def test_pagination_parameters_are_known(self, client: FlaskClient) -> None:
        assert client.get("/api/v1/places?page=1&page_size=5").status_code == 200

    def test_a_single_valued_parameter_given_twice_is_refused(self, client: FlaskClient) -> None:
        response = client.get("/api/v1/places?q=a&q=b")
        assert response.status_code == 422 and response.json["code"] == "repeated_parameter"

    def test_repeated_filters_use_every_value(
        self, client: FlaskClient, make: Factory, venue: Venue
    ) -> None:
        other = make.place(opening_hours="Mo-Su 08:00-22:00")
        other_room = make.room(other, name="Elders")
        third = make.place(opening_hours="Mo-Su 08:00-22:00")
        make.room(third, name="Nergens")
        day = upcoming(10)
        window = f"from={day.isoformat()}&to={day.isoformat()}"
        found = client.get(f"/api/v1/availability?{window}&place={venue.place}&place={other}")
        assert found.status_code == 200
        assert {slot["place_id"] for slot in found.json} == {venue.place, other}
        for room in (venue.a, other_room):
            made = client.post(
                "/api/v1/bookings",
                json={
                    "room_id": room,
                    "start": local(day, "10:00"),
                    "end": local(day, "11:00"),
                    "title": "Open",
                    "visibility": "public",
                },
                headers=venue.booker.headers,
            )
            assert made.status_code == 201, made.json
        listed = client.get(f"/api/v1/bookings?room={venue.a}&room={other_room}&{window}")
        assert {b["room_id"] for b in listed.json} == {venue.a, other_room}
        places = client.get("/api/v1/places?kind=buurthuis&kind=huiskamer&q=Place")
        assert places.status_code == 200 and len(places.json) == 3
        admin = venue.admin
        report = client.get(
            f"/api/v1/reports/usage?{window}&place={venue.place}&place={other}",
            headers=admin.headers,
        )
        assert report.status_code == 200
        assert {row["place_id"] for row in report.json} == {venue.place, other}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/bookings?from=0001-01-01T14%3A57%3A42.62%2B18%3A37",  # found by schemathesis
        "/api/v1/availability?from=9999-12-31T23%3A59%3A59-23%3A59",
        "/api/v1/bookings?to=0001-01-01",
    ],
)
def test_times_at_the_edge_of_the_calendar_are_a_422(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422 and response.mimetype == PROBLEM


def test_head_is_guarded_like_get(client: FlaskClient) -> None:
    assert client.head("/api/v1/places?colour=red").status_code == 422
    assert client.head("/api/v1/tokens").status_code == 401


def test_an_operation_that_takes_a_body_needs_one(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    response = client.patch("/api/v1/accounts/me", headers=person.headers)
    assert response.status_code == 422 and response.json["code"] == "body_required"
    assert client.patch("/api/v1/accounts/me", json={}, headers=person.headers).status_code == 200
    assert client.post("/api/v1/feed-tokens", headers=person.headers).status_code == 201


def test_json_booleans_are_true_or_false(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    for value in (0, 1, "true", "yes"):
        response = client.patch(
            "/api/v1/accounts/me", json={"email_notifications": value}, headers=person.headers
        )
        assert response.status_code == 422, value
    assert client.get("/api/v1/places?step_free=true").status_code == 200  # query text stays


@pytest.mark.parametrize(
    "title", ["\ufeff", "\u200b\u200b", "\u2060 \u200d", "\u3164", " \u00a0\u200e "]
)
def test_a_title_of_invisible_characters_is_refused_like_an_empty_one(
    client: FlaskClient, venue: Venue, title: str
) -> None:
    """An empty SUMMARY fails libical's check on every feed holding it (security 3, 8)."""
    answer = book(client, venue.booker, venue.a, upcoming(5), "10:00", "11:00", title=title)
    assert answer.status_code == 422 and "title" in answer.json["errors"], answer.json
    readable = book(
        client, venue.booker, venue.a, upcoming(5), "10:00", "11:00", title="\u200bKoor"
    )
    assert readable.status_code == 201
