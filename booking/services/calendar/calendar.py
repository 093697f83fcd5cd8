"""A place's calendar over a window: opening hours, closures and occupancies, loaded once.

Booking checks, series expansion and alternatives all ask the same questions of it
(is this room open, what blocks it), so each window costs one query per kind of row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import select

from booking.extensions import db
from booking.models import Closure, Occupancy, Place, Room
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.closures import ClosedSpan, closed_span, closing
from booking.services.calendar.intervals import Interval, merge, subtract
from booking.services.calendar.opening_hours import open_intervals

# Opening hours are evaluated this far beyond the window, so a run that started
# before the window (or ends after it) is seen whole.
PADDING = timedelta(days=1)


@dataclass
class PlaceCalendar:
    """Everything that decides whether a room of one place is free, inside a window."""

    place: Place
    start: datetime
    end: datetime
    closures: list[ClosedSpan]
    occupancies: list[tuple[int, int, Interval]]
    # Each closure's interval and the reason its host gave.
    closure_reasons: dict[Interval, str] = field(default_factory=dict)
    _opening: dict[str, list[Interval]] = field(default_factory=dict)

    @cached_property
    def rooms(self) -> list[Room]:
        """The place's rooms, loaded only when asked (alternatives need them, checks do not)."""
        return list(
            db.session.scalars(select(Room).where(Room.place_id == self.place.id).order_by(Room.id))
        )

    def atoms(self, room: Room) -> frozenset[int]:
        """Ids of the atomic rooms that `room` occupies."""
        return atom_ids(room)

    def opening(self, room: Room) -> list[Interval]:
        """The room's opening hours in the window, merged, closures not applied."""
        expression = room.effective_opening_hours
        if expression not in self._opening:
            self._opening[expression] = merge(
                open_intervals(
                    expression, self.place.zone, self.start - PADDING, self.end + PADDING
                )
            )
        return self._opening[expression]

    def closed(self, room: Room) -> list[Interval]:
        """Closures that apply to the room: whole-place ones and those sharing a part."""
        return closing(self.closures, self.atoms(room))

    def open(self, room: Room) -> list[Interval]:
        """The room's opening hours with its closures removed."""
        return subtract(self.opening(room), self.closed(room))

    def blocked(self, room: Room, exclude_booking: int | None = None) -> list[Interval]:
        """Occupied intervals (buffers included) of the room's atomic parts."""
        atoms = self.atoms(room)
        return [
            iv
            for booking_id, room_id, iv in self.occupancies
            if room_id in atoms and booking_id != exclude_booking
        ]

    def add(self, booking_id: int, room: Room, interval: Interval) -> None:
        """Record an occupancy made in this transaction (series occurrences, one by one)."""
        self.occupancies.extend((booking_id, atom, interval) for atom in self.atoms(room))


def load_calendar(
    place: Place, start: datetime, end: datetime, atom_ids: Collection[int] | None = None
) -> PlaceCalendar:
    """Load a place's closures and active occupancies overlapping [start, end).

    With `atom_ids`, only the occupancies of those atomic rooms are loaded: enough to
    check one room, not to look for alternatives in the others.
    """
    closure_rows = list(
        db.session.scalars(
            select(Closure).where(
                Closure.place_id == place.id, Closure.start < end, Closure.end > start
            )
        )
    )
    closures = [closed_span(closure) for closure in closure_rows]
    reasons = {(closure.start, closure.end): closure.reason for closure in closure_rows}
    room_ids: Any = (
        list(atom_ids)
        if atom_ids is not None
        else select(Room.id).where(Room.place_id == place.id).scalar_subquery()
    )
    occupancy_rows = db.session.execute(
        select(Occupancy.booking_id, Occupancy.room_id, Occupancy.start, Occupancy.end).where(
            Occupancy.active,
            Occupancy.room_id.in_(room_ids),
            Occupancy.start < end,
            Occupancy.end > start,
        )
    )
    occupancies = [(row[0], row[1], (row[2], row[3])) for row in occupancy_rows]
    return PlaceCalendar(place, start, end, closures, occupancies, reasons)
