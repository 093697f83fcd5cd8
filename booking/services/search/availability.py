"""Free time per room: opening hours minus closures minus occupancies, as bookable intervals.

`free_intervals` is a pure function of one room's data, and `free_spans` the same in whole
seconds since the epoch. `find_availability` loads every room that matches the filters with
one query for rooms, one for closures and one for the occupancies in the window (as epoch
seconds, computed by the database), evaluates each distinct opening-hours string once per
place, and sweeps each room over integers; datetimes are built only for the answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Closure, Occupancy, Place, Room, utcnow
from booking.models.base import epoch_seconds
from booking.models.place import closure_rooms
from booking.models.room import room_parts
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.closures import ClosedSpan, closing
from booking.services.calendar.intervals import (
    ONE_SECOND,
    Interval,
    Span,
    instant,
    intersect,
    seconds,
    seconds_up,
    spans,
    subtract,
)
from booking.services.calendar.opening_hours import (
    bound_instant,
    daily_windows,
    open_intervals,
)
from booking.services.common import fetch_page, get_or_404
from booking.services.places import offers

MAX_DAYS = 62
DEFAULT_DAYS = 7


class FreeSlot(NamedTuple):
    """A maximal bookable interval of one room (a tuple: searches make tens of thousands)."""

    room_id: int
    place_id: int
    start: datetime
    end: datetime
    zone: ZoneInfo


@dataclass(frozen=True)
class AvailabilityFilter:
    """What to search: a window (dates in each place's timezone) and what the room needs."""

    from_: date | datetime | None = None
    to: date | datetime | None = None
    min_duration: int | None = None
    capacity: int | None = None
    facilities: tuple[str, ...] = ()
    # Each filter takes any of several ids; empty means: do not filter.
    neighbourhood: tuple[int, ...] = ()
    place: tuple[int, ...] = ()
    room: tuple[int, ...] = ()
    # The place must offer these (None: do not filter).
    step_free: bool | None = None
    ground_floor: bool | None = None
    accessible_toilet: bool | None = None
    kind: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    # Only these weekdays (0 = Monday) and this local part of the day.
    weekdays: tuple[int, ...] = ()
    between: tuple[time, time] | None = None


class Clock(NamedTuple):
    """The time a search is made at: notice counts from `earliest`, the booking horizon and
    a default window's end from `latest` (the same instant, unless a search is computed
    for a whole minute at once: then the minute's end and its start)."""

    earliest: datetime
    latest: datetime


def clock_of(now: datetime | Clock) -> Clock:
    """`now` as a Clock."""
    return now if isinstance(now, Clock) else Clock(now, now)


GRID_CHECK_STEP = timedelta(days=7)
DAY = 86_400


def _grid_is_utc(zone: ZoneInfo, start: datetime, end: datetime, minutes: int) -> bool:
    """Whether the room's local grid is also the UTC grid from start to end.

    It is when every offset of the zone then is a whole number of grid steps (Amsterdam's
    +1:00 and +2:00 on any grid that divides an hour). Offsets last months, so looking
    once a week finds any other.
    """
    moment = start
    while True:
        offset = moment.astimezone(zone).utcoffset()
        if offset is None or offset % timedelta(minutes=minutes):
            return False
        if moment >= end:
            return True
        moment = min(moment + GRID_CHECK_STEP, end)


def _offset(second: int, zone: ZoneInfo) -> int:
    """The zone's UTC offset at an instant, in seconds."""
    offset = instant(second).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _ceil_to_grid(second: int, zone: ZoneInfo | None, step: int) -> int:
    """The first grid instant at or after `second`; the grid is on the zone's clock."""
    local = second + (_offset(second, zone) if zone is not None else 0)
    past = local % DAY % step
    return second if past == 0 else second - past + step


def _floor_to_grid(second: int, zone: ZoneInfo | None, step: int) -> int:
    """The last grid instant at or before `second`."""
    local = second + (_offset(second, zone) if zone is not None else 0)
    return second - local % DAY % step


def free_spans(
    opening: Iterable[Span],
    closures: Iterable[Span],
    occupancies: Iterable[Span],
    *,
    buffer: int,
    earliest: int,
    latest: int,
    grid: ZoneInfo | None,
    step: int,
    min_length: int,
) -> list[Span]:
    """`free_intervals` in whole seconds since the epoch: the search's inner loop.

    `grid` is the zone whose clock the grid of `step` seconds is read on, or None where
    that is the UTC grid (then an edge is rounded without looking up an offset).
    """
    if buffer:
        blocked = [*closures, *((start - buffer, end) for start, end in occupancies)]
    else:
        blocked = [*closures, *occupancies]
    result = []
    for start, end in subtract(opening, blocked):
        start = max(start, earliest)
        end = min(end, latest)
        if grid is None:
            start += -start % step
            end -= end % step
        else:
            start, end = _ceil_to_grid(start, grid, step), _floor_to_grid(end, grid, step)
        if end - start >= min_length and end > start:
            result.append((start, end))
    return result


def room_free_spans(
    room: Room,
    opening: list[Span],
    closures: list[Span],
    busy: list[Span],
    window: Interval,
    now: datetime | Clock,
    min_length: int,
    grids: dict[tuple[str, int, datetime, datetime], bool],
) -> list[Span]:
    """A room's free spans in the window under its policy: notice, horizon, buffer, grid.

    `grids` remembers, across the rooms of one search, where a zone's grid is the UTC grid.
    """
    policy, zone = room.effective_policy, room.zone
    granularity = policy["granularity_minutes"]
    clock = clock_of(now)
    earliest = max(window[0], clock.earliest + timedelta(minutes=policy["min_notice_minutes"]))
    latest = min(window[1], clock.latest + timedelta(days=policy["max_days_ahead"]))
    key = (zone.key, granularity, earliest, latest)
    if key not in grids:
        grids[key] = _grid_is_utc(zone, earliest, latest, granularity)
    return free_spans(
        opening,
        closures,
        busy,
        buffer=60 * policy["buffer_minutes"],
        earliest=seconds_up(earliest),
        latest=seconds(latest),
        grid=None if grids[key] else zone,
        step=60 * granularity,
        min_length=min_length,
    )


def free_intervals(
    opening: Iterable[Interval],
    closures: Iterable[Interval],
    occupancies: Iterable[Interval],
    *,
    buffer: timedelta,
    earliest: datetime,
    latest: datetime,
    zone: ZoneInfo,
    granularity: int,
    min_length: timedelta,
) -> list[Interval]:
    """Maximal intervals in which any booking of at least `min_length` would be accepted.

    An occupancy [s, e) blocks [s - buffer, e): a new booking needs its own buffer before
    the next one starts. Results lie within [earliest, latest) and on the room's grid.
    """
    utc_grid = _grid_is_utc(zone, earliest, latest, granularity)
    free = free_spans(
        spans(opening),
        spans(closures),
        spans(occupancies),
        buffer=buffer // ONE_SECOND,
        earliest=seconds_up(earliest),
        latest=seconds(latest),
        grid=None if utc_grid else zone,
        step=granularity * 60,
        min_length=-(-min_length // ONE_SECOND),
    )
    return [(instant(start), instant(end)) for start, end in free]


def _window(filters: AvailabilityFilter, zone: ZoneInfo, clock: Clock) -> Interval:
    start = bound_instant(filters.from_ or clock.earliest, zone, end=False)
    if filters.to is None:
        counted_from = start if filters.from_ else clock.latest
        return start, counted_from + timedelta(days=DEFAULT_DAYS)
    return start, bound_instant(filters.to, zone, end=True)


def _check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise Invalid("`to` must be after `from`.", errors={"to": ["Must be after `from`."]})
    if end - start > timedelta(days=MAX_DAYS):
        raise Invalid(
            f"Availability covers at most {MAX_DAYS} days.",
            code="range_too_long",
            errors={"to": [f"At most {MAX_DAYS} days after `from`."]},
        )


def rooms_statement(filters: AvailabilityFilter) -> Select[Room]:
    """The bookable rooms of open places that meet the filters (all but facilities, which
    are matched in Python), by place, then room."""
    stmt = (
        select(Room)
        .join(Place, Room.place_id == Place.id)
        .where(Room.bookable, Place.archived_at.is_(None))
        .order_by(Room.place_id, Room.id)
    )
    if filters.room:
        stmt = stmt.where(Room.id.in_(filters.room))
    if filters.place:
        stmt = stmt.where(Room.place_id.in_(filters.place))
    if filters.neighbourhood:
        stmt = stmt.where(Place.neighbourhood_id.in_(filters.neighbourhood))
    if filters.capacity is not None:
        stmt = stmt.where(Room.capacity >= filters.capacity)
    return stmt.where(*offers(filters))


_WITH_PARTS = (selectinload(Room.parts), selectinload(Room.place))


def matching_rooms(filters: AvailabilityFilter) -> list[Room]:
    """The bookable rooms that meet the filters, in a stable order: by place, then room."""
    rooms = list(db.session.scalars(rooms_statement(filters).options(*_WITH_PARTS)))
    wanted = set(filters.facilities)
    return [room for room in rooms if wanted <= set(room.facilities)]


def matching_room_page(
    filters: AvailabilityFilter, page: int, page_size: int
) -> tuple[list[Room], int]:
    """One page of `matching_rooms` and how many match in all: the database counts and
    pages, so only the page's rooms are loaded (facilities are matched in Python, so with
    that filter every room is)."""
    if filters.facilities:
        rooms = matching_rooms(filters)
        return rooms[(page - 1) * page_size : page * page_size], len(rooms)
    return fetch_page(rooms_statement(filters).options(*_WITH_PARTS), page, page_size)


def find_availability(
    filters: AvailabilityFilter,
    now: datetime | Clock | None = None,
    rooms: list[Room] | None = None,
) -> list[FreeSlot]:
    """Free intervals of every matching room (or of `rooms`, matched already), by place,
    room and time."""
    # Rooms share most edges (opening and closing times, the grid): each instant is built
    # once and the same object answered for every slot that starts or ends then.
    instants: dict[int, datetime] = {}

    def at(second: int) -> datetime:
        found = instants.get(second)
        if found is None:
            found = instants[second] = instant(second)
        return found

    return [
        FreeSlot(room.id, room.place_id, at(start), at(end), room.zone)
        for room, free in free_spans_by_room(filters, now, rooms)
        for start, end in free
    ]


def free_spans_by_room(
    filters: AvailabilityFilter,
    now: datetime | Clock | None = None,
    rooms: list[Room] | None = None,
) -> list[tuple[Room, list[Span]]]:
    """Each matching room (or each of `rooms`) with its free spans in epoch seconds: the
    search itself, before any instant is built."""
    clock = clock_of(now or utcnow())
    if rooms is None:
        rooms = matching_rooms(filters)
        if len(filters.room) == 1 and not rooms:
            get_or_404(Room, filters.room[0])  # 404 when it does not exist; else not bookable
    windows = {room.place_id: _window(filters, room.zone, clock) for room in rooms}
    for start, end in windows.values() or [_window(filters, ZoneInfo("UTC"), clock)]:
        _check_window(start, end)
    if not rooms:
        return []
    query_start = min(start for start, _ in windows.values())
    query_end = max(end for _, end in windows.values())
    max_buffer = timedelta(minutes=max(r.effective_policy["buffer_minutes"] for r in rooms))
    atoms = atom_ids(*rooms)
    occupied = occupancies_by_atom(atoms, query_start, query_end + max_buffer)
    closed = closures_by_place({room.place_id for room in rooms}, query_start, query_end)
    # Per place: its opening hours per expression, its daily windows, its grids.
    opening: dict[tuple[int, str], list[Span]] = {}
    daily: dict[int, list[Span]] = {}
    utc_grid: dict[tuple[str, int, datetime, datetime], bool] = {}
    found = []
    for room in rooms:
        zone = room.zone
        start, end = windows[room.place_id]
        expression = room.effective_opening_hours
        key = (room.place_id, expression)
        if key not in opening:
            opening[key] = spans(open_intervals(expression, zone, start, end))
        room_atoms = atom_ids(room)
        minutes = max(filters.min_duration or 0, room.effective_policy["min_duration_minutes"])
        min_seconds = 60 * minutes
        free = room_free_spans(
            room,
            opening[key],
            spans(closing(closed[room.place_id], room_atoms)),
            [span for atom in room_atoms for span in occupied[atom]],
            (start, end),
            clock,
            min_seconds,
            utc_grid,
        )
        if filters.weekdays or filters.between:
            if room.place_id not in daily:
                daily[room.place_id] = spans(
                    daily_windows(filters.weekdays, filters.between, zone, start, end)
                )
            free = [
                (s, e) for s, e in intersect(free, daily[room.place_id]) if e - s >= min_seconds
            ]
        found.append((room, free))
    return found


def occupancies_by_atom(
    atoms: frozenset[int], start: datetime, end: datetime
) -> dict[int, list[Span]]:
    """Active occupancies of the atoms over [start, end), per atom, in epoch seconds.

    Plain rows of integers through the session's connection: the searches only compare and
    shift these instants, so neither ORM objects nor datetimes are built for them.
    """
    rows = (
        db.session.connection()
        .execute(
            select(
                Occupancy.room_id, epoch_seconds(Occupancy.start), epoch_seconds(Occupancy.end)
            ).where(
                Occupancy.active,
                Occupancy.room_id.in_(atoms),
                Occupancy.start < end,
                Occupancy.end > start,
            )
        )
        .all()
    )
    found: dict[int, list[Span]] = defaultdict(list)
    for room_id, occupied_start, occupied_end in rows:
        found[room_id].append((occupied_start, occupied_end))
    return found


# Each closure touching the window, once per atomic room it closes (the parts of a closed
# room, else the room itself; no row of closure_rooms: NULL, the whole place). Built once.
_CLOSED_ATOMS = (
    select(
        Closure.id,
        Closure.place_id,
        Closure.start,
        Closure.end,
        func.coalesce(room_parts.c.part_id, closure_rooms.c.room_id),
    )
    .select_from(Closure)
    .outerjoin(closure_rooms, closure_rooms.c.closure_id == Closure.id)
    .outerjoin(room_parts, room_parts.c.room_id == closure_rooms.c.room_id)
    .where(
        Closure.place_id.in_(bindparam("places", expanding=True)),
        Closure.start < bindparam("end"),
        Closure.end > bindparam("start"),
    )
)


def closures_by_place(
    place_ids: set[int], start: datetime, end: datetime
) -> dict[int, list[ClosedSpan]]:
    """The closures of these places that touch [start, end), per place, with the atoms
    each closes (none: the whole place): one plain query, no Closure or Room objects."""
    rows = db.session.connection().execute(
        _CLOSED_ATOMS, {"places": sorted(place_ids), "start": start, "end": end}
    )
    closures: dict[int, tuple[int, Interval, set[int]]] = {}
    for closure_id, place_id, closed_start, closed_end, atom in rows:
        _place, _span, atoms = closures.setdefault(
            closure_id, (place_id, (closed_start, closed_end), set())
        )
        if atom is not None:
            atoms.add(atom)
    found: dict[int, list[ClosedSpan]] = defaultdict(list)
    for place_id, span, atoms in closures.values():
        found[place_id].append((span, frozenset(atoms)))
    return found


@dataclass(frozen=True)
class RoomFreeTime:
    """One row of a search grouped by room: the room (with its place) and its free spans
    in epoch seconds."""

    room: Room
    spans: list[Span]

    @property
    def free(self) -> list[FreeSlot]:
        """The free spans as slots, in the room's timezone."""
        room = self.room
        return [
            FreeSlot(room.id, room.place_id, instant(start), instant(end), room.zone)
            for start, end in self.spans
        ]


def availability_by_room(
    filters: AvailabilityFilter, page: int, page_size: int, now: datetime | None = None
) -> tuple[list[RoomFreeTime], int]:
    """One page of the matching rooms, each with its free intervals, and how many rooms
    match. Only the page's rooms are loaded and computed: fetching every page costs about
    one search, where paging a flat list of intervals computes everything for every page."""
    chunk, total = matching_room_page(filters, page, page_size)
    found = free_spans_by_room(filters, now, rooms=chunk)
    return [RoomFreeTime(room, free) for room, free in found], total
