"""The RRULE subset of series: parsed, validated and expanded in local wall-clock time.

FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY and exactly one of COUNT or UNTIL; at most
370 occurrences within two years. Pure functions: no database, no current time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from booking.errors import Invalid

MAX_OCCURRENCES = 370
MAX_SPAN = timedelta(days=731)
MAX_INTERVAL = 99
FREQUENCIES = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
WEEKDAYS = {
    "MO": du.MO,
    "TU": du.TU,
    "WE": du.WE,
    "TH": du.TH,
    "FR": du.FR,
    "SA": du.SA,
    "SU": du.SU,
}
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


@dataclass(frozen=True)
class Recurrence:
    """A parsed rule; `until` is a local wall-clock time (inclusive)."""

    freq: str
    interval: int = 1
    byday: tuple[tuple[str, int | None], ...] = ()
    count: int | None = None
    until: datetime | None = None


def _invalid(message: str) -> Invalid:
    return Invalid(f"rrule: {message}", code="invalid_rrule", errors={"rrule": [message]})


def parse_rrule(text: str, zone: ZoneInfo) -> Recurrence:
    """Parse an RRULE of the supported subset, or raise a 422 `invalid_rrule`."""
    text = text.strip().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or not value.strip():
            raise _invalid(f"'{item}' is not KEY=VALUE.")
        if key in parts:
            raise _invalid(f"{key} is given twice.")
        parts[key] = value.strip().upper()
    unknown = sorted(set(parts) - {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"})
    if unknown:
        raise _invalid(
            f"{', '.join(unknown)} is not supported (FREQ, INTERVAL, BYDAY, COUNT, UNTIL)."
        )
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise _invalid("FREQ must be DAILY, WEEKLY or MONTHLY.")
    interval = _number(parts.get("INTERVAL", "1"), "INTERVAL", MAX_INTERVAL)
    byday = (
        tuple(_weekday(item, freq) for item in parts["BYDAY"].split(","))
        if "BYDAY" in parts
        else ()
    )
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise _invalid("Give exactly one of COUNT or UNTIL.")
    count = _number(parts["COUNT"], "COUNT", MAX_OCCURRENCES) if "COUNT" in parts else None
    until = _until(parts["UNTIL"], zone) if "UNTIL" in parts else None
    return Recurrence(freq, interval, byday, count, until)


def _number(value: str, key: str, maximum: int) -> int:
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise _invalid(f"{key} must be a whole number from 1 to {maximum}.")
    return int(value)


def _weekday(item: str, freq: str) -> tuple[str, int | None]:
    match = _BYDAY.match(item.strip())
    if not match:
        raise _invalid(f"BYDAY '{item}' is not a weekday such as MO or (monthly) 2TU or -1FR.")
    ordinal, day = match.groups()
    if ordinal and freq != "MONTHLY":
        raise _invalid("A numbered BYDAY (like 2TU) needs FREQ=MONTHLY.")
    if ordinal and int(ordinal) == 0:
        raise _invalid("BYDAY ordinals are 1 to 5 or -1 to -5.")
    return day, int(ordinal) if ordinal else None


def _until(value: str, zone: ZoneInfo) -> datetime:
    match = _UNTIL.match(value)
    if not match:
        raise _invalid("UNTIL must look like 20270630, 20270630T190000 or 20270630T170000Z.")
    day_text, time_text, utc = match.groups()
    try:
        day = datetime.strptime(day_text, "%Y%m%d").date()  # noqa: DTZ007 (a date only)
        moment = (
            datetime.strptime(time_text, "%H%M%S").time() if time_text else time(23, 59, 59)  # noqa: DTZ007
        )
    except ValueError:
        raise _invalid("UNTIL is not a real date or time.") from None
    until = datetime.combine(day, moment)
    if utc:
        until = until.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return until


def expand(rule: Recurrence, first: datetime) -> list[datetime]:
    """The local wall-clock starts of the rule from `first` (naive, the place's time)."""
    weekdays = [WEEKDAYS[day](n) if n else WEEKDAYS[day] for day, n in rule.byday] or None
    generator = du.rrule(
        FREQUENCIES[rule.freq],
        dtstart=first,
        interval=rule.interval,
        byweekday=weekdays,
        count=rule.count,
        until=rule.until,
    )
    starts = list(islice(generator, MAX_OCCURRENCES + 1))
    if len(starts) > MAX_OCCURRENCES:
        raise Invalid(
            f"A series has at most {MAX_OCCURRENCES} occurrences.",
            code="series_too_long",
            errors={"rrule": [f"At most {MAX_OCCURRENCES} occurrences."]},
        )
    if not starts:
        raise _invalid("The rule gives no occurrence on or after the start.")
    if starts[0] != first:
        # RFC 5545 leaves a start outside its own rule undefined; say what the rule means.
        raise Invalid(
            f"The start ({first:%A %Y-%m-%d %H:%M}) is not itself an occurrence of the rule; "
            f"its first occurrence is {starts[0]:%A %Y-%m-%d %H:%M}. Start there.",
            code="start_not_in_rule",
            errors={"start": [f"Not an occurrence; the first is {starts[0]:%Y-%m-%d %H:%M}."]},
            first_occurrence=starts[0].isoformat(),
        )
    if starts[-1] - starts[0] > MAX_SPAN:
        raise Invalid(
            "A series spans at most two years.",
            code="series_too_long",
            errors={"rrule": ["The last occurrence is more than two years after the first."]},
        )
    return starts


def local_occurrences(
    rule: Recurrence, first_start: datetime, first_end: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime, str | None]]:
    """Each occurrence as UTC (start, end), or with the reason it cannot exist.

    Every occurrence keeps the local wall-clock times of the first, so a weekly 19:00
    stays 19:00 across daylight-saving switches. A time in the spring gap is reported,
    never shifted; in the autumn overlap the first (summer-time) reading is taken.
    """
    wall_start = first_start.astimezone(zone).replace(tzinfo=None)
    wall_length = first_end.astimezone(zone).replace(tzinfo=None) - wall_start
    result = []
    for start in expand(rule, wall_start):
        end = start + wall_length
        problem = None
        utc = []
        for wall in (start, end):
            aware = wall.replace(tzinfo=zone)
            if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                problem = f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key}."
            utc.append(aware.astimezone(UTC))
        result.append((utc[0], utc[1], problem))
    return result
