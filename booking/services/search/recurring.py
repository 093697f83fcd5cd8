"""Recurring availability: which rooms are free on every date of a weekly pattern.

"Where can we meet on Tuesday evenings from 19:00, every week for three months?" One pass
over the same data as /availability: the rooms, their occupancies, closures and opening
hours in the whole window, loaded once. Each date is then free exactly when /availability
would offer its slot, and a taken date says why.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from booking.errors import Invalid
from booking.models import Room, utcnow
from booking.services.calendar.closures import closing
from booking.services.calendar.intervals import (
    ONE_SECOND,
    Interval,
    Span,
    intersect,
    merge,
    seconds,
    seconds_up,
    spans,
)
from booking.services.calendar.opening_hours import local_midnight, open_intervals
from booking.services.rooms import atom_ids
from booking.services.search.availability import (
    AvailabilityFilter,
    _closures,
    _occupancies,
    matching_rooms,
    room_free_spans,
)

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_WEEKS = 52
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
    """One room's answer: the free dates, the taken ones with a reason, a series to book."""

    room: Room
    free_dates: list[date] = field(default_factory=list)
    taken_dates: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)

    @property
    def room_id(self) -> int:
        """The room's id."""
        return self.room.id

    @property
    def place_id(self) -> int:
        """The room's place."""
        return self.room.place_id

    @property
    def total_dates(self) -> int:
        """How many dates the pattern has."""
        return len(self.free_dates) + len(self.taken_dates)


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


def _inside(span: Span, spans: list[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _inside_sorted(span: Span, spans: list[Span], starts: list[int]) -> bool:
    """`_inside` for sorted, disjoint spans: one binary search instead of a scan."""
    index = bisect_right(starts, span[0]) - 1
    return index >= 0 and span[1] <= spans[index][1]


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


@dataclass
class RoomCalendar:
    """What decides a room's dates in a window, computed once for any number of patterns.

    Every instant is in whole seconds since the epoch: a pattern's dates are checked by
    comparing integers.
    """

    room: Room
    policy: dict[str, Any]
    free: list[Span]
    hours: list[Span]
    holidays: list[Span]
    closures: list[Span]
    busy: list[Span]
    buffer: int
    free_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.free_starts = [start for start, _ in self.free]


def room_calendars(
    filters: AvailabilityFilter,
    first: date,
    last: date,
    duration: timedelta,
    now: datetime,
    days: Iterable[date] = (),
) -> list[RoomCalendar]:
    """The matching rooms' calendars over [first, last]: one query per kind of row.

    With `days`, free intervals are worked out only on those local days (and the night
    after each, for a span past midnight): a weekly pattern needs two days in seven.
    """
    rooms = matching_rooms(filters)
    if not rooms:
        return []
    start = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=2) + duration
    max_buffer = timedelta(minutes=max(r.effective_policy["buffer_minutes"] for r in rooms))
    occupied = _occupancies(atom_ids(*rooms), start, end + max_buffer)
    closed = _closures({room.place_id for room in rooms}, start, end)
    opening: dict[tuple[str, str], list[Span]] = {}
    holidays: dict[str, list[Span]] = {}
    wanted_days: dict[str, list[Span]] = {}
    searched: dict[tuple[str, str], list[Span]] = {}
    utc_grid: dict[tuple[str, int, datetime, datetime], bool] = {}
    calendars = []
    for room in rooms:
        zone, policy = room.zone, room.effective_policy
        expression = room.effective_opening_hours
        if (zone.key, expression) not in opening:
            hours = spans(open_intervals(expression, zone, start, end))
            if zone.key not in wanted_days:
                wanted_days[zone.key] = spans(_local_days(days, zone))
            opening[(zone.key, expression)] = hours
            # Free intervals are worked out only where the hours meet the wanted days.
            searched[(zone.key, expression)] = (
                intersect(hours, wanted_days[zone.key]) if days else hours
            )
        if zone.key not in holidays:
            holidays[zone.key] = spans(open_intervals("PH", zone, start, end))
        room_atoms = atom_ids(room)
        closures = spans(closing(closed[room.place_id], room_atoms))
        busy = [span for atom in room_atoms for span in occupied[atom]]
        free = room_free_spans(
            room,
            searched[(zone.key, expression)],
            closures,
            busy,
            (start, end),
            now,
            duration // ONE_SECOND,
            utc_grid,
        )
        calendars.append(
            RoomCalendar(
                room,
                policy,
                free,
                opening[(zone.key, expression)],
                holidays[zone.key],
                closures,
                busy,
                60 * policy["buffer_minutes"],
            )
        )
    return calendars


def _local_days(days: Iterable[date], zone: ZoneInfo) -> list[Interval]:
    """Each day from local midnight to the second midnight after it, merged, in UTC.

    Midnight is on every room's grid (granularities divide an hour), so cutting free time
    there leaves every span that starts on one of the days as free as before.
    """
    return merge(
        (local_midnight(day, zone), local_midnight(day + timedelta(days=2), zone)) for day in days
    )


def dates_of(calendar: RoomCalendar, pattern: Pattern, now: datetime) -> RoomDates:
    """One room's free and taken dates for a pattern."""
    answer = RoomDates(calendar.room)
    dates = pattern.dates()
    for day, span in zip(dates, _pattern_seconds(pattern, calendar.room.zone), strict=True):
        reason = _verdict(span, pattern, calendar, now)
        if reason is None:
            answer.free_dates.append(day)
        else:
            answer.taken_dates.append({"date": day, "reason": reason})
    if dates:
        answer.series = _series_body(calendar.room, pattern, dates)
    return answer


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
    calendars = room_calendars(
        filters, pattern.first, pattern.last, pattern.duration, now, days=pattern.dates()
    )
    answers = [dates_of(calendar, pattern, now) for calendar in calendars]
    answers.sort(key=lambda a: (-len(a.free_dates), a.room.place_id, a.room.id))
    return answers


def _verdict(
    span: Span | None, pattern: Pattern, calendar: RoomCalendar, now: datetime
) -> str | None:
    """None when the date's span is bookable; otherwise the first reason it is not."""
    policy, buffer = calendar.policy, calendar.buffer
    hours, holidays, closures = calendar.hours, calendar.holidays, calendar.closures
    busy, free = calendar.busy, calendar.free
    if span is None:
        return "nonexistent_local_time"
    begin = span[0]
    minutes = pattern.duration.total_seconds() / 60
    granularity = policy["granularity_minutes"]
    on_grid = (pattern.start_time.hour * 60 + pattern.start_time.minute) % granularity == 0
    allowed = policy["min_duration_minutes"] <= minutes <= policy["max_duration_minutes"]
    # Most dates are free: one binary search settles them (free already holds every rule
    # but the grid and the duration, checked here).
    if on_grid and allowed and _inside_sorted(span, free, calendar.free_starts):
        return None
    if not _inside(span, hours):
        return "public_holiday" if _overlaps(span, holidays) else "outside_opening_hours"
    if _overlaps(span, closures):
        return "closed"
    # As in free_intervals: an occupancy [s, e) blocks [s - buffer, e).
    if _overlaps(span, [(s - buffer, e) for s, e in busy]):
        return "booked"
    if begin < seconds_up(now + timedelta(minutes=policy["min_notice_minutes"])):
        return "too_short_notice"
    if not allowed:
        return "duration_not_allowed"
    if not on_grid:
        return "not_aligned"
    if not _inside(span, free):
        # The one rule left that free intervals apply: the booking must end within the
        # horizon (max_days_ahead).
        return "too_far_ahead"
    return None


def _series_body(room: Room, pattern: Pattern, dates: Sequence[date]) -> dict[str, Any]:
    """A POST /series body whose RRULE gives exactly the pattern's dates."""
    zone = room.zone
    first = datetime.combine(dates[0], pattern.start_time, tzinfo=zone)
    days = ",".join(RRULE_DAYS[day] for day in pattern.weekdays)
    return {
        "room_id": room.id,
        "start": first.isoformat(),
        "end": (first + pattern.duration).astimezone(zone).isoformat(),
        "rrule": f"FREQ=WEEKLY;BYDAY={days};COUNT={len(dates)}",
        "on_conflict": "skip",
    }
