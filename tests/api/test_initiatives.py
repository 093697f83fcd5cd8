"""Initiatives: the state machine, who may change them, filters, and who may book for them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Initiative
from booking.models.initiative import INITIATIVE_STATUSES, TRANSITIONS
from tests.booking_helpers import book, local, upcoming
from tests.factories import Caller
from tests.venue import Venue


def create(client: FlaskClient, caller: Caller, **fields: Any) -> dict[str, Any]:
    body = {"title": "Repair café", **fields}
    response = client.post("/api/v1/initiatives", json=body, headers=caller.headers)
    assert response.status_code == 201, response.json
    return dict(response.json)


def set_status(venue: Venue, initiative_id: int, status: str) -> None:
    def apply() -> None:
        initiative = db.session.get(Initiative, initiative_id)
        assert initiative is not None
        initiative.status = status
        db.session.commit()

    venue.make.run(apply)


PAIRS = [(a, b) for a in INITIATIVE_STATUSES for b in INITIATIVE_STATUSES]


@pytest.mark.parametrize(("start", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused(
    client: FlaskClient, venue: Venue, start: str, to: str
) -> None:
    initiative = create(client, venue.booker)
    set_status(venue, initiative["id"], start)
    body: dict[str, Any] = {"to": to, "note": "Na de proefperiode"}
    if to == "ended":
        body["outcome"] = "continued"
    url = f"/api/v1/initiatives/{initiative['id']}/transition"
    response = client.post(url, json=body, headers=venue.booker.headers)
    if to in TRANSITIONS[start]:
        assert response.status_code == 200, response.json
        assert response.json["status"] == to
        (step,) = response.json["transitions"]
        assert (step["from_status"], step["to_status"], step["actor_id"]) == (
            start,
            to,
            venue.booker.id,
        )
        assert step["at"] and step["note"] == "Na de proefperiode"
    else:
        assert response.status_code == 409 and response.json["code"] == "invalid_transition"


def test_the_whole_life_and_the_outcome(client: FlaskClient, venue: Venue) -> None:
    initiative = create(client, venue.booker)
    url = f"/api/v1/initiatives/{initiative['id']}/transition"
    for to in ("trial", "running"):
        assert client.post(url, json={"to": to}, headers=venue.booker.headers).status_code == 200
    no_outcome = client.post(url, json={"to": "ended"}, headers=venue.booker.headers)
    assert no_outcome.status_code == 422 and no_outcome.json["code"] == "outcome_required"
    early = client.post(
        url, json={"to": "ended", "outcome": "sideways"}, headers=venue.booker.headers
    )
    assert early.status_code == 422
    ended = client.post(
        url,
        json={"to": "ended", "outcome": "moved", "note": "Verhuisd naar de bibliotheek"},
        headers=venue.admin.headers,
    )
    assert ended.status_code == 200 and ended.json["outcome"] == "moved"
    assert [s["to_status"] for s in ended.json["transitions"]] == ["trial", "running", "ended"]
    assert ended.json["transitions"][-1]["actor_id"] == venue.admin.id
    lessons = client.patch(
        f"/api/v1/initiatives/{initiative['id']}",
        json={"lessons": "Dinsdagavond werkt beter dan zaterdag."},
        headers=venue.booker.headers,
    )
    assert lessons.status_code == 200 and lessons.json["lessons"].startswith("Dinsdagavond")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("booker", 200),
        ("admin", 200),
        ("partner", 403),
        ("host", 403),
        ("stranger", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_change_an_initiative(
    client: FlaskClient, venue: Venue, role: str, expected: int
) -> None:
    partner = venue.make.account(kind="organisation")
    initiative = create(client, venue.booker, partner_ids=[partner.id])
    caller = {"partner": partner, "anonymous": None}.get(role, getattr(venue, role, None))
    headers = caller.headers if caller else {}
    url = f"/api/v1/initiatives/{initiative['id']}"
    assert client.patch(url, json={"summary": "Nieuw"}, headers=headers).status_code == expected
    moved = client.post(f"{url}/transition", json={"to": "trial"}, headers=headers)
    assert moved.status_code == expected


@pytest.mark.parametrize(
    "body",
    [
        {"partner_ids": [999999]},
        {"neighbourhood_id": 999999},
        {"trial_starts_on": "2027-03-01", "trial_ends_on": "2027-02-01"},
        {"needs": {"weekdays": ["xx"]}},
        {"needs": {"time_of_day": "night"}},
        {"needs": {"duration_minutes": 5}},
        {"status": "running"},
        {"initiator_id": 1},
        {"title": ""},
        {"target_groups": ["Not a slug"]},
    ],
)
def test_input_is_checked(client: FlaskClient, venue: Venue, body: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/initiatives", json={"title": "Test", **body}, headers=venue.booker.headers
    )
    assert response.status_code == 422, response.json


def accept(client: FlaskClient, partner: Caller, initiative_id: int, yes: bool = True) -> Any:
    """The invited partner answers; returns the initiative as the answer shows it."""
    answer = client.post(
        f"/api/v1/initiatives/{initiative_id}/partnership",
        json={"accept": yes},
        headers=partner.headers,
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_partner_is_invited_until_it_accepts(client: FlaskClient, venue: Venue) -> None:
    """Listing an account makes it an invitee: it shows only to the initiator (and admins),
    cannot book for the initiative, and becomes a partner by accepting, or goes by declining."""
    school, other = venue.make.account(kind="organisation"), venue.make.account()
    admin = venue.make.account(admin=True)
    made = create(client, venue.booker, partner_ids=[school.id, other.id])
    url = f"/api/v1/initiatives/{made['id']}"
    assert made["partner_ids"] == [] and made["invited_partner_ids"] == [school.id, other.id]
    for caller in (school, venue.stranger, None):
        seen = client.get(url, headers=caller.headers if caller else {}).json
        assert seen["partner_ids"] == [] and "invited_partner_ids" not in seen
    assert client.get(url, headers=admin.headers).json["invited_partner_ids"] == [
        school.id,
        other.id,
    ]
    assert client.get(f"/api/v1/initiatives?partner={school.id}").json == []
    linked = book(client, school, venue.a, upcoming(14), "10:00", "11:00", initiative_id=made["id"])
    assert linked.status_code == 403 and linked.json["code"] == "not_linked"
    # Only the invited account answers.
    refused = client.post(
        f"{url}/partnership", json={"accept": True}, headers=venue.stranger.headers
    )
    assert refused.status_code == 403 and refused.json["code"] == "not_invited"
    assert client.post(f"{url}/partnership", json={}, headers=school.headers).status_code == 422
    accepted = accept(client, school, made["id"])
    assert accepted["partner_ids"] == [school.id] and "invited_partner_ids" not in accepted
    declined = accept(client, other, made["id"], yes=False)
    assert declined["partner_ids"] == [school.id]
    mine = client.get(url, headers=venue.booker.headers).json
    assert mine["partner_ids"] == [school.id] and mine["invited_partner_ids"] == []
    linked = book(client, school, venue.a, upcoming(14), "10:00", "11:00", initiative_id=made["id"])
    assert linked.status_code == 201
    # Listing again keeps an accepted partner; a new one is invited afresh.
    again = client.patch(
        url, json={"partner_ids": [school.id, other.id]}, headers=venue.booker.headers
    ).json
    assert again["partner_ids"] == [school.id] and again["invited_partner_ids"] == [other.id]


def test_list_filters(client: FlaskClient, venue: Venue) -> None:
    school = venue.make.account(kind="organisation")
    north = venue.make.neighbourhood("Noord")
    a = create(
        client,
        venue.booker,
        title="Huiswerkklas",
        partner_ids=[school.id],
        target_groups=["youth"],
        neighbourhood_id=north,
    )
    accept(client, school, a["id"])
    b = create(
        client,
        venue.stranger,
        title="Naaiclub",
        summary="Samen kleding herstellen",
        target_groups=["women"],
    )
    book(client, venue.stranger, venue.a, upcoming(14), "10:00", "11:00", initiative_id=b["id"])
    client.post(
        f"/api/v1/initiatives/{b['id']}/transition",
        json={"to": "trial"},
        headers=venue.stranger.headers,
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/initiatives?{query}")
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json]

    assert ids("") == [b["id"], a["id"]]
    assert ids("status=trial") == [b["id"]]
    assert ids(f"neighbourhood={north}") == [a["id"]]
    assert ids("target_group=youth") == [a["id"]]
    assert ids(f"place={venue.place}") == [b["id"]]
    assert ids(f"partner={school.id}") == [a["id"]]
    assert ids("q=KLEDING") == [b["id"]]
    assert client.get("/api/v1/initiatives?status=maybe").status_code == 422


@pytest.mark.parametrize(
    ("role", "expected"),
    [("booker", 201), ("partner", 201), ("host", 201), ("admin", 201), ("stranger", 403)],
)
def test_who_may_link_a_booking(
    client: FlaskClient, venue: Venue, role: str, expected: int
) -> None:
    partner = venue.make.account(kind="organisation")
    initiative = create(client, venue.booker, partner_ids=[partner.id])
    accept(client, partner, initiative["id"])
    caller = partner if role == "partner" else getattr(venue, role)
    response = book(
        client, caller, venue.a, upcoming(14), "10:00", "11:00", initiative_id=initiative["id"]
    )
    assert response.status_code == expected, response.json
    if expected == 201:
        assert response.json["initiative_id"] == initiative["id"]
    else:
        assert response.json["code"] == "not_linked"


def test_links_from_series_and_moves_and_no_new_ones_after_the_end(
    client: FlaskClient, venue: Venue
) -> None:
    initiative = create(client, venue.booker)
    day = upcoming(14)
    series = client.post(
        "/api/v1/series",
        json={
            "room_id": venue.b,
            "start": local(day, "19:00"),
            "end": local(day, "20:00"),
            "title": "Wekelijks",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "initiative_id": initiative["id"],
        },
        headers=venue.booker.headers,
    )
    assert series.status_code == 201 and series.json["series"]["initiative_id"] == initiative["id"]
    assert {b["initiative_id"] for b in series.json["created"]} == {initiative["id"]}
    plain = book(client, venue.stranger, venue.a, day, "10:00", "11:00").json
    refused = client.patch(
        f"/api/v1/bookings/{plain['id']}",
        json={"initiative_id": initiative["id"]},
        headers=venue.stranger.headers,
    )
    assert refused.status_code == 403
    unknown = book(client, venue.booker, venue.a, day, "12:00", "13:00", initiative_id=999999)
    assert unknown.status_code == 404
    url = f"/api/v1/initiatives/{initiative['id']}/transition"
    client.post(url, json={"to": "ended", "outcome": "stopped"}, headers=venue.booker.headers)
    late = book(
        client, venue.booker, venue.a, day, "14:00", "15:00", initiative_id=initiative["id"]
    )
    assert late.status_code == 409 and late.json["code"] == "initiative_ended"


def test_an_initiative_shows_its_activities_and_places(client: FlaskClient, venue: Venue) -> None:
    initiative = create(client, venue.booker)
    day = upcoming(14)
    public = book(
        client, venue.booker, venue.a, day, "10:00", "11:00", initiative_id=initiative["id"]
    ).json
    private = book(
        client,
        venue.booker,
        venue.b,
        day,
        "12:00",
        "13:00",
        initiative_id=initiative["id"],
        visibility="private",
        title="Intake",
    ).json
    detail = client.get(f"/api/v1/initiatives/{initiative['id']}").json
    assert [b["id"] for b in detail["upcoming"]] == [public["id"], private["id"]]
    assert detail["upcoming"][1]["title"] is None  # outsiders see a private one as busy
    assert detail["past"] == []
    assert detail["places"] == [
        {"id": venue.place, "name": client.get(f"/api/v1/places/{venue.place}").json["name"]}
    ]
    mine = client.get(f"/api/v1/initiatives/{initiative['id']}", headers=venue.booker.headers).json
    assert mine["upcoming"][1]["title"] == "Intake"
    feed = client.get(f"/feeds/initiatives/{initiative['id']}.ics").data
    assert b"Intake" not in feed and feed.split(b"\r\n").count(b"BEGIN:VEVENT") == 1
