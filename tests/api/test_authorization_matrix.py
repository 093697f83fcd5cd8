"""Every endpoint of the foundation, for every kind of caller, with the expected status."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.booking_helpers import local, upcoming
from tests.factories import ANONYMOUS_HEADERS, Caller, Factory

ROLES = ("anonymous", "person", "host", "other_host", "organisation", "admin")
_emails = itertools.count(1)


@dataclass
class World:
    """Two places with their own hosts, and everything else the endpoints need."""

    make: Factory
    client: FlaskClient
    place: int
    other_place: int
    room: int
    neighbourhood: int
    callers: dict[str, Caller | None]

    def headers(self, role: str) -> dict[str, str]:
        caller = self.callers[role]
        return caller.headers if caller else ANONYMOUS_HEADERS


@pytest.fixture
def world(make: Factory, client: FlaskClient) -> World:
    place = make.place()
    other_place = make.place()
    callers: dict[str, Caller | None] = {
        "anonymous": None,
        "person": make.account(),
        "host": make.account(hosts=[place]),
        "other_host": make.account(hosts=[other_place]),
        "organisation": make.account(kind="organisation"),
        "admin": make.account(admin=True),
    }
    return World(
        make=make,
        client=client,
        place=place,
        other_place=other_place,
        room=make.room(place),
        neighbourhood=make.neighbourhood(),
        callers=callers,
    )


Request = tuple[str, str, Any]  # method, path, json body


def fixed(method: str, path: str, body: Any = None) -> Callable[[World], Request]:
    return lambda w: (method, path.format(w=w), body)


def new_room_delete(w: World) -> Request:
    return ("DELETE", f"/api/v1/rooms/{w.make.room(w.place)}", None)


def new_place_delete(w: World) -> Request:
    return ("DELETE", f"/api/v1/places/{w.make.place()}", None)


def new_closure_delete(w: World) -> Request:
    from datetime import UTC, datetime

    closure = w.make.closure(
        w.place, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC)
    )
    return ("DELETE", f"/api/v1/closures/{closure}", None)


def new_host_delete(w: World) -> Request:
    host = w.make.account(hosts=[w.place])
    return ("DELETE", f"/api/v1/places/{w.place}/hosts/{host.id}", None)


def new_host_add(w: World) -> Request:
    return ("POST", f"/api/v1/places/{w.place}/hosts", {"account_id": w.make.account().id})


def sign_up(w: World) -> Request:
    return ("POST", "/api/v1/accounts", {"name": "New", "email": f"new{next(_emails)}@x.nl"})


def new_organisation(w: World) -> Request:
    return (
        "POST",
        "/api/v1/accounts/organisations",
        {"name": "School", "email": f"org{next(_emails)}@x.nl"},
    )


def _booking_body(w: World) -> dict[str, Any]:
    """A free hour: each request gets a fresh, always-open room of the world's place."""
    room = w.make.room(w.place, opening_hours="24/7")
    day = upcoming(10)
    return {
        "room_id": room,
        "title": "Matrix",
        "start": local(day, "10:00"),
        "end": local(day, "11:00"),
    }


def _booked(w: World) -> int:
    caller = w.callers["person"]
    assert caller is not None
    response = w.client.post("/api/v1/bookings", json=_booking_body(w), headers=caller.headers)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def _series(w: World) -> int:
    caller = w.callers["person"]
    assert caller is not None
    body = {**_booking_body(w), "rrule": "FREQ=DAILY;COUNT=2"}
    response = w.client.post("/api/v1/series", json=body, headers=caller.headers)
    assert response.status_code == 201, response.json
    return int(response.json["series"]["id"])


def new_booking(w: World) -> Request:
    return ("POST", "/api/v1/bookings", _booking_body(w))


def new_series(w: World) -> Request:
    return ("POST", "/api/v1/series", {**_booking_body(w), "rrule": "FREQ=WEEKLY;COUNT=2"})


def on_booking(method: str, suffix: str = "", body: Any = None) -> Callable[[World], Request]:
    return lambda w: (method, f"/api/v1/bookings/{_booked(w)}{suffix}", body)


def on_series(method: str, suffix: str = "", body: Any = None) -> Callable[[World], Request]:
    return lambda w: (method, f"/api/v1/series/{_series(w)}{suffix}", body)


CLOSURE = {
    "start": "2027-02-01T00:00:00+01:00",
    "end": "2027-02-08T00:00:00+01:00",
    "reason": "Holiday",
}

ALL = dict.fromkeys(ROLES, 200)
AUTHENTICATED = {**dict.fromkeys(ROLES, 200), "anonymous": 401}


def admin_only(ok: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": ok}


def manager_only(ok: int) -> dict[str, int]:
    return {**admin_only(ok), "host": ok}


def involved(ok: int) -> dict[str, int]:
    """The booker ("person"), the host of the place and admins."""
    return {**manager_only(ok), "person": ok}


CASES: list[tuple[str, Callable[[World], Request], dict[str, int]]] = [
    ("sign up", sign_up, dict.fromkeys(ROLES, 201)),
    ("own account", fixed("GET", "/api/v1/accounts/me"), AUTHENTICATED),
    ("create organisation", new_organisation, admin_only(201)),
    ("list tokens", fixed("GET", "/api/v1/tokens"), AUTHENTICATED),
    (
        "create token",
        fixed("POST", "/api/v1/tokens", {"name": "cli", "scopes": ["read"]}),
        {**dict.fromkeys(ROLES, 201), "anonymous": 401},
    ),
    ("list neighbourhoods", fixed("GET", "/api/v1/neighbourhoods"), ALL),
    (
        "create neighbourhood",
        fixed("POST", "/api/v1/neighbourhoods", {"name": "Nieuw", "city": "Rotterdam"}),
        admin_only(201),
    ),
    ("read neighbourhood", fixed("GET", "/api/v1/neighbourhoods/{w.neighbourhood}"), ALL),
    (
        "change neighbourhood",
        fixed("PATCH", "/api/v1/neighbourhoods/{w.neighbourhood}", {"name": "Andere"}),
        admin_only(200),
    ),
    ("list places", fixed("GET", "/api/v1/places"), ALL),
    (
        "create place",
        fixed("POST", "/api/v1/places", {"name": "Nieuw huis", "kind": "huiskamer"}),
        admin_only(201),
    ),
    ("read place", fixed("GET", "/api/v1/places/{w.place}"), ALL),
    (
        "change place",
        fixed("PATCH", "/api/v1/places/{w.place}", {"description": "Welkom"}),
        manager_only(200),
    ),
    ("delete place", new_place_delete, admin_only(204)),
    ("add host", new_host_add, admin_only(201)),
    # Hosts remove co-hosts too (DESIGN §16); the place keeps its first host.
    ("remove host", new_host_delete, manager_only(204)),
    ("list rooms", fixed("GET", "/api/v1/places/{w.place}/rooms"), ALL),
    (
        "create room",
        fixed("POST", "/api/v1/places/{w.place}/rooms", {"name": "Zaal", "capacity": 10}),
        manager_only(201),
    ),
    ("read room", fixed("GET", "/api/v1/rooms/{w.room}"), ALL),
    ("change room", fixed("PATCH", "/api/v1/rooms/{w.room}", {"capacity": 12}), manager_only(200)),
    ("delete room", new_room_delete, manager_only(204)),
    ("list closures", fixed("GET", "/api/v1/places/{w.place}/closures"), ALL),
    (
        "create closure",
        fixed("POST", "/api/v1/places/{w.place}/closures", CLOSURE),
        manager_only(201),
    ),
    ("delete closure", new_closure_delete, manager_only(204)),
    ("opening hours", fixed("GET", "/api/v1/places/{w.place}/opening-hours"), ALL),
    ("list bookings", fixed("GET", "/api/v1/bookings"), ALL),
    ("create booking", new_booking, {**dict.fromkeys(ROLES, 201), "anonymous": 401}),
    ("read booking", on_booking("GET"), ALL),
    ("change booking", on_booking("PATCH", "", {"title": "Anders"}), involved(200)),
    # The booking is already confirmed: those who may confirm get 409.
    ("confirm booking", on_booking("POST", "/confirm", {}), manager_only(409)),
    ("decline booking", on_booking("POST", "/decline", {}), manager_only(409)),
    ("cancel booking", on_booking("POST", "/cancel", {}), involved(200)),
    ("booking history", on_booking("GET", "/history"), involved(200)),
    ("create series", new_series, {**dict.fromkeys(ROLES, 201), "anonymous": 401}),
    ("read series", on_series("GET"), {**involved(200), "other_host": 404, "organisation": 404}),
    (
        "cancel series",
        on_series("POST", "/cancel", {}),
        {**involved(200), "other_host": 404, "organisation": 404},
    ),
]


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_authorization_matrix(
    client: FlaskClient,
    world: World,
    name: str,
    build: Callable[[World], Request],
    expected: dict[str, int],
) -> None:
    got = {}
    for role in ROLES:
        method, path, body = build(world)
        response = client.open(path, method=method, json=body, headers=world.headers(role))
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (role, response.data)
    assert got == expected


def test_a_host_token_without_manage_scope_cannot_manage(
    client: FlaskClient, make: Factory
) -> None:
    place = make.place()
    host = make.account(hosts=[place], scopes=["read", "book"])
    response = client.patch(
        f"/api/v1/places/{place}", json={"description": "x"}, headers=host.headers
    )
    assert response.status_code == 403
    assert response.json["code"] == "insufficient_scope"


def test_an_admin_token_without_admin_scope_is_not_admin(
    client: FlaskClient, make: Factory
) -> None:
    admin = make.account(admin=True, scopes=["read", "book"])
    response = client.post(
        "/api/v1/neighbourhoods", json={"name": "N", "city": "R"}, headers=admin.headers
    )
    assert response.status_code == 403
    assert response.json["code"] == "insufficient_scope"
