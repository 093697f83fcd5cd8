"""Recurring availability: which rooms are free on every date of a weekly pattern.

"Where can we meet on Tuesday evenings from 19:00, every week for three months?" The rooms,
closures and opening hours of the window are loaded once, as for /availability; whether a
booking takes a date is asked of the database, one indexed probe per room and date, so the
search never fetches the window's bookings. Each date is then free exactly when
/availability would offer its slot, and a taken date says why.

The suggestions check dozens of patterns against the same rooms; they load every
occupancy once instead (`room_calendars`).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Integer, Select, String, bindparam, column, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Occupancy, Room, utcnow
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.closures import closing
from booking.services.calendar.intervals import (
    ONE_SECOND,
    Interval,
    Span,
    instant,
    merge,
    seconds,
    seconds_up,
    spans,
)
from booking.services.calendar.opening_hours import open_intervals
from booking.services.search.availability import (
    AvailabilityFilter,
    closures_by_place,
    matching_rooms,
    occupancies_by_atom,
    room_free_spans,
)
from booking.services.search.room_facts import RoomFacts, SearchRoom, room_facts

# A search's rooms: Room objects (the suggestions read more of them) or plain RoomFacts.
R = TypeVar("R", Room, RoomFacts)
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_WEEKS = 52
DATES_PER_ATOM = 1024  # more than a pattern of MAX_WEEKS has
# Why a date is taken, in the order they are checked.
REASONS = (
    "nonexistent_local_time",
    "public_holiday",
    "outside_opening_hours",
    "closed",
    "booked",
    "too_short_notice",
    "too_far_ahead",
    "duration_not_allowed",
    "not_aligned",
)


@dataclass(frozen=True)
class Pattern:
    """A weekly pattern: weekdays, a local start time, a duration, and a span of dates."""

    weekdays: tuple[int, ...]
    start_time: time
    duration: timedelta
    first: date
    last: date

    def dates(self) -> tuple[date, ...]:
        """Every date of the pattern, in order."""
        return _pattern_dates(self.weekdays, self.first, self.last)

    def spans(self, zone: ZoneInfo) -> tuple[Interval | None, ...]:
        """Each date's span in UTC, in order; None where the local time does not exist."""
        return _pattern_spans(self, zone)


@lru_cache(maxsize=256)
def _pattern_dates(weekdays: tuple[int, ...], first: date, last: date) -> tuple[date, ...]:
    found, day = [], first
    while day <= last:
        if day.weekday() in weekdays:
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


@lru_cache(maxsize=256)
def _pattern_spans(pattern: Pattern, zone: ZoneInfo) -> tuple[Interval | None, ...]:
    found: list[Interval | None] = []
    for day in pattern.dates():
        begin = _wall(day, pattern.start_time, zone)
        local_end = datetime.combine(day, pattern.start_time) + pattern.duration
        finish = _wall(local_end.date(), local_end.time(), zone)
        found.append(None if begin is None or finish is None else (begin, finish))
    return tuple(found)


@lru_cache(maxsize=256)
def _pattern_seconds(pattern: Pattern, zone: ZoneInfo) -> tuple[Span | None, ...]:
    """The pattern's spans in whole seconds since the epoch."""
    return tuple(
        None if span is None else (seconds(span[0]), seconds(span[1]))
        for span in pattern.spans(zone)
    )


@dataclass
class RoomDates:
    """One room's answer: each date of the pattern with why it is taken (None: free), and
    a series body that books it."""

    room: SearchRoom
    dates: tuple[date, ...] = ()
    reasons: list[str | None] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)

    @property
    def free_dates(self) -> list[date]:
        """The dates the room is free."""
        return [day for day, reason in zip(self.dates, self.reasons, strict=True) if not reason]

    @property
    def taken_dates(self) -> list[dict[str, Any]]:
        """The dates the room cannot have, each with its reason."""
        return [
            {"date": day, "reason": reason}
            for day, reason in zip(self.dates, self.reasons, strict=True)
            if reason
        ]

    @property
    def free_count(self) -> int:
        """How many dates are free."""
        return self.reasons.count(None)

    @property
    def room_id(self) -> int:
        """The room's id."""
        return self.room.id

    @property
    def room_name(self) -> str:
        """The room's name."""
        return self.room.name

    @property
    def place_name(self) -> str:
        """The room's place's name."""
        return self.room.place_name

    @property
    def place_id(self) -> int:
        """The room's place."""
        return self.room.place_id

    @property
    def total_dates(self) -> int:
        """How many dates the pattern has."""
        return len(self.dates)


def pattern_from(args: dict[str, Any], today: date) -> Pattern:
    """The pattern from loaded query arguments (weekdays as numbers, 0 = Monday): `until`,
    or `weeks` (default 12) from `from`; within `between` when that is given."""
    first = args.get("from_") or today
    if args.get("until") and args.get("weeks"):
        raise Invalid("Give `until` or `weeks`, not both.", errors={"weeks": ["Or until."]})
    last = args.get("until") or first + timedelta(weeks=args.get("weeks") or 12, days=-1)
    if last < first:
        raise Invalid("`until` is before `from`.", errors={"until": ["Must not be before from."]})
    if (last - first).days >= MAX_WEEKS * 7:
        raise Invalid(
            f"A pattern spans at most {MAX_WEEKS} weeks.",
            code="range_too_long",
            errors={"until": [f"At most {MAX_WEEKS} weeks after from."]},
        )
    pattern = Pattern(
        tuple(args["weekdays"]),
        args["start_time"],
        timedelta(minutes=args["duration"]),
        first,
        last,
    )
    if "between" in args and not _within(pattern, *args["between"]):
        raise Invalid(
            "The pattern's time lies outside the part of the day asked for.",
            code="pattern_outside_between",
            errors={"start_time": ["Outside time_of_day or between."]},
        )
    return pattern


def _within(pattern: Pattern, begin: time, finish: time) -> bool:
    """Whether the pattern's local time of day lies in [begin, finish) (00:00: midnight)."""
    start = datetime.combine(date.min, pattern.start_time)
    end = start + pattern.duration
    window_end = datetime.combine(date.min, finish)
    if finish <= begin:
        window_end += timedelta(days=1)
    return datetime.combine(date.min, begin) <= start and end <= window_end


def _wall(day: date, clock: time, zone: Any) -> datetime | None:
    """The instant of a local wall-clock time, or None in the spring gap."""
    local = datetime.combine(day, clock, tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)


def _inside(span: Span, spans: list[Span], starts: list[int]) -> bool:
    """Whether the span lies inside one of sorted, disjoint spans: one binary search."""
    index = bisect_right(starts, span[0]) - 1
    return index >= 0 and span[1] <= spans[index][1]


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


@dataclass
class RoomCalendar(Generic[R]):
    """What decides a room's dates in a window, computed once for any number of patterns.

    Every instant is in whole seconds since the epoch: a pattern's dates are checked by
    comparing integers. A calendar knows what is booked in one of two ways: `busy`, every
    occupancy in the window (for many patterns at once, with `free` to settle most dates
    in one binary search); or `taken`, the dates of one pattern that the database found
    booked (`probed_calendars`), so no occupancy is fetched at all.
    """

    room: R
    atoms: frozenset[int]
    policy: dict[str, Any]
    hours: list[Span]
    holidays: list[Span]
    closures: list[Span]
    buffer: int
    busy: list[Span] = field(default_factory=list)
    free: list[Span] = field(default_factory=list)
    taken: frozenset[int] | None = None

    # Asked only where a date is not settled otherwise (the hours once per search and
    # opening hours, not per room): built on first use.
    @cached_property
    def hours_starts(self) -> list[int]:
        """The starts of the opening hours, for a binary search."""
        return [start for start, _ in self.hours]

    @cached_property
    def free_starts(self) -> list[int]:
        """The starts of the free intervals, for a binary search."""
        return [start for start, _ in self.free]


@dataclass
class _Window(Generic[R]):
    """What every calendar of one search shares: its bounds and the places' time."""

    start: datetime
    end: datetime
    closed: dict[int, list[Any]]
    opening: dict[tuple[str, str], list[Span]] = field(default_factory=dict)
    holidays: dict[str, list[Span]] = field(default_factory=dict)

    def hours(self, room: SearchRoom) -> list[Span]:
        """The room's opening hours over the window, merged (evaluated once per string)."""
        key = (room.zone.key, room.effective_opening_hours)
        if key not in self.opening:
            found = open_intervals(key[1], room.zone, self.start, self.end)
            self.opening[key] = merge(spans(found))
        return self.opening[key]

    def holidays_of(self, room: SearchRoom) -> list[Span]:
        """The public holidays of the room's zone over the window."""
        key = room.zone.key
        if key not in self.holidays:
            self.holidays[key] = spans(open_intervals("PH", room.zone, self.start, self.end))
        return self.holidays[key]

    def closures_of(self, room: SearchRoom, atoms: frozenset[int]) -> list[Span]:
        """The closures that touch the room (which occupies these atoms)."""
        closed = self.closed.get(room.place_id)
        return spans(closing(closed, atoms)) if closed else []

    def calendar(self, room: R, atoms: frozenset[int], **booked: Any) -> RoomCalendar[R]:
        """The room's calendar over the window; `booked` says what is booked in it."""
        policy = room.effective_policy
        return RoomCalendar(
            room,
            atoms,
            policy,
            self.hours(room),
            self.holidays_of(room),
            self.closures_of(room, atoms),
            60 * policy["buffer_minutes"],
            **booked,
        )


def _window_of(
    rooms: list[tuple[R, frozenset[int]]], first: date, last: date, duration: timedelta
) -> _Window[R]:
    """The rooms' shared calendar over [first, last] with a day's margin: their closures."""
    start = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=2) + duration
    closed = closures_by_place({room.place_id for room, _ in rooms}, start, end)
    return _Window(start, end, closed)


def room_calendars(
    filters: AvailabilityFilter,
    first: date,
    last: date,
    duration: timedelta,
    now: datetime,
) -> list[RoomCalendar[Room]]:
    """The matching rooms' calendars over [first, last] with every occupancy in it, for
    checking many patterns at once: one query per kind of row."""
    rooms = [(room, atom_ids(room)) for room in matching_rooms(filters)]
    if not rooms:
        return []
    window: _Window[Room] = _window_of(rooms, first, last, duration)
    max_buffer = timedelta(
        minutes=max(room.effective_policy["buffer_minutes"] for room, _ in rooms)
    )
    everything = frozenset[int]().union(*(atoms for _, atoms in rooms))
    occupied = occupancies_by_atom(everything, window.start, window.end + max_buffer)
    utc_grid: dict[tuple[str, int, datetime, datetime], bool] = {}
    calendars = []
    for room, atoms in rooms:
        busy = sorted(span for atom in atoms for span in occupied[atom])
        free = room_free_spans(
            room,
            window.hours(room),
            window.closures_of(room, atoms),
            busy,
            (window.start, window.end),
            now,
            duration // ONE_SECOND,
            utc_grid,
        )
        calendars.append(window.calendar(room, atoms, busy=busy, free=free))
    return calendars


def probed_calendars(
    filters: AvailabilityFilter, pattern: Pattern
) -> list[RoomCalendar[RoomFacts]]:
    """The matching rooms' calendars for one pattern, the rooms read as plain facts; which
    of its dates are booked is asked of the database in one statement (`taken_dates`)."""
    rooms = [(room, room.atoms) for room in room_facts(filters)]
    if not rooms:
        return []
    window: _Window[RoomFacts] = _window_of(rooms, pattern.first, pattern.last, pattern.duration)
    calendars = [window.calendar(room, atoms) for room, atoms in rooms]
    # One probe query per zone (the pattern's instants) and reach (how far past its end a
    # date needs the room: the buffer, and up to the grid line): usually one in all.
    groups: dict[tuple[ZoneInfo, int], list[RoomCalendar[RoomFacts]]] = {}
    for calendar in calendars:
        key = (calendar.room.zone, calendar.buffer + _past_the_end(pattern, calendar.policy))
        groups.setdefault(key, []).append(calendar)
    for (zone, reach), members in groups.items():
        dates = [
            (index, span[0], span[1] + reach)
            for index, span in enumerate(_pattern_seconds(pattern, zone))
            if span is not None
        ]
        taken = taken_dates(frozenset[int]().union(*(c.atoms for c in members)), dates)
        for calendar in members:
            calendar.taken = frozenset(
                index for atom in calendar.atoms for index in taken.get(atom, ())
            )
    return calendars


def taken_dates(atoms: frozenset[int], dates: list[tuple[int, int, int]]) -> dict[int, set[int]]:
    """For each atom, the dates (index, begin, reach in epoch seconds) that an active
    occupancy overlaps.

    One statement: every atom joined with every date, and for each pair the occupancy that
    starts last before the date's reach, found by a backward step of the (room_id, start)
    index. Active occupancies of one atom never overlap, so that one reaches furthest: the
    date is taken when it ends after the date begins. No other occupancy is read. The atoms
    and dates go in as arrays (PostgreSQL) or JSON (SQLite), so the statement is built and
    compiled once, and the answer comes back as one integer per taken pair, all at once.
    """
    if not atoms or not dates:
        return {}
    if dates[-1][0] >= DATES_PER_ATOM:
        raise ValueError(f"a pattern has at most {DATES_PER_ATOM} dates to probe")
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        params: dict[str, Any] = {
            "atoms": sorted(atoms),
            "indexes": [index for index, _, _ in dates],
            "begins": [instant(begin) for _, begin, _ in dates],
            "reaches": [instant(reach) for _, _, reach in dates],
        }
        result = connection.execute(TAKEN_PAIRS_POSTGRESQL, params)
    else:
        stored = "%Y-%m-%d %H:%M:%S.%f"  # SQLite's text of an instant, which sorts as time
        params = {
            "atoms": json.dumps(sorted(atoms)),
            "dates": json.dumps(
                [
                    [index, f"{instant(begin):{stored}}", f"{instant(reach):{stored}}"]
                    for index, begin, reach in dates
                ]
            ),
        }
        result = connection.execute(TAKEN_PAIRS_SQLITE, params)
    found: dict[int, set[int]] = defaultdict(set)
    # Plain integers straight from the driver's cursor: thousands of them, and the result's
    # row processing would cost more than the query.
    for (pair,) in result.cursor.fetchall():  # type: ignore[attr-defined]
        found[pair // DATES_PER_ATOM].add(pair % DATES_PER_ATOM)
    result.close()
    return found


def _taken_pairs(atom: Any, index: Any, begin: Any, reach: Any) -> Select[tuple[int]]:
    """Every (atom, date) pair that an active occupancy takes, as one integer."""
    last_end = (
        select(Occupancy.end)
        .where(Occupancy.room_id == atom, Occupancy.active, Occupancy.start < reach)
        .order_by(Occupancy.start.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(atom * DATES_PER_ATOM + index).where(last_end > begin)


_PG_ATOMS = (
    func.unnest(bindparam("atoms", type_=ARRAY(Integer)))
    .table_valued(column("id", Integer), name="atoms")
    .render_derived()
)
_PG_DATES = (
    func.unnest(
        bindparam("indexes", type_=ARRAY(Integer)),
        bindparam("begins", type_=ARRAY(DateTime(timezone=True))),
        bindparam("reaches", type_=ARRAY(DateTime(timezone=True))),
    )
    .table_valued(
        column("idx", Integer),
        column("begin", DateTime(timezone=True)),
        column("reach", DateTime(timezone=True)),
        name="pattern_dates",
    )
    .render_derived()
)
TAKEN_PAIRS_POSTGRESQL = _taken_pairs(
    _PG_ATOMS.c.id, _PG_DATES.c.idx, _PG_DATES.c.begin, _PG_DATES.c.reach
).select_from(_PG_ATOMS.join(_PG_DATES, true()))
_SQLITE_ATOMS = func.json_each(bindparam("atoms", type_=String)).table_valued("value", name="atoms")
_SQLITE_DATES = func.json_each(bindparam("dates", type_=String)).table_valued(
    "value", name="pattern_dates"
)
TAKEN_PAIRS_SQLITE = _taken_pairs(
    _SQLITE_ATOMS.c.value,
    func.json_extract(_SQLITE_DATES.c.value, "$[0]"),
    func.json_extract(_SQLITE_DATES.c.value, "$[1]"),
    func.json_extract(_SQLITE_DATES.c.value, "$[2]"),
).select_from(_SQLITE_ATOMS.join(_SQLITE_DATES, true()))


# The reasons of a pattern's dates that depend only on the hours and the policy, shared
# by every room that has both: (before closures and bookings, after them), per date.
SharedReasons = dict[tuple[Any, ...], tuple[list[str | None], list[str | None]]]


def dates_of(
    calendar: RoomCalendar[Any],
    pattern: Pattern,
    now: datetime,
    shared: SharedReasons | None = None,
) -> RoomDates:
    """One room's free and taken dates for a pattern; `shared` keeps what other rooms of
    the same search can reuse."""
    room, policy = calendar.room, calendar.policy
    key = (pattern, room.zone.key, room.effective_opening_hours, *_rule_values(policy))
    if shared is None:
        shared = {}
    if key not in shared:
        shared[key] = _shared_reasons(calendar, pattern, now)
    before, after = shared[key]
    extra = _past_the_end(pattern, policy)
    dates = pattern.dates()
    if calendar.taken is not None and not calendar.closures:
        # The usual room of a probed search: no closure, its booked dates known. A date
        # that the hours allow (its local time exists) is booked or as the policy says.
        reasons = [
            before[index] or ("booked" if index in calendar.taken else after[index])
            for index in range(len(dates))
        ]
    else:
        # A date the hours allow has a span (its local time exists).
        reasons = [
            before[index]
            or (span is not None and _room_reason(index, (span[0], span[1] + extra), calendar))
            or after[index]
            for index, span in enumerate(_pattern_seconds(pattern, room.zone))
        ]
    return RoomDates(room, dates, reasons, _series_body(room, pattern) if dates else {})


def recurring_availability(
    filters: AvailabilityFilter, pattern: Pattern, now: datetime | None = None
) -> list[RoomDates]:
    """Every matching room with its free and taken dates, the most free dates first."""
    now = now or utcnow()
    if not pattern.dates():
        raise Invalid(
            "No date between from and until falls on these weekdays.",
            errors={"weekdays": ["No matching date."]},
        )
    shared: SharedReasons = {}
    calendars = probed_calendars(filters, pattern)
    answers = [dates_of(calendar, pattern, now, shared) for calendar in calendars]
    answers.sort(key=lambda a: (-a.free_count, a.room.place_id, a.room.id))
    return answers


def _rule_values(policy: dict[str, Any]) -> tuple[int, ...]:
    return tuple(
        policy[name]
        for name in (
            "granularity_minutes",
            "min_duration_minutes",
            "max_duration_minutes",
            "min_notice_minutes",
            "max_days_ahead",
        )
    )


def _shared_reasons(
    calendar: RoomCalendar, pattern: Pattern, now: datetime
) -> tuple[list[str | None], list[str | None]]:
    """Per date, the first reason that the hours give (checked before closures and
    bookings) and the first that the policy gives (checked after them)."""
    policy = calendar.policy
    minutes = pattern.duration // timedelta(minutes=1)
    granularity = policy["granularity_minutes"]
    on_grid = (pattern.start_time.hour * 60 + pattern.start_time.minute) % granularity == 0
    allowed = policy["min_duration_minutes"] <= minutes <= policy["max_duration_minutes"]
    notice = seconds_up(now + timedelta(minutes=policy["min_notice_minutes"]))
    horizon = seconds(now + timedelta(days=policy["max_days_ahead"]))
    extra = _past_the_end(pattern, policy)
    before: list[str | None] = []
    after: list[str | None] = []
    for span in _pattern_seconds(pattern, calendar.room.zone):
        if span is None:
            before.append("nonexistent_local_time")
            after.append(None)
            continue
        reach = (span[0], span[1] + extra)
        if _inside(reach, calendar.hours, calendar.hours_starts):
            before.append(None)
        elif _overlaps(span, calendar.holidays):
            before.append("public_holiday")
        else:
            before.append("outside_opening_hours")
        if span[0] < notice:
            after.append("too_short_notice")
        elif not allowed:
            after.append("duration_not_allowed")
        elif not on_grid:
            after.append("not_aligned")
        elif reach[1] > horizon:
            after.append("too_far_ahead")
        else:
            after.append(None)
    return before, after


def _room_reason(index: int, reach: Span, calendar: RoomCalendar[Any]) -> str | None:
    """ "closed" or "booked" when this room's own closures or bookings take the date."""
    # With every occupancy at hand, most dates are settled by one binary search in the
    # free intervals, which hold no closure and no booking.
    if _inside(reach, calendar.free, calendar.free_starts):
        return None
    if calendar.closures and _overlaps(reach, calendar.closures):
        return "closed"
    if _booked(index, reach, calendar):
        return "booked"
    return None


def _past_the_end(pattern: Pattern, policy: dict[str, Any]) -> int:
    """Seconds from a date's end to the next grid line: a free interval ends on the grid,
    so 19:00-19:45 on a half-hour grid needs the room until 20:00."""
    return 60 * (-(pattern.duration // timedelta(minutes=1)) % policy["granularity_minutes"])


def _booked(index: int, reach: Span, calendar: RoomCalendar[Any]) -> bool:
    """Whether an occupancy takes the date: [s, e) blocks [s - buffer, e)."""
    if calendar.taken is not None:
        return index in calendar.taken
    buffer = calendar.buffer
    return any(s - buffer < reach[1] and reach[0] < e for s, e in calendar.busy)


def _series_body(room: SearchRoom, pattern: Pattern) -> dict[str, Any]:
    """A POST /series body whose RRULE gives exactly the pattern's dates."""
    return {"room_id": room.id, **_series_times(pattern, room.zone)}


@lru_cache(maxsize=256)
def _series_times(pattern: Pattern, zone: ZoneInfo) -> dict[str, str]:
    """What a series body of the pattern says in every room of one zone."""
    dates = pattern.dates()
    first = datetime.combine(dates[0], pattern.start_time, tzinfo=zone)
    days = ",".join(RRULE_DAYS[day] for day in pattern.weekdays)
    return {
        "start": first.isoformat(),
        "end": (first + pattern.duration).astimezone(zone).isoformat(),
        "rrule": f"FREQ=WEEKLY;BYDAY={days};COUNT={len(dates)}",
        "on_conflict": "skip",
    }
