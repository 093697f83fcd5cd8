"""Places: filters, creation defaults, changes, hosts."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from booking.services.booking.policy import DEFAULT_POLICY
from tests.factories import Factory


def test_filters(client: FlaskClient, make: Factory) -> None:
    west = make.neighbourhood("Oude Westen")
    youth = make.place(
        name="Jongerenhuis", kind="jongeren", target_groups=["youth"], neighbourhood_id=west
    )
    church = make.place(
        name="Open Hof", kind="kerk", target_groups=["everyone", "youth-workers"], step_free=True
    )
    quiet = make.place(
        name="Stille Huiskamer",
        kind="huiskamer",
        description="Voor ouderen 100% welkom",
        target_groups=["elderly"],
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/places?{query}")
        assert response.status_code == 200
        return [p["id"] for p in response.json]

    assert ids("") == [youth, church, quiet]
    assert ids(f"neighbourhood={west}") == [youth]
    assert ids("neighbourhood=wijk-does-not-exist") == []
    assert ids("kind=kerk") == [church]
    assert ids("target_group=youth") == [youth]
    assert ids("step_free=true") == [church]
    assert ids("step_free=false") == [youth, quiet]
    assert ids("q=HUISKAMER") == [quiet]
    assert ids("q=100%25") == [quiet]
    assert ids("q=_") == []


def test_neighbourhood_filter_by_slug(client: FlaskClient, make: Factory) -> None:
    wijk = make.neighbourhood("Carnisse")
    place = make.place(neighbourhood_id=wijk)
    slug = client.get(f"/api/v1/neighbourhoods/{wijk}").json["slug"]
    assert [p["id"] for p in client.get(f"/api/v1/places?neighbourhood={slug}").json] == [place]


def test_pagination_header(client: FlaskClient, make: Factory) -> None:
    for _ in range(3):
        make.place()
    response = client.get("/api/v1/places?page=2&page_size=2")
    assert len(response.json) == 1
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


def test_create_place_with_defaults_and_contract_fields(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    response = client.post(
        "/api/v1/places",
        json={
            "name": "Huiskamer Slaghekbuurt",
            "kind": "huiskamer",
            "address": {"street": "Slaghekstraat 1", "postcode": "3074 LM", "city": "Rotterdam"},
            "accessibility": {"step_free": True, "ground_floor": True},
            "target_groups": ["elderly", "women"],
            "policy": {"requires_approval": True},
        },
        headers=admin.headers,
    )
    assert response.status_code == 201
    place = response.json
    assert place["slug"] == "huiskamer-slaghekbuurt"
    assert place["timezone"] == "Europe/Amsterdam"
    assert place["address"] == {
        "street": "Slaghekstraat 1",
        "postcode": "3074 LM",
        "city": "Rotterdam",
    }
    assert place["accessibility"] == {
        "step_free": True,
        "ground_floor": True,
        "accessible_toilet": False,
    }
    assert place["policy"] == {**DEFAULT_POLICY, "requires_approval": True}
    assert place["opening_hours"] == "Mo-Fr 09:00-17:00; PH off"
    again = client.post(
        "/api/v1/places",
        json={"name": "Huiskamer Slaghekbuurt", "kind": "huiskamer"},
        headers=admin.headers,
    )
    assert again.json["slug"] == "huiskamer-slaghekbuurt-2"


def test_host_changes_place_policy_by_merge(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    host = make.account(hosts=[place])
    response = client.patch(
        f"/api/v1/places/{place}",
        json={"policy": {"buffer_minutes": 15}, "opening_hours": "Mo-Sa 10:00-22:00; PH off"},
        headers=host.headers,
    )
    assert response.status_code == 200
    assert response.json["policy"] == {**DEFAULT_POLICY, "buffer_minutes": 15}
    assert response.json["opening_hours"] == "Mo-Sa 10:00-22:00; PH off"


def test_invalid_opening_hours_and_policy_are_refused(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    host = make.account(hosts=[place])
    response = client.patch(
        f"/api/v1/places/{place}", json={"opening_hours": "sometimes"}, headers=host.headers
    )
    assert response.status_code == 422 and response.json["code"] == "invalid_opening_hours"
    response = client.patch(
        f"/api/v1/places/{place}",
        json={"policy": {"min_duration_minutes": 600, "max_duration_minutes": 120}},
        headers=host.headers,
    )
    assert response.status_code == 422 and response.json["code"] == "invalid_policy"
    assert client.get(f"/api/v1/places/{place}").json["policy"] == DEFAULT_POLICY


def test_unknown_neighbourhood_and_taken_slug(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    response = client.post(
        "/api/v1/places",
        json={"name": "A", "kind": "kerk", "neighbourhood_id": 999},
        headers=admin.headers,
    )
    assert response.status_code == 422 and response.json["code"] == "unknown_neighbourhood"
    make.place(slug="taken")
    response = client.post(
        "/api/v1/places", json={"name": "A", "kind": "kerk", "slug": "taken"}, headers=admin.headers
    )
    assert response.status_code == 409 and response.json["code"] == "slug_taken"


def test_hosts_appear_on_the_account(client: FlaskClient, make: Factory) -> None:
    admin, person = make.account(admin=True), make.account()
    place = make.place()
    response = client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": person.id}, headers=admin.headers
    )
    assert [a["account_id"] for a in response.json] == [person.id]
    again = client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": person.id}, headers=admin.headers
    )
    assert [a["account_id"] for a in again.json] == [person.id]
    # POST answers what GET lists (web 4, item 12).
    listed = client.get(f"/api/v1/places/{place}/hosts", headers=admin.headers)
    assert listed.json == again.json and set(listed.json[0]) == {"account_id", "name", "email"}
    me = client.get("/api/v1/accounts/me", headers=person.headers).json
    assert me["hosted_place_ids"] == [place] and "host" in me["roles"]
    # The only host stays (DESIGN §16); with a second one, the first may go.
    alone = client.delete(f"/api/v1/places/{place}/hosts/{person.id}", headers=admin.headers)
    assert alone.status_code == 409 and alone.json["code"] == "last_host"
    second = make.account(name="Tweede")
    client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": second.id}, headers=admin.headers
    )
    assert (
        client.delete(
            f"/api/v1/places/{place}/hosts/{person.id}", headers=admin.headers
        ).status_code
        == 204
    )
    assert (
        client.delete(
            f"/api/v1/places/{place}/hosts/{person.id}", headers=admin.headers
        ).status_code
        == 404
    )
    response = client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": 424242}, headers=admin.headers
    )
    assert response.status_code == 422 and response.json["code"] == "unknown_account"


def test_deleting_a_place_removes_its_rooms(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    place = make.place()
    room = make.room(place)
    assert client.delete(f"/api/v1/places/{place}", headers=admin.headers).status_code == 204
    assert client.get(f"/api/v1/rooms/{room}").status_code == 404


def test_neighbourhood_slugs_are_unique_and_generated(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)

    def create(body: dict):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/neighbourhoods", json=body, headers=admin.headers)

    assert create({"name": "Centrum", "city": "Rotterdam"}).json["slug"] == "centrum"
    assert create({"name": "Centrum", "city": "Delft"}).json["slug"] == "centrum-2"
    response = create({"name": "Noord", "city": "Delft", "slug": "centrum"})
    assert response.status_code == 409 and response.json["code"] == "slug_taken"


def test_places_open_on_a_weekday_and_part_of_the_day(client: FlaskClient, make: Factory) -> None:
    evenings = make.place(name="Avondhuis", opening_hours="Tu,Th 18:00-22:00")
    mornings = make.place(name="Ochtendhuis", opening_hours="Mo-Fr 08:00-12:00")
    roomless = make.place(name="Zonder zalen", opening_hours="Mo-Su 00:00-24:00")
    closed_room = make.place(name="Dicht", opening_hours="Mo-Fr 09:00-22:00")
    make.room(evenings)
    make.room(mornings)
    make.room(closed_room, bookable=False)
    # A room's own hours count, not only the place's.
    late_room_place = make.place(name="Late zaal", opening_hours="Mo-Fr 09:00-12:00")
    make.room(late_room_place, opening_hours="We 19:00-23:00")

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/places?{query}")
        assert response.status_code == 200, response.json
        return [p["name"] for p in response.json]

    assert names("time_of_day=evening") == ["Avondhuis", "Late zaal"]
    assert names("weekdays=tu&time_of_day=evening") == ["Avondhuis"]
    assert names("weekdays=we,th&between=20:00-21:00") == ["Avondhuis", "Late zaal"]
    assert names("weekdays=sa") == []
    assert names("time_of_day=morning") == ["Ochtendhuis"]  # the late room keeps its own hours
    assert names("between=12:00-13:00") == []  # closing at 12:00 is not open at 12:00
    assert names(f"place={evenings}&place={mornings}&place={roomless}") == [
        "Avondhuis",
        "Ochtendhuis",
        "Zonder zalen",
    ]
    paged = client.get("/api/v1/places?time_of_day=evening&page_size=1&page=2")
    assert [p["name"] for p in paged.json] == ["Late zaal"]
    assert json.loads(paged.headers["X-Pagination"])["total"] == 2
    both = client.get("/api/v1/places?time_of_day=evening&between=17:00-18:00")
    assert both.status_code == 422 and "between" in json.dumps(both.json["errors"])


def test_between_takes_only_real_clock_times(client: FlaskClient) -> None:
    for span in ("16:50-24:13", "24:00-10:00", "09:60-10:00", "9:00-10:00"):
        for path in ("/api/v1/places", "/api/v1/availability"):
            response = client.get(f"{path}?between={span}")
            assert response.status_code == 422, (path, span)
    assert client.get("/api/v1/places?between=20:00-24:00").status_code == 200
