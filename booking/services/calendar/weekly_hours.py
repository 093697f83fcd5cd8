"""Opening hours as a week: per day closed or one or more spans, and closed on holidays.

The per-day editor on the host page reads and writes this shape; the stored value stays the
OpenStreetMap string. Pure functions: a string in, a week out, and back. A string the week
cannot hold exactly (months, week numbers, "sunrise", exceptions by date) gives None, and
the host keeps the text field for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import opening_hours

from booking.config import HOLIDAY_COUNTRY

DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
# The spans one day may hold in the editor; more reads as "use the text field".
MAX_SPANS = 3

Span = tuple[int, int]  # minutes since local midnight, end exclusive; 24:00 is 1440


@dataclass(frozen=True)
class WeeklyHours:
    """Seven days from Monday, each a tuple of spans (empty: closed), and holidays."""

    days: tuple[tuple[Span, ...], ...]
    closed_on_holidays: bool = True


_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = rf"{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*"
_RULE = re.compile(
    rf"^(?P<days>{_DAYS})\s+(?P<spans>off|closed|{_TIME}-{_TIME}(?:,{_TIME}-{_TIME})*)$"
)


def minutes(text: str) -> int:
    """'09:30' as 570; '24:00' as 1440."""
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def clock(value: int) -> str:
    """570 as '09:30'."""
    return f"{value // 60:02d}:{value % 60:02d}"


def _day_numbers(selector: str) -> list[int]:
    chosen: list[int] = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        start = DAY_CODES.index(first)
        stop = DAY_CODES.index(last) if last else start
        # Sa-Mo wraps past Sunday, as in OpenStreetMap.
        count = (stop - start) % 7 + 1
        chosen.extend((start + step) % 7 for step in range(count))
    return chosen


def _spans(text: str) -> tuple[Span, ...] | None:
    if text in ("off", "closed"):
        return ()
    spans: list[Span] = []
    for part in text.split(","):
        start, end = (minutes(value) for value in part.split("-"))
        if not start < end <= MINUTES_PER_DAY or (spans and start < spans[-1][1]):
            return None  # past midnight, empty, or overlapping: the text field's work
        spans.append((start, end))
    return tuple(spans)


def _read(expression: str) -> WeeklyHours | None:
    days: list[tuple[Span, ...]] = [() for _ in DAY_CODES]
    closed_on_holidays = False
    for rule in (part.strip() for part in expression.split(";")):
        if not rule:
            continue
        if rule in ("PH off", "PH closed"):
            closed_on_holidays = True
            continue
        found = _RULE.match(rule)
        if found is None:
            return None
        spans = _spans(found.group("spans"))
        if spans is None or len(spans) > MAX_SPANS:
            return None
        # A later rule replaces the hours of the days it names, as OpenStreetMap reads it.
        for number in _day_numbers(found.group("days")):
            days[number] = spans
    return WeeklyHours(tuple(days), closed_on_holidays)


def _selector(numbers: list[int]) -> str:
    """[0, 1, 2, 4] as 'Mo-We,Fr': runs of three or more days as ranges."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_CODES[run[0]]}-{DAY_CODES[run[-1]]}")
        else:
            parts.extend(DAY_CODES[number] for number in run)
    return ",".join(parts)


def expression_of(week: WeeklyHours) -> str:
    """The usual OpenStreetMap string: one rule per set of days with equal hours."""
    by_hours: dict[tuple[Span, ...], list[int]] = {}
    for number, spans in enumerate(week.days):
        if spans:
            by_hours.setdefault(spans, []).append(number)
    rules = [
        f"{_selector(numbers)} " + ",".join(f"{clock(start)}-{clock(end)}" for start, end in spans)
        for spans, numbers in by_hours.items()
    ]
    if not rules:
        rules.append("Mo-Su off")
    if week.closed_on_holidays:
        rules.append("PH off")
    return "; ".join(rules)


# Weeks the check evaluates: an ordinary one, and ones holding Dutch holidays on weekdays
# (Easter Monday, King's Day on a Tuesday, Christmas), so a difference on holidays shows.
_SAMPLE_WEEKS = (date(2025, 3, 3), date(2025, 4, 21), date(2026, 4, 27), date(2026, 12, 21))


def _evaluated(expression: str) -> list[tuple[datetime, datetime]] | None:
    try:
        parsed = opening_hours.OpeningHours(expression, country=HOLIDAY_COUNTRY)
    except Exception:  # not a valid string at all: nothing to compare
        return None
    found: list[tuple[datetime, datetime]] = []
    for monday in _SAMPLE_WEEKS:
        start = datetime.combine(monday, datetime.min.time())
        for opens, closes, state, _comment in parsed.intervals(start, start + timedelta(days=7)):
            if state == opening_hours.State.OPEN:
                found.append((opens, closes))
    return found


@lru_cache(maxsize=256)
def weekly_hours_of(expression: str) -> WeeklyHours | None:
    """The week an opening-hours string describes, or None when the editor cannot hold it.

    The answer is checked: its own string must open at exactly the same times as the given
    one over sample weeks with holidays, so a reading that drifts from the parser's is
    refused rather than saved over the host's hours.
    """
    week = _read(expression.strip())
    if week is None:
        return None
    expected = _evaluated(expression)
    if expected is None or _evaluated(expression_of(week)) != expected:
        return None
    return week
