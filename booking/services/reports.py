"""Usage per place and room: open hours, booked hours, occupancy, activities, initiatives.

Room figures are in hours of that room. Place figures are in atomic room-hours: a place
with two rooms open eight hours has 16 open hours, and a booking of a hall made of both
rooms for one hour books two of them. Dates are read in each place's timezone, so a day
on which the clocks change has its true length (23 or 25 hours).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.errors import Forbidden
from booking.extensions import db
from booking.models import Booking, Closure, Initiative, Place, Room
from booking.models.booking import CANCELLED, CONFIRMED, DECLINED
from booking.services.authorization import Actor, managed_place_ids, require_account
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.closures import closed_span, closing
from booking.services.calendar.intervals import Interval, merge, subtract
from booking.services.calendar.opening_hours import bound_instant, open_intervals
from booking.services.common import check_date_range

MAX_DAYS = 366
HOUR = timedelta(hours=1)
NO_TARGET_GROUP = "unspecified"


@dataclass
class Usage:
    """The figures of one place or room over the window."""

    open_hours: float = 0.0
    booked_hours: float = 0.0
    activities: int = 0
    initiative_ids: set[int] = field(default_factory=set)
    per_target_group: Counter[str] = field(default_factory=Counter)
    cancelled: int = 0
    declined: int = 0

    @property
    def occupancy(self) -> float | None:
        """Booked hours over open hours; None when the place or room was never open."""
        return round(self.booked_hours / self.open_hours, 4) if self.open_hours else None

    @property
    def initiatives(self) -> int:
        """How many different initiatives were active."""
        return len(self.initiative_ids)


@dataclass
class RoomUsage(Usage):
    """A room's figures."""

    room_id: int = 0
    name: str = ""


@dataclass
class PlaceUsage(Usage):
    """A place's figures and those of its rooms."""

    place_id: int = 0
    name: str = ""
    neighbourhood_id: int | None = None
    first: date | None = None
    last: date | None = None
    rooms: list[RoomUsage] = field(default_factory=list)


def _hours(intervals: list[Interval]) -> float:
    return sum(((end - start) / HOUR for start, end in merge(intervals)), 0.0)


def _overlap(start: datetime, end: datetime, window: Interval) -> float:
    return max(timedelta(0), min(end, window[1]) - max(start, window[0])) / HOUR


def _count(usage: Usage, booking: Booking, hours: float, groups: list[str]) -> None:
    if booking.status == CONFIRMED:
        usage.booked_hours += hours
        usage.activities += 1
        if booking.initiative_id is not None:
            usage.initiative_ids.add(booking.initiative_id)
        for group in groups or [NO_TARGET_GROUP]:
            usage.per_target_group[group] += 1
    elif booking.status == CANCELLED:
        usage.cancelled += 1
    elif booking.status == DECLINED:
        usage.declined += 1


def place_usage(place: Place, first: date, last: date, groups: dict[int, list[str]]) -> PlaceUsage:
    """One place's usage over [first, last] (local dates), with its rooms."""
    zone = place.zone
    window = (bound_instant(first, zone, end=False), bound_instant(last, zone, end=True))
    usage = PlaceUsage(
        place_id=place.id,
        name=place.name,
        neighbourhood_id=place.neighbourhood_id,
        first=first,
        last=last,
    )
    closures = [
        closed_span(c)
        for c in db.session.scalars(
            select(Closure).where(
                Closure.place_id == place.id, Closure.start < window[1], Closure.end > window[0]
            )
        )
    ]
    rooms: dict[int, RoomUsage] = {}
    for room in sorted(place.rooms, key=lambda r: r.id):
        closed = closing(closures, atom_ids(room))
        opened = open_intervals(room.effective_opening_hours, zone, *window)
        rooms[room.id] = RoomUsage(
            room_id=room.id, name=room.name, open_hours=_hours(subtract(opened, closed))
        )
        if not room.parts:
            usage.open_hours += rooms[room.id].open_hours
    parts = {room.id: max(len(room.parts), 1) for room in place.rooms}
    for booking in db.session.scalars(
        select(Booking).where(
            Booking.place_id == place.id, Booking.start < window[1], Booking.end > window[0]
        )
    ):
        hours = _overlap(booking.start, booking.end, window)
        targets = groups.get(booking.initiative_id or 0, [])
        _count(rooms[booking.room_id], booking, hours, targets)
        _count(usage, booking, hours * parts[booking.room_id], targets)
    usage.rooms = list(rooms.values())
    return usage


def usage_report(
    actor: Actor,
    first: date,
    last: date,
    neighbourhood: tuple[int, ...] = (),
    place: tuple[int, ...] = (),
) -> list[PlaceUsage]:
    """Usage of the places the actor may report on: admins all, hosts their own."""
    require_account(actor)
    check_date_range(first, last, MAX_DAYS)
    stmt = (
        select(Place)
        .options(selectinload(Place.rooms).selectinload(Room.parts))
        .order_by(Place.name, Place.id)
    )
    if not actor.is_admin:
        hosted = managed_place_ids(actor)
        if not hosted:
            raise Forbidden(
                "Only hosts (with the manage scope) and admins see usage reports.",
                code="not_a_host",
            )
        stmt = stmt.where(Place.id.in_(hosted))
    if neighbourhood:
        stmt = stmt.where(Place.neighbourhood_id.in_(neighbourhood))
    if place:
        stmt = stmt.where(Place.id.in_(place))
    groups = {
        initiative.id: list(initiative.target_groups)
        for initiative in db.session.scalars(select(Initiative))
    }
    return [place_usage(place, first, last, groups) for place in db.session.scalars(stmt)]


CSV_COLUMNS = (
    "level",
    "place_id",
    "place",
    "room_id",
    "room",
    "from",
    "to",
    "open_hours",
    "booked_hours",
    "occupancy",
    "activities",
    "initiatives",
    "bookings_per_target_group",
    "cancelled",
    "declined",
)
# A cell starting with one of these is a formula to a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def usage_rows(report: list[PlaceUsage]) -> list[tuple[Any, ...]]:
    """The report as rows in CSV_COLUMNS' order: each place, then its rooms. Numbers stay
    numbers (occupancy a fraction, None when never open), for each output to write."""
    rows: list[tuple[Any, ...]] = []
    for place in report:
        for level, usage, room_id, room_name in [
            ("place", place, None, ""),
            *(("room", room, room.room_id, room.name) for room in place.rooms),
        ]:
            rows.append(
                (
                    level,
                    place.place_id,
                    place.name,
                    room_id,
                    room_name,
                    place.first,
                    place.last,
                    usage.open_hours,
                    usage.booked_hours,
                    usage.occupancy,
                    usage.activities,
                    usage.initiatives,
                    dict(sorted(usage.per_target_group.items())),
                    usage.cancelled,
                    usage.declined,
                )
            )
    return rows


def usage_csv(report: list[PlaceUsage]) -> str:
    """The report as CSV for programs (the API): English headers, `,` and a decimal point,
    occupancy as a fraction."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in usage_rows(report):
        level, place_id, place, room_id, room, first, last, open_h, booked_h, occupancy = row[:10]
        activities, initiatives, groups, cancelled, declined = row[10:]
        cells = [
            level,
            place_id,
            place,
            "" if room_id is None else room_id,
            room,
            first.isoformat() if first else "",
            last.isoformat() if last else "",
            round(open_h, 2),
            round(booked_h, 2),
            "" if occupancy is None else occupancy,
            activities,
            initiatives,
            "; ".join(f"{group}: {n}" for group, n in groups.items()),
            cancelled,
            declined,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def by_target_group(usage: Usage) -> dict[str, int]:
    """Confirmed bookings per target group of their initiative, for the JSON output."""
    return dict(sorted(usage.per_target_group.items()))
