"""The database itself refuses overlapping active occupancies, whatever the code does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.models import Booking, Occupancy
from booking.services.slots import is_overlap_violation
from tests.factories import Factory

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def _booking(make: Factory, room: int, place: int, booker: int) -> int:
    def add() -> int:
        booking = Booking(
            room_id=room,
            place_id=place,
            booked_by_id=booker,
            start=T0,
            end=T0 + timedelta(hours=1),
            title="Rij",
            status="confirmed",
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id

    return int(make.run(add))


def _occupy(
    booking_id: int, room: int, start: datetime, end: datetime, active: bool = True
) -> None:
    db.session.add(
        Occupancy(booking_id=booking_id, room_id=room, start=start, end=end, active=active)
    )
    db.session.flush()


def test_overlapping_active_rows_are_refused_by_the_database(make: Factory) -> None:
    place = make.place()
    room, other = make.room(place), make.room(place)
    booker = make.account()
    booking = _booking(make, room, place, booker.id)

    def attempt(start: datetime, end: datetime, room_id: int = room, active: bool = True) -> bool:
        try:
            _occupy(booking, room_id, start, end, active)
            db.session.commit()
            return True
        except IntegrityError as error:
            assert is_overlap_violation(error)
            db.session.rollback()
            return False

    def scenario() -> list[bool]:
        hour = timedelta(hours=1)
        return [
            attempt(T0, T0 + hour),
            attempt(T0 + hour / 2, T0 + 2 * hour),  # overlaps
            attempt(T0 + hour, T0 + 2 * hour),  # touches: allowed
            attempt(T0 - hour, T0 + 3 * hour),  # covers both
            attempt(T0, T0 + hour, room_id=other),  # other room
            attempt(T0, T0 + hour, active=False),  # cancelled rows do not count
        ]

    assert make.run(scenario) == [True, False, True, False, True, True]


def test_reactivating_an_overlapping_row_is_refused(make: Factory) -> None:
    place = make.place()
    room = make.room(place)
    booking = _booking(make, room, place, make.account().id)

    def scenario() -> None:
        _occupy(booking, room, T0, T0 + timedelta(hours=2))
        _occupy(booking, room, T0, T0 + timedelta(hours=1), active=False)
        db.session.commit()
        row = db.session.scalars(select(Occupancy).where(~Occupancy.active)).one()
        row.active = True
        with pytest.raises(IntegrityError) as caught:
            db.session.flush()
        assert is_overlap_violation(caught.value)
        db.session.rollback()

    make.run(scenario)
