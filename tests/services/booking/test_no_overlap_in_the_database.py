"""The database itself refuses overlapping active occupancies, whatever the code does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking.errors import Conflict
from booking.extensions import db
from booking.models import Booking, Occupancy
from booking.services.booking.booking_rules import SlotRequest
from booking.services.booking.slots import conflict_now, flush_or_conflict, is_overlap_violation
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


def test_an_overlap_that_slips_past_the_check_is_a_409_with_what_is_there(
    make: Factory,
) -> None:
    """As when a concurrent writer commits between the check and the insert."""
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    booker = make.account()
    existing = _booking(make, room, place, booker.id)

    def scenario() -> Conflict:
        _occupy(existing, room, T0, T0 + timedelta(hours=1))
        db.session.commit()
        late = Booking(
            room_id=room,
            place_id=place,
            booked_by_id=booker.id,
            start=T0,
            end=T0 + timedelta(hours=1),
            title="Te laat",
            status="confirmed",
        )
        late.occupancies = [Occupancy(room_id=room, start=T0, end=T0 + timedelta(hours=1))]
        db.session.add(late)
        request = SlotRequest(T0, T0 + timedelta(hours=1))
        now = T0 - timedelta(days=7)
        with pytest.raises(Conflict) as caught:
            flush_or_conflict(lambda: conflict_now(room, request, now))
        # The failed insert was rolled back; the committed booking is what is in the way.
        assert db.session.scalar(select(func.count(Booking.id))) == 1
        return caught.value

    error = make.run(scenario)
    assert error.code == "booking_conflict" and error.status == 409
    zone = ZoneInfo("Europe/Amsterdam")
    assert error.extra["conflicts"] == [
        {
            "start": T0.astimezone(zone).isoformat(),
            "end": (T0 + timedelta(hours=1)).astimezone(zone).isoformat(),
            "status": "confirmed",
        }
    ]
