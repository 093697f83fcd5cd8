"""A place with rooms and people in every role (the `venue` fixture, shared by all tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from booking.extensions import db
from booking.models import Place
from booking.services.booking.policy import DEFAULT_POLICY
from tests.factories import Caller, Factory


@dataclass
class Venue:
    """A place open Mo-Su 08:00-22:00 with rooms A and B, a hall of A+B, and a small room."""

    make: Factory
    place: int
    a: int
    b: int
    hall: int
    small: int
    host: Caller
    booker: Caller
    stranger: Caller
    admin: Caller

    def policy(self, **changes: Any) -> None:
        """Change the place's policy directly in the database."""

        def apply() -> None:
            place = db.session.get(Place, self.place)
            assert place is not None
            place.policy = {**place.policy, **changes}
            db.session.commit()

        self.make.run(apply)


@pytest.fixture
def venue(make: Factory) -> Venue:
    """The standard booking venue."""
    place = make.place(
        opening_hours="Mo-Su 08:00-22:00",
        policy={**DEFAULT_POLICY, "max_days_ahead": 365},
    )
    a = make.room(place, name="A", capacity=20)
    b = make.room(place, name="B", capacity=20)
    hall = make.room(place, name="Hall", capacity=60, part_ids=[a, b])
    small = make.room(place, name="Small", capacity=4)
    return Venue(
        make=make,
        place=place,
        a=a,
        b=b,
        hall=hall,
        small=small,
        host=make.account(name="Host", hosts=[place]),
        booker=make.account(name="Booker"),
        stranger=make.account(name="Stranger"),
        admin=make.account(name="Admin", admin=True),
    )
