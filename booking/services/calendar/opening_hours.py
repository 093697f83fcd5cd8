"""Opening hours: OpenStreetMap `opening_hours` strings evaluated into concrete intervals.

Pure functions: a string, a timezone and a window in, UTC intervals out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours

from booking.config import HOLIDAY_COUNTRY
from booking.errors import Invalid
from booking.services.calendar.intervals import Interval, subtract

MAX_LENGTH = 1000
# 'SH' as a rule selector: school holidays, which this service does not know.
SCHOOL_HOLIDAYS = re.compile(r"(?<![A-Za-z])SH(?![A-Za-z])")


def validate_opening_hours(expression: str, field: str = "opening_hours") -> str:
    """Return the expression stripped, or raise a 422 naming the field."""
    expression = expression.strip()
    if not expression or len(expression) > MAX_LENGTH:
        raise Invalid(
            "Opening hours must be 1 to 1000 characters.",
            code="invalid_opening_hours",
            errors={field: [f"Length must be between 1 and {MAX_LENGTH}."]},
        )
    if SCHOOL_HOLIDAYS.search(expression):
        raise Invalid(
            "School holidays (SH) are not known to this service, so 'SH' would have no effect. "
            "Add the holiday weeks as dated closures instead.",
            code="invalid_opening_hours",
            errors={field: ["SH (school holidays) is not supported; use closures."]},
        )
    try:
        opening_hours.OpeningHours(expression)
    except Exception as error:  # the parser's own error says where it failed
        where = _failure_position(str(error))
        raise Invalid(
            f"'{expression}' is not a valid OpenStreetMap opening_hours value{where}. "
            "Example: 'Mo-Fr 09:00-17:00; Sa 10:00-14:00; PH off'.",
            code="invalid_opening_hours",
            errors={field: [f"Not a valid OpenStreetMap opening_hours value{where}."]},
        ) from None
    return expression


def _failure_position(message: str) -> str:
    """', at character N (expected ...)' from the parser's message, when it says so."""
    found = re.search(r"--> \d+:(\d+)", message)
    expected = re.search(r"= expected (.+)", message)
    if not found:
        return ""
    hint = f" (expected {expected.group(1).strip()})" if expected else ""
    return f", at character {found.group(1)}{hint}"


@lru_cache(maxsize=512)
def _parsed(expression: str, zone_name: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(
        expression, timezone=ZoneInfo(zone_name), country=HOLIDAY_COUNTRY
    )


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local date begins, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def bound_instant(value: date | datetime, zone: ZoneInfo, *, end: bool) -> datetime:
    """A query bound as an instant: a datetime as given; a date at local midnight, where a
    date `to` is inclusive (the window ends at the next local midnight)."""
    if isinstance(value, datetime):
        return value
    return local_midnight(value + timedelta(days=1) if end else value, zone)


def open_intervals(
    expression: str, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Interval]:
    """The open intervals of `expression` inside [start, end), in UTC."""
    if end <= start:
        return []
    parsed = _parsed(expression, zone.key)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    result: list[Interval] = []
    for iv_start, iv_end, state, _comment in parsed.intervals(local_start, local_end):
        if state != opening_hours.State.OPEN:
            continue
        # Wall-clock times from the library: the zone gives each its own UTC offset,
        # so a window across a DST switch has its true length.
        utc_start = max(_as_utc(iv_start, zone), start)
        utc_end = min(_as_utc(iv_end, zone), end)
        if utc_start < utc_end:
            result.append((utc_start, utc_end))
    return result


def daily_windows(
    weekdays: Iterable[int],
    between: tuple[time, time] | None,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """The local part of the day on the given weekdays (all when none) around [start, end), in UTC.

    A part whose end is not after its begin runs past midnight; the windows are whole, so
    intersect them with what they filter.
    """
    begin, finish = between or (time(0), time(0))
    wanted = set(weekdays)
    windows = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while local_midnight(day, zone) < end:
        if not wanted or day.weekday() in wanted:
            next_day = day + timedelta(days=1) if finish <= begin else day
            windows.append(
                (
                    datetime.combine(day, begin, tzinfo=zone).astimezone(UTC),
                    datetime.combine(next_day, finish, tzinfo=zone).astimezone(UTC),
                )
            )
        day += timedelta(days=1)
    return windows


def _as_utc(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _split_long_runs(intervals: Iterable[Interval], zone: ZoneInfo) -> list[Interval]:
    """Cut a run that covers whole days at the local midnight ending its first day.

    A window like Sa 22:00-02:00 stays one interval on Saturday; 24/7 becomes one per day.
    """
    result: list[Interval] = []
    for start, end in intervals:
        while True:
            local_day = start.astimezone(zone).date()
            cut = local_midnight(local_day + timedelta(days=1), zone)
            if start.astimezone(zone).time() != time(0):
                cut = local_midnight(local_day + timedelta(days=2), zone)
            if end <= cut:
                result.append((start, end))
                break
            result.append((start, cut))
            start = cut
    return result


def resolve_days(
    expression: str,
    zone: ZoneInfo,
    first: date,
    last: date,
    closures: Iterable[Interval] = (),
) -> list[tuple[date, list[Interval]]]:
    """Open intervals per local date from `first` to `last` inclusive, closures removed.

    An interval belongs to the local date on which it starts, so a window that runs past
    midnight is listed whole under the day it opens.
    """
    window_start = local_midnight(first, zone)
    window_end = local_midnight(last + timedelta(days=1), zone)
    # Look one day further so a window that opens on `last` is not cut at midnight.
    lookahead_end = local_midnight(last + timedelta(days=2), zone)
    intervals = open_intervals(expression, zone, window_start, lookahead_end)
    intervals = _split_long_runs(subtract(intervals, closures), zone)
    days: dict[date, list[Interval]] = {
        first + timedelta(days=n): [] for n in range((last - first).days + 1)
    }
    for start, end in intervals:
        if start >= window_end:
            break
        days[start.astimezone(zone).date()].append((start, end))
    return list(days.items())
