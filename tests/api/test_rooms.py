"""Rooms: policy overrides, opening-hours overrides, combinable rooms."""

from __future__ import annotations

from flask.testing import FlaskClient

from booking.services.booking.policy import DEFAULT_POLICY
from tests.factories import Factory


def test_room_policy_overrides_merge_and_can_be_removed(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    host = make.account(hosts=[place])
    room = client.post(
        f"/api/v1/places/{place}/rooms",
        json={
            "name": "Zaal",
            "capacity": 30,
            "facilities": ["piano"],
            "policy": {"requires_approval": True},
        },
        headers=host.headers,
    ).json
    assert room["policy"] == {"requires_approval": True}
    assert room["effective_policy"] == {**DEFAULT_POLICY, "requires_approval": True}
    assert room["opening_hours"] is None and room["part_ids"] == [] and room["bookable"] is True
    changed = client.patch(
        f"/api/v1/rooms/{room['id']}",
        json={"policy": {"requires_approval": None, "buffer_minutes": 30}},
        headers=host.headers,
    ).json
    assert changed["policy"] == {"buffer_minutes": 30}


def test_combinable_room_from_parts(client: FlaskClient, make: Factory) -> None:
    place, elsewhere = make.place(), make.place()
    host = make.account(hosts=[place])
    a, b = make.room(place, name="A"), make.room(place, name="B")
    foreign = make.room(elsewhere)

    def create(part_ids: list[int]):  # type: ignore[no-untyped-def]
        return client.post(
            f"/api/v1/places/{place}/rooms",
            json={"name": "Hall", "capacity": 80, "part_ids": part_ids},
            headers=host.headers,
        )

    hall = create([a, b])
    assert hall.status_code == 201 and hall.json["part_ids"] == [a, b]
    for bad in ([a], [a, a], [a, foreign], [a, 987654], [a, hall.json["id"]]):
        response = create(bad)
        assert response.status_code == 422 and response.json["code"] == "invalid_parts", bad
    # A part cannot itself get parts, and cannot be deleted while it is a part.
    response = client.patch(
        f"/api/v1/rooms/{a}", json={"part_ids": [b, make.room(place)]}, headers=host.headers
    )
    assert response.status_code == 422 and response.json["code"] == "invalid_parts"
    response = client.delete(f"/api/v1/rooms/{a}", headers=host.headers)
    assert response.status_code == 409 and response.json["code"] == "room_is_part"
    assert (
        client.delete(f"/api/v1/rooms/{hall.json['id']}", headers=host.headers).status_code == 204
    )
    assert client.delete(f"/api/v1/rooms/{a}", headers=host.headers).status_code == 204


def test_room_opening_hours_are_validated(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    host = make.account(hosts=[place])
    room = make.room(place)
    response = client.patch(
        f"/api/v1/rooms/{room}", json={"opening_hours": "nope"}, headers=host.headers
    )
    assert response.status_code == 422 and response.json["code"] == "invalid_opening_hours"
    response = client.patch(
        f"/api/v1/rooms/{room}", json={"opening_hours": "Sa 10:00-12:00"}, headers=host.headers
    )
    assert response.json["opening_hours"] == "Sa 10:00-12:00"
    response = client.patch(
        f"/api/v1/rooms/{room}", json={"opening_hours": None}, headers=host.headers
    )
    assert response.json["opening_hours"] is None
