"""Each place's free time in short, kept per version of that place's data: the front page.

The front page lists the places with free time in the coming two weeks, each with its
first few slots. A booking changes one place, so each place's summary is kept under its
own feed stamp (and the minute, see answers.py): a visit computes only the places that
changed since the last one, usually none, in one search for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from heapq import nsmallest
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.computed import ROWS_TTL_SECONDS, many_once_per_version
from booking.extensions import db
from booking.models import Place, Room, utcnow
from booking.services.calendar.intervals import instant
from booking.services.search.answers import data_version, minute_clock
from booking.services.search.availability import AvailabilityFilter, FreeSlot, free_spans_by_room


@dataclass(frozen=True)
class PlaceSummary:
    """A place with how many free slots it has and its first few, each with its room."""

    place: Place
    count: int
    slots: list[tuple[Room, FreeSlot]]

    def first(self, limit: int) -> list[tuple[Room, FreeSlot]]:
        """The earliest `limit` slots (by start, then room)."""
        return self.slots[:limit]


def summaries(
    filters: AvailabilityFilter, keep: int, now: datetime | None = None
) -> list[tuple[int, int, list[list[int]]]]:
    """Per place in the query (by id): how many free slots it has, and its first `keep`
    as [room, start, end] in epoch seconds; each place from the store unless it changed."""
    clock, minute = minute_clock(now or utcnow())
    stamps = dict(data_version(filters))

    def compute(place_ids: list[int]) -> dict[int, Any]:
        # In whole seconds, as the search sweeps: no instant is built for the slots that
        # are only counted.
        found: dict[int, list[tuple[int, int, int]]] = {place_id: [] for place_id in place_ids}
        for room, free in free_spans_by_room(replace(filters, place=tuple(place_ids)), clock):
            found[room.place_id].extend((start, room.id, end) for start, end in free)
        return {
            place_id: [
                len(free),
                [[room, start, end] for start, room, end in nsmallest(keep, free)],
            ]
            for place_id, free in found.items()
        }

    versions = {
        place_id: [filters, place_id, stamp, minute, keep] for place_id, stamp in stamps.items()
    }
    found = many_once_per_version("place-summary", versions, compute, ttl=ROWS_TTL_SECONDS)
    return [(place_id, *found[place_id]) for place_id in sorted(found)]


def places_with_free_time(
    filters: AvailabilityFilter, keep: int, limit: int, now: datetime | None = None
) -> tuple[list[PlaceSummary], int]:
    """The first `limit` places with free time (by id), each with its first `keep` slots,
    and how many places have free time: only the shown places' rows are loaded."""
    free = [row for row in summaries(filters, keep, now) if row[1]]
    shown = free[:limit]
    places = {
        place.id: place
        for place in db.session.scalars(
            select(Place)
            .where(Place.id.in_([place_id for place_id, _, _ in shown]))
            .options(selectinload(Place.rooms), selectinload(Place.neighbourhood))
        )
    }
    found = []
    for place_id, count, slots in shown:
        place = places[place_id]
        rooms = {room.id: room for room in place.rooms}
        found.append(
            PlaceSummary(
                place,
                count,
                [
                    (
                        rooms[room_id],
                        FreeSlot(
                            room_id, place_id, instant(start), instant(end), rooms[room_id].zone
                        ),
                    )
                    for room_id, start, end in slots
                    if room_id in rooms  # a room removed since (its place is a new version)
                ],
            )
        )
    return found, len(free)
