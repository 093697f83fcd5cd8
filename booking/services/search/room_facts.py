"""What a search needs of each room, read as plain rows.

A search over hundreds of rooms asks each of them the same few things: its place and
timezone, its opening hours and policy (its own, else its place's), and the atoms it
occupies. Loading Room and Place objects for that costs more than the search's own
question to the database; two plain queries answer it instead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, select

from booking.extensions import db
from booking.models import Place, Room
from booking.models.room import room_parts
from booking.services.search.availability import AvailabilityFilter, rooms_statement


@dataclass(frozen=True, slots=True)
class RoomFacts:
    """A room as the searches see it: read once, never changed."""

    id: int
    name: str
    place_id: int
    place_name: str
    capacity: int
    zone: ZoneInfo
    effective_opening_hours: str
    effective_policy: dict[str, Any]
    atoms: frozenset[int]


# What the searches read of a room: id, name, place_id, place_name, zone,
# effective_opening_hours, effective_policy.
SearchRoom = Room | RoomFacts


def room_facts(filters: AvailabilityFilter) -> list[RoomFacts]:
    """The bookable rooms that meet the filters, as `matching_rooms` finds them (by place,
    then room), in two queries: the rooms with their places, and their parts."""
    matching = rooms_statement(filters)
    rows = (
        db.session.connection()
        .execute(
            matching.with_only_columns(
                Room.id,
                Room.name,
                Room.place_id,
                Place.name,
                Room.capacity,
                Place.timezone,
                Room.opening_hours,
                Place.opening_hours,
                # As text: most rooms share their place's policy and have no overrides
                # or facilities, so each distinct text is parsed once.
                cast(Room.policy_overrides, Text),
                cast(Place.policy, Text),
                cast(Room.facilities, Text),
                maintain_column_froms=False,
            )
        )
        .all()
    )
    parsed = _Parsed()
    wanted = set(filters.facilities)
    if wanted:
        rows = [row for row in rows if wanted <= set(parsed(row[10]))]
    if not rows:
        return []
    parts: dict[int, set[int]] = defaultdict(set)
    for whole, part in db.session.connection().execute(
        select(room_parts.c.room_id, room_parts.c.part_id).where(
            room_parts.c.room_id.in_(matching.with_only_columns(Room.id).order_by(None))
        )
    ):
        parts[whole].add(part)
    return [
        RoomFacts(
            room_id,
            name,
            place_id,
            place_name,
            capacity,
            ZoneInfo(timezone),
            own_hours if own_hours is not None else place_hours,
            parsed.merged(place_policy, overrides),
            frozenset(parts[room_id]) or frozenset((room_id,)),
        )
        for (
            room_id,
            name,
            place_id,
            place_name,
            capacity,
            timezone,
            own_hours,
            place_hours,
            overrides,
            place_policy,
            _facilities,
        ) in rows
    ]


class _Parsed(dict[str, Any]):
    """JSON texts parsed once each: call it with a text for its value (not to be changed)."""

    def __init__(self) -> None:
        super().__init__()
        self._merges: dict[tuple[str, str], dict[str, Any]] = {}

    def __call__(self, text: str) -> Any:
        found = self.get(text)
        if found is None:
            found = self[text] = json.loads(text)
        return found

    def merged(self, policy: str, overrides: str) -> dict[str, Any]:
        """A place's policy with a room's overrides, merged once per pair of texts (most
        rooms share both with the other rooms of their place)."""
        found = self._merges.get((policy, overrides))
        if found is None:
            found = self._merges[policy, overrides] = {**self(policy), **self(overrides)}
        return found
