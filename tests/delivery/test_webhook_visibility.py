"""Every webhook payload is what the API would answer its subscriber: the matrix of event
kinds x visibility x status x relation to the booking. A subscriber whom the API would answer
404 hears nothing; everyone else receives exactly the API's JSON of that moment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.models import OutboxEvent
from booking.models.outbox import EVENT_TYPES
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, local, upcoming
from tests.delivery.conftest import MailingApp
from tests.factories import Caller
from tests.receiver import Receiver, receiver

RELATIONS = ("own", "host", "initiator", "partner", "unrelated", "admin")
BOOKING_AND_SERIES = [t for t in EVENT_TYPES if t.startswith(("booking.", "series."))]


@pytest.fixture
def hooks(mailing: MailingApp) -> Iterator[tuple[MailingApp, Receiver]]:
    mailing.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with receiver() as listening:
        yield mailing, listening


class World:
    """A place, an initiative, and one subscribed account for each relation."""

    def __init__(self, m: MailingApp, hook: Receiver, requires_approval: bool) -> None:
        self.m, self.hook = m, hook
        policy = {**DEFAULT_POLICY, "requires_approval": requires_approval}
        place = m.make.place(opening_hours="24/7", policy={**policy, "max_active_bookings": 50})
        self.room = m.make.room(place)
        self.callers: dict[str, Caller] = {
            "own": m.make.account(name="Boeker"),
            "host": m.make.account(name="Gastheer", hosts=[place]),
            "initiator": m.make.account(name="Initiatiefnemer"),
            "partner": m.make.account(name="Partner", kind="organisation"),
            "unrelated": m.make.account(name="Buurman"),
            "admin": m.make.account(name="Beheer", admin=True),
        }
        made = m.client.post(
            "/api/v1/initiatives",
            json={
                "title": "Taalcafé",
                "partner_ids": [self.callers["own"].id, self.callers["partner"].id],
            },
            headers=self.callers["initiator"].headers,
        )
        assert made.status_code == 201, made.json
        self.initiative = made.json["id"]
        self._accept_partnerships()
        for relation, caller in self.callers.items():
            subscribed = m.client.post(
                "/api/v1/webhooks",
                json={"url": f"{hook.url}/{relation}", "events": BOOKING_AND_SERIES},
                headers=caller.headers,
            )
            assert subscribed.status_code == 201, subscribed.json
        self.seen_events = self._event_ids()
        self.seen_requests = 0

    def _accept_partnerships(self) -> None:
        for relation in ("own", "partner"):
            self.m.client.post(
                f"/api/v1/initiatives/{self.initiative}/partnership",
                json={"accept": True},
                headers=self.callers[relation].headers,
            )

    def _event_ids(self) -> set[int]:
        return set(self.m.make.run(lambda: set(db.session.scalars(select(OutboxEvent.id)))))

    def api(self, relation: str, path: str) -> tuple[int, Any]:
        answer = self.m.client.get(f"/api/v1{path}", headers=self.callers[relation].headers)
        return answer.status_code, answer.json

    def check(self) -> int:
        """Deliver what happened since the last check; compare with the API. How many."""
        new_events = self._new_events()
        self.m.deliver()
        expected: set[tuple[str, str, int]] = set()
        for kind, object_id in new_events:
            path = (
                f"/bookings/{object_id}" if kind.startswith("booking.") else f"/series/{object_id}"
            )
            for relation in RELATIONS:
                if relation != "unrelated" and self.api(relation, path)[0] == 200:
                    expected.add((relation, kind, object_id))
        received = self.hook.wait_for(self.seen_requests + len(expected))
        fresh, self.seen_requests = received[self.seen_requests :], len(received)
        got = set()
        for request in fresh:
            relation = request.path.rsplit("/", 1)[-1]
            body = json.loads(request.body)
            data = body["data"]
            got.add((relation, body["type"], data["id"]))
            if body["type"].startswith("booking."):
                assert self.api(relation, f"/bookings/{data['id']}") == (200, data), relation
            else:
                # The webhook lists the dates it is about where the API counts them.
                occurrences = data.pop("occurrences")
                status, series = self.api(relation, f"/series/{data['id']}")
                series.pop("occurrences")
                assert (status, series) == (200, data), relation
                assert occurrences, "a series event lists its dates"
                for occurrence in occurrences:
                    shown = self.api(relation, f"/bookings/{occurrence['id']}")
                    assert shown == (200, occurrence), relation
        assert got == expected
        return len(got)

    def _new_events(self) -> list[tuple[str, int]]:
        def read() -> list[tuple[str, int]]:
            found = []
            for event in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)):
                if event.id in self.seen_events or event.type not in BOOKING_AND_SERIES:
                    continue
                key = "booking_id" if event.type.startswith("booking.") else "series_id"
                found.append((event.type, int(event.payload[key])))
            return found

        events = self.m.make.run(read)
        self.seen_events = self._event_ids()
        return events


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("requires_approval", [False, True], ids=["confirmed", "pending"])
def test_a_webhook_is_the_api_answer_for_its_subscriber(
    hooks: tuple[MailingApp, Receiver], visibility: str, requires_approval: bool
) -> None:
    m, hook = hooks
    world = World(m, hook, requires_approval)
    own = world.callers["own"]
    host = world.callers["host"]
    day, later = upcoming(6), upcoming(20)
    single = book(
        m.client,
        own,
        world.room,
        day,
        "10:00",
        "11:00",
        visibility=visibility,
        initiative_id=world.initiative,
    )
    assert single.status_code == 201, single.json
    assert single.json["status"] == ("pending" if requires_approval else "confirmed")
    series = m.client.post(
        "/api/v1/series",
        json={
            "room_id": world.room,
            "start": local(later, "14:00"),
            "end": local(later, "15:00"),
            "rrule": "FREQ=DAILY;COUNT=2",
            "title": "Naailes",
            "description": "Privé",
            "visibility": visibility,
            "initiative_id": world.initiative,
        },
        headers=own.headers,
    )
    assert series.status_code == 201, series.json
    series_id = series.json["series"]["id"]
    sent = world.check()
    assert sent >= 3  # own, host and admin hear of both at least
    if requires_approval:
        for path in (f"/bookings/{single.json['id']}/confirm", f"/series/{series_id}/confirm"):
            assert m.client.post(f"/api/v1{path}", json={}, headers=host.headers).status_code == 200
        world.check()
    moved = m.client.patch(
        f"/api/v1/bookings/{single.json['id']}",
        json={"start": local(day, "12:00"), "end": local(day, "13:00")},
        headers=own.headers,
    )
    assert moved.status_code == 200, moved.json
    world.check()
    cancelled = m.client.post(
        f"/api/v1/bookings/{single.json['id']}/cancel", json={}, headers=own.headers
    )
    assert cancelled.status_code == 200
    assert (
        m.client.post(
            f"/api/v1/series/{series_id}/cancel", json={}, headers=own.headers
        ).status_code
        == 200
    )
    world.check()
    # The initiator and the other partner never saw a series, nor a request before approval.
    initiator_paths = [r.path for r in hook.received if r.path.endswith("/initiator")]
    for request in hook.received:
        body = json.loads(request.body)
        if request.path.endswith(("/initiator", "/partner", "/unrelated")):
            assert body["type"].startswith("booking."), request.path
            assert body["data"]["status"] == "confirmed" or body["type"] == "booking.cancelled"
    if visibility == "public":
        assert initiator_paths  # public, confirmed activities of the initiative do reach them
