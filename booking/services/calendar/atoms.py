"""Atomic rooms: what a room occupies on the calendar.

A combinable room (a hall made of two parts) occupies its parts; any other room occupies
itself. Every occupancy, closure and overlap check is counted on these atoms.
"""

from __future__ import annotations

from booking.models import Room


def atomic_rooms(room: Room) -> list[Room]:
    """The atomic rooms a room occupies: its parts, or itself."""
    return list(room.parts) or [room]


def atom_ids(*rooms: Room) -> frozenset[int]:
    """Ids of the atomic rooms that the given rooms occupy together."""
    return frozenset(atom.id for room in rooms for atom in atomic_rooms(room))
