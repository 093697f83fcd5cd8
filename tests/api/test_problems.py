"""Every error is application/problem+json with a stable code; inputs are bounded."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.booking_helpers import book, local, upcoming
from tests.conftest import make_test_app
from tests.factories import Factory
from tests.venue import Venue

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(code)
    return body


def test_401_without_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/accounts/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_403_for_a_person_on_an_admin_endpoint(client: FlaskClient, make: Factory) -> None:
    response = client.post(
        "/api/v1/places", json={"name": "x", "kind": "kerk"}, headers=make.account().headers
    )
    assert_problem(response, 403, "admin_required")


def test_404_for_unknown_objects_and_urls(client: FlaskClient) -> None:
    assert_problem(client.get("/api/v1/places/12345"), 404, "not_found")
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")


@pytest.mark.parametrize("place_id", ["99999999999999999999", "2147483648", "0", "-1"])
def test_ids_out_of_range_are_404_not_500(client: FlaskClient, place_id: str) -> None:
    assert_problem(client.get(f"/api/v1/places/{place_id}"), 404, "not_found")
    assert_problem(client.get(f"/api/v1/rooms/{place_id}"), 404, "not_found")


def test_ids_out_of_range_in_a_body_are_422(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    place = make.place()
    response = client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": 2**40}, headers=admin.headers
    )
    assert "account_id" in assert_problem(response, 422, "validation_error")["errors"]


def test_405_keeps_its_allow_header(client: FlaskClient) -> None:
    response = client.put("/api/v1/places")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_422_lists_the_fields(client: FlaskClient) -> None:
    response = client.post("/api/v1/accounts", json={"name": "", "email": "nope", "role": "admin"})
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"name", "email", "role"}
    assert body["errors"]["role"] == ["Unknown field."]


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/accounts", data="{oops", content_type="application/json")
    assert_problem(response, 400, "malformed_json")


def test_413_for_a_huge_body(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/accounts", data="x" * (300 * 1024), content_type="application/json"
    )
    assert_problem(response, 413, "payload_too_large")


def test_naive_datetimes_are_422(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    host = make.account(hosts=[place])
    response = client.post(
        f"/api/v1/places/{place}/closures",
        json={"start": "2027-01-01T00:00:00", "end": "2027-01-02T00:00:00+01:00"},
        headers=host.headers,
    )
    assert set(assert_problem(response, 422, "validation_error")["errors"]) == {"start"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 161),
        ("description", "x" * 5001),
        ("target_groups", ["ok"] * 21),
        ("target_groups", ["Not A Slug"]),
        ("timezone", "Mars/Olympus"),
        ("contact_email", "not-an-email"),
        ("kind", "castle"),
        ("policy", {"buffer_minutes": 10_000}),
        ("policy", {"granularity_minutes": 7}),
        ("address", {"postcode": "x" * 17}),
        ("neighbourhood_id", 0),
    ],
)
def test_place_fields_are_bounded(
    client: FlaskClient, make: Factory, field: str, value: object
) -> None:
    admin = make.account(admin=True)
    response = client.post(
        "/api/v1/places",
        json={"name": "Huis", "kind": "huiskamer", field: value},
        headers=admin.headers,
    )
    assert field in assert_problem(response, 422, "validation_error")["errors"]


def test_page_size_is_capped(client: FlaskClient) -> None:
    response = client.get("/api/v1/places?page_size=101")
    assert "page_size" in assert_problem(response, 422, "validation_error")["errors"]


def test_opening_hours_range_is_capped(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    response = client.get(f"/api/v1/places/{place}/opening-hours?from=2027-01-01&to=2027-06-01")
    assert_problem(response, 422, "range_too_long")
    response = client.get(f"/api/v1/places/{place}/opening-hours?from=2027-01-05&to=2027-01-01")
    assert "to" in assert_problem(response, 422, "validation_error")["errors"]


def test_sign_up_is_rate_limited(database_url: str) -> None:
    limited: Flask = make_test_app(
        database_url, SIGNUP_RATE_LIMIT="2 per minute", RATELIMIT_KEY_PREFIX="ratelimit-test"
    )
    client = limited.test_client()
    statuses = [
        client.post("/api/v1/accounts", json={"name": "A", "email": "bad"}).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]
    response = client.post("/api/v1/accounts", json={"name": "A", "email": "bad"})
    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/api/v1/places", "/api/v1/neighbourhoods"])
def test_absurd_page_numbers_are_422_not_500(client: FlaskClient, path: str) -> None:
    response = client.get(f"{path}?page=99999999999999999999")
    assert "page" in assert_problem(response, 422, "validation_error")["errors"]
    assert client.get(f"{path}?page=1000").json == []


@pytest.mark.parametrize(
    "query", ["from=9999-12-30&to=9999-12-31", "from=0001-01-01&to=0001-01-02"]
)
def test_dates_at_the_edge_of_the_calendar_are_422(
    client: FlaskClient, make: Factory, query: str
) -> None:
    response = client.get(f"/api/v1/places/{make.place()}/opening-hours?{query}")
    assert assert_problem(response, 422, "validation_error")["errors"]


def test_error_texts_say_what_to_do(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    place = make.place()
    naive = client.post(
        "/api/v1/bookings",
        json={
            "room_id": 1,
            "start": "2027-01-12T19:00:00",
            "end": "2027-01-12T21:00:00",
            "title": "x",
        },
        headers=admin.headers,
    )
    assert "Add an offset such as +01:00 or Z" in naive.json["errors"]["start"][0]
    bad = client.patch(
        f"/api/v1/places/{place}",
        json={"opening_hours": "Mx-Fr 09:00-17:00"},
        headers=admin.headers,
    )
    assert bad.status_code == 422 and "at character 1" in bad.json["detail"]
    school = client.patch(
        f"/api/v1/places/{place}",
        json={"opening_hours": "Mo-Fr 09:00-17:00; SH off"},
        headers=admin.headers,
    )
    assert school.status_code == 422 and "School holidays (SH)" in school.json["detail"]


def test_a_closed_room_says_why(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(9)
    client.post(
        f"/api/v1/places/{venue.place}/closures",
        json={"start": local(day, "00:00"), "end": local(day, "23:00"), "reason": "Verbouwing"},
        headers=venue.host.headers,
    )
    refused = book(client, venue.booker, venue.a, day, "10:00", "11:00")
    assert refused.json["code"] == "closed" and "Verbouwing" in refused.json["detail"]


def test_a_row_gone_under_the_request_is_a_409_not_a_500(clean_app: Flask, make: Factory) -> None:
    """A place deleted while its host changes it (the probe met this as a host removed while
    the place was deleted): the ORM's UPDATE matches no row (StaleDataError)."""
    from sqlalchemy import delete, event

    from booking.models import Place

    place = make.place(name="Weg")
    host = make.account(hosts=[place])

    def gone_meanwhile(_mapper, connection, row) -> None:  # type: ignore[no-untyped-def]
        connection.execute(delete(Place).where(Place.id == row.id))

    event.listen(Place, "before_update", gone_meanwhile)
    try:
        answer = clean_app.test_client().patch(
            f"/api/v1/places/{place}", json={"description": "Nieuw"}, headers=host.headers
        )
    finally:
        event.remove(Place, "before_update", gone_meanwhile)
    body = assert_problem(answer, 409, "changed_meanwhile")
    assert "load it again" in body["detail"]


def test_the_api_introduces_itself(client: FlaskClient) -> None:
    """Web 4, item 12: /api/v1/ links to the docs, the OpenAPI document and the collections,
    and the OpenAPI description is a short getting started."""
    index = client.get("/api/v1/")
    assert index.status_code == 200
    links = index.json
    assert links["docs"].endswith("/api/v1/docs")
    assert links["openapi"].endswith("/api/v1/openapi.json")
    assert {"places", "bookings", "availability", "initiatives"} <= set(links["collections"])
    assert client.get(links["collections"]["places"].split("localhost")[-1]).status_code == 200
    description = client.get("/api/v1/openapi.json").json["info"]["description"]
    for part in ("Getting a token", "Scopes", "Idempotency-Key", "X-Pagination", "Webhooks"):
        assert part in description, part


def test_a_json_body_sent_as_text_is_415(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    sent = client.post(
        "/api/v1/tokens",
        data='{"name": "x", "scopes": ["read"]}',
        headers={**person.headers, "Content-Type": "text/plain"},
    )
    body = assert_problem(sent, 415, "unsupported_media_type")
    assert "application/json" in body["detail"]
    signed_up = client.post(
        "/api/v1/accounts", data='{"name": "A", "email": "a@example.nl"}', content_type="text/plain"
    )
    assert_problem(signed_up, 415, "unsupported_media_type")
