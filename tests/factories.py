"""Factories for test data: each call commits in its own app context and returns plain values."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask

from booking.extensions import db
from booking.models import Account, Closure, Neighbourhood, Place, PlaceHost, Room, utcnow
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.tokens import issue_token

_counter = itertools.count(1)


@dataclass
class Caller:
    """An account with a token, as a client would hold it."""

    id: int
    token: str
    email: str
    scopes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header for this caller."""
        return {"Authorization": f"Bearer {self.token}"}


ANONYMOUS_HEADERS: dict[str, str] = {}


class Factory:
    """Creates rows for tests."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def account(
        self,
        *,
        name: str = "Resident",
        kind: str = "person",
        admin: bool = False,
        scopes: list[str] | None = None,
        hosts: list[int] | None = None,
        proven: bool = True,
    ) -> Caller:
        """An account with one token; `hosts` makes it a host of those places. Its address
        is proven unless `proven` is false (an open sign-up that nothing has proved)."""
        n = next(_counter)
        email = f"user{n}@example.nl"
        if scopes is None:
            scopes = ["read", "book"]
            if hosts:
                scopes.append("manage")
            if admin:
                scopes = ["read", "book", "manage", "admin"]
        with self.app.app_context():
            account = Account(
                name=f"{name} {n}",
                email=email,
                kind=kind,
                is_admin=admin,
                email_verified_at=utcnow() if proven else None,
            )
            db.session.add(account)
            for place_id in hosts or []:
                db.session.add(PlaceHost(place_id=place_id, account=account))
            _, raw = issue_token(account, "test", scopes)
            db.session.commit()
            return Caller(id=account.id, token=raw, email=email, scopes=scopes)

    def neighbourhood(self, name: str | None = None, city: str = "Rotterdam") -> int:
        """A neighbourhood; returns its id."""
        n = next(_counter)
        with self.app.app_context():
            item = Neighbourhood(slug=f"wijk-{n}", name=name or f"Wijk {n}", city=city)
            db.session.add(item)
            db.session.commit()
            return item.id

    def place(self, **fields: Any) -> int:
        """A place with sensible defaults; returns its id."""
        n = next(_counter)
        values: dict[str, Any] = {
            "slug": f"place-{n}",
            "name": f"Place {n}",
            "kind": "buurthuis",
            "opening_hours": "Mo-Fr 09:00-17:00; PH off",
            "policy": dict(DEFAULT_POLICY),
            "target_groups": ["everyone"],
        }
        values.update(fields)
        with self.app.app_context():
            place = Place(**values)
            db.session.add(place)
            db.session.commit()
            return place.id

    def room(self, place_id: int, *, part_ids: list[int] | None = None, **fields: Any) -> int:
        """A room in a place; returns its id."""
        n = next(_counter)
        values: dict[str, Any] = {
            "name": f"Room {n}",
            "capacity": 20,
            "facilities": [],
            "policy_overrides": {},
        }
        values.update(fields)
        with self.app.app_context():
            room = Room(place_id=place_id, **values)
            if part_ids:
                room.parts = [db.session.get(Room, pid) for pid in part_ids]  # type: ignore[misc]
            db.session.add(room)
            db.session.commit()
            return room.id

    def closure(
        self, place_id: int, start: datetime, end: datetime, room_ids: list[int] | None = None
    ) -> int:
        """A closure of a place or some of its rooms; returns its id."""
        with self.app.app_context():
            closure = Closure(place_id=place_id, start=start, end=end, reason="test")
            closure.rooms = [db.session.get(Room, rid) for rid in room_ids or []]  # type: ignore[misc]
            db.session.add(closure)
            db.session.commit()
            return closure.id

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a function inside an app context (for reading rows in assertions)."""
        with self.app.app_context():
            return fn(*args, **kwargs)
