"""The week behind the per-day opening-hours editor: every demo string round-trips, and a
string the week cannot hold exactly is left to the text field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.demo.places import KIND_PROFILES
from booking.services.calendar.opening_hours import open_intervals
from booking.services.calendar.weekly_hours import (
    WeeklyHours,
    expression_of,
    minutes,
    weekly_hours_of,
)

ZONE = ZoneInfo("Europe/Amsterdam")
DEMO_HOURS = sorted({profile["hours"] for profile in KIND_PROFILES.values()})


def _opens(expression: str) -> list[tuple[datetime, datetime]]:
    # Through a DST switch, King's Day and Easter, as the service evaluates hours.
    start = datetime(2026, 3, 23, tzinfo=UTC)
    return open_intervals(expression, ZONE, start, start + timedelta(days=42))


@pytest.mark.parametrize("expression", DEMO_HOURS)
def test_every_demo_string_round_trips(expression: str) -> None:
    week = weekly_hours_of(expression)
    assert week is not None
    assert expression_of(week) == expression
    assert week.closed_on_holidays


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("Mo-Fr 09:00-17:00; We off; PH off", "Mo,Tu,Th,Fr 09:00-17:00; PH off"),
        ("Mo 10:00-12:00; Tu 10:00-12:00", "Mo,Tu 10:00-12:00"),
        ("Sa-Mo 10:00-12:00", "Mo,Sa,Su 10:00-12:00"),
        ("Mo,We 09:00-12:00,13:00-17:00", "Mo,We 09:00-12:00,13:00-17:00"),
        ("Mo-Su off", "Mo-Su off"),
        ("Mo-Fr 18:00-24:00", "Mo-Fr 18:00-24:00"),
    ],
)
def test_a_week_is_written_as_the_same_hours(given: str, written: str) -> None:
    week = weekly_hours_of(given)
    assert week is not None and expression_of(week) == written
    assert _opens(written) == _opens(given)


@pytest.mark.parametrize(
    "expression",
    [
        "24/7",
        "Mo-Fr 09:00-17:00; Jan off",
        "Mo-Fr 22:00-02:00",
        "Mo-Fr 09:00-12:00,11:00-17:00",
        "Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00",
        "Mo-Fr sunrise-sunset",
        "2026 Dec 24 off; Mo-Fr 09:00-17:00",
        "Mo-Fr 09:00-17:00; PH 10:00-12:00",
        "not hours at all",
    ],
)
def test_what_the_week_cannot_hold_is_left_to_the_text(expression: str) -> None:
    assert weekly_hours_of(expression) is None


def test_a_built_week_opens_when_it_says() -> None:
    week = WeeklyHours(
        days=(
            ((minutes("09:00"), minutes("12:00")), (minutes("13:00"), minutes("17:00"))),
            (),
            (),
            (),
            (),
            ((minutes("10:00"), minutes("14:00")),),
            (),
        ),
        closed_on_holidays=False,
    )
    expression = expression_of(week)
    assert expression == "Mo 09:00-12:00,13:00-17:00; Sa 10:00-14:00"
    opened = _opens(expression)
    # Monday 6 April 2026 is Easter Monday: open, as holidays are not closed here.
    easter_monday = [s for s, _e in opened if s.astimezone(ZONE).date().isoformat() == "2026-04-06"]
    assert len(easter_monday) == 2
    assert weekly_hours_of(expression) == week
