"""The RRULE subset and local-time checks, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.errors import Invalid
from booking.services.booking.booking_rules import local_time_problem
from booking.services.booking.recurrence import local_occurrences, parse_rrule

AMS = ZoneInfo("Europe/Amsterdam")


def test_parse_accepts_the_subset() -> None:
    rule = parse_rrule("RRULE:freq=weekly;interval=2;byday=MO,TH;count=10", AMS)
    assert (rule.freq, rule.interval, rule.count) == ("WEEKLY", 2, 10)
    assert rule.byday == (("MO", None), ("TH", None))
    monthly = parse_rrule("FREQ=MONTHLY;BYDAY=-1FR,2TU;UNTIL=20270630", AMS)
    assert monthly.byday == (("FR", -1), ("TU", 2))
    assert monthly.until == datetime(2027, 6, 30, 23, 59, 59)


def test_until_in_utc_is_read_in_local_time() -> None:
    rule = parse_rrule("FREQ=DAILY;UNTIL=20270701T170000Z", AMS)
    assert rule.until == datetime(2027, 7, 1, 19, 0)


@pytest.mark.parametrize(
    "text", ["", "FREQ=HOURLY;COUNT=2", "FREQ=DAILY;COUNT=x", "FREQ=DAILY;INTERVAL=100;COUNT=2"]
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_rrule(text, AMS)
    assert caught.value.code == "invalid_rrule"


def test_weekly_occurrences_keep_wall_clock_time_and_real_length() -> None:
    first = datetime(2026, 10, 20, 19, 0, tzinfo=AMS)
    rule = parse_rrule("FREQ=WEEKLY;COUNT=3", AMS)
    result = local_occurrences(rule, first, first + timedelta(hours=2), AMS)
    assert [start.astimezone(AMS).hour for start, _, _ in result] == [19, 19, 19]
    assert [start.astimezone(UTC).hour for start, _, _ in result] == [17, 18, 18]
    assert all(end - start == timedelta(hours=2) and p is None for start, end, p in result)


def test_an_occurrence_in_the_gap_carries_its_problem() -> None:
    first = datetime(2026, 3, 28, 2, 30, tzinfo=AMS)
    rule = parse_rrule("FREQ=DAILY;COUNT=2", AMS)
    (_, _, ok), (_, _, gap) = local_occurrences(rule, first, first + timedelta(hours=1), AMS)
    assert ok is None and gap is not None and "2026-03-29 02:30" in gap


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-03-29T02:30:00+01:00", "nonexistent_local_time"),
        ("2026-03-29T02:30:00+02:00", "nonexistent_local_time"),
        ("2026-07-01T19:00:00+01:00", "wrong_utc_offset"),
        ("2026-07-01T19:00:00+02:00", None),
        ("2026-07-01T19:00:00+00:00", None),
        ("2026-10-25T02:30:00+02:00", None),  # the autumn hour exists twice
        ("2026-10-25T02:30:00+01:00", None),
        ("2026-03-29T01:30:00+01:00", None),
    ],
)
def test_local_time_problems(text: str, code: str | None) -> None:
    problem = local_time_problem(datetime.fromisoformat(text), AMS)
    assert (problem[0] if problem else None) == code


def test_a_fixed_offset_far_away_is_refused() -> None:
    value = datetime(2026, 7, 1, 19, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert local_time_problem(value, AMS) is not None
