"""Hypothesis drives create, move, cancel, confirm and decline against the real API.

A small in-memory model of intervals says what must happen: a create or move succeeds
exactly when the model's slot is free, and no two active occupancies ever overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from booking.extensions import db
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import local, upcoming
from tests.factories import Factory
from tests.test_concurrency import OVERLAPS

SLOT_MINUTES = 15
OPEN_SLOTS = 12 * 4  # 08:00-20:00
BUFFER_SLOTS = 1
ROOMS = ("A", "B", "Hall", "C")
ATOMS = {"A": {"A"}, "B": {"B"}, "Hall": {"A", "B"}, "C": {"C"}}
ACTIVE = ("pending", "confirmed")


@dataclass
class Modelled:
    """What the model believes about one booking."""

    room: str
    start: int
    end: int
    status: str
    by_host: bool


def clock(slot: int) -> str:
    minutes = 8 * 60 + slot * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def test_the_api_agrees_with_an_interval_model(client: FlaskClient, make: Factory) -> None:
    day = upcoming(10)

    class Bookings(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            policy = {
                **DEFAULT_POLICY,
                "buffer_minutes": BUFFER_SLOTS * SLOT_MINUTES,
                "requires_approval": True,
                "min_notice_minutes": 0,
                "max_active_bookings": 1000,
            }
            place = make.place(opening_hours="Mo-Su 08:00-20:00", policy=policy)
            a, b = make.room(place, name="A"), make.room(place, name="B")
            self.room_ids = {
                "A": a,
                "B": b,
                "Hall": make.room(place, name="Hall", part_ids=[a, b]),
                "C": make.room(place, name="C"),
            }
            self.place = place
            self.booker = make.account(name="Booker")
            self.host = make.account(name="Host", hosts=[place])
            self.model: dict[int, Modelled] = {}

        def free(self, room: str, start: int, end: int, ignore: int | None = None) -> bool:
            for booking_id, other in self.model.items():
                if booking_id == ignore or other.status not in ACTIVE:
                    continue
                if ATOMS[room] & ATOMS[other.room] and (
                    start < other.end + BUFFER_SLOTS and other.start < end + BUFFER_SLOTS
                ):
                    return False
            return True

        def body(self, room: str, start: int, end: int) -> dict[str, Any]:
            return {
                "room_id": self.room_ids[room],
                "start": local(day, clock(start)),
                "end": local(day, clock(end)),
            }

        @rule(
            target=ids,
            room=st.sampled_from(ROOMS),
            start=st.integers(0, OPEN_SLOTS - 2),
            length=st.integers(2, 8),
            as_host=st.booleans(),
        )
        def create(self, room: str, start: int, length: int, as_host: bool) -> int:
            end = min(start + length, OPEN_SLOTS)
            caller = self.host if as_host else self.booker
            expected_free = self.free(room, start, end)
            response = client.post(
                "/api/v1/bookings",
                json={**self.body(room, start, end), "title": "Model"},
                headers=caller.headers,
            )
            if not expected_free:
                assert response.status_code == 409, response.json
                return -1
            assert response.status_code == 201, response.json
            status = "confirmed" if as_host else "pending"
            assert response.json["status"] == status
            self.model[response.json["id"]] = Modelled(room, start, end, status, as_host)
            return int(response.json["id"])

        @rule(booking_id=ids, start=st.integers(0, OPEN_SLOTS - 2), room=st.sampled_from(ROOMS))
        def move(self, booking_id: int, start: int, room: str) -> None:
            if booking_id < 0:
                return
            known = self.model[booking_id]
            end = min(start + (known.end - known.start), OPEN_SLOTS)
            if end - start < 2:
                return
            owner = self.host if known.by_host else self.booker
            response = client.patch(
                f"/api/v1/bookings/{booking_id}",
                json=self.body(room, start, end),
                headers=owner.headers,
            )
            if known.status not in ACTIVE:
                assert response.status_code == 409 and response.json["code"] == "not_active"
                return
            if not self.free(room, start, end, ignore=booking_id):
                assert response.status_code == 409, response.json
                return
            assert response.status_code == 200, response.json
            # A booker's move needs approval again; a host's own booking stays as it was.
            changed = (room, start, end) != (known.room, known.start, known.end)
            status = "pending" if changed and not known.by_host else known.status
            assert response.json["status"] == status
            self.model[booking_id] = Modelled(room, start, end, status, known.by_host)

        def act(self, booking_id: int, action: str, allowed_from: tuple[str, ...], to: str) -> None:
            if booking_id < 0:
                return
            known = self.model[booking_id]
            owner = self.host if known.by_host else self.booker
            caller = owner if action == "cancel" else self.host
            response = client.post(
                f"/api/v1/bookings/{booking_id}/{action}", json={}, headers=caller.headers
            )
            if known.status in allowed_from:
                assert response.status_code == 200, response.json
                known.status = to
            elif action == "cancel" and known.status == "cancelled":
                # A repeated cancel (a retry after a timeout) answers the booking unchanged.
                assert response.status_code == 200 and response.json["status"] == "cancelled"
            else:
                assert response.status_code == 409, response.json

        @rule(booking_id=ids)
        def cancel(self, booking_id: int) -> None:
            self.act(booking_id, "cancel", ACTIVE, "cancelled")

        @rule(booking_id=ids)
        def confirm(self, booking_id: int) -> None:
            self.act(booking_id, "confirm", ("pending",), "confirmed")

        @rule(booking_id=ids)
        def decline(self, booking_id: int) -> None:
            self.act(booking_id, "decline", ("pending",), "declined")

        @invariant()
        def database_matches_the_model(self) -> None:
            assert make.run(lambda: db.session.execute(OVERLAPS).scalar_one()) == 0
            listed = client.get(
                f"/api/v1/bookings?place={self.place}&page_size=100", headers=self.host.headers
            ).json
            assert {item["id"]: item["status"] for item in listed} == {
                booking_id: known.status for booking_id, known in self.model.items()
            }

    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert make.run(lambda: db.session.execute(text("SELECT count(*) FROM bookings")).scalar_one())
