"""Opening hours resolved from OSM strings: DST, holidays, midnight, closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.errors import Invalid
from booking.services.calendar.opening_hours import (
    open_intervals,
    resolve_days,
    validate_opening_hours,
)

AMS = ZoneInfo("Europe/Amsterdam")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def as_local(days: list[tuple[date, list[tuple[datetime, datetime]]]]) -> dict[str, list[str]]:
    return {
        d.isoformat(): [f"{s.astimezone(AMS):%H:%M}-{e.astimezone(AMS):%H:%M}" for s, e in ivs]
        for d, ivs in days
    }


def test_spring_forward_day_keeps_wall_clock_and_has_true_length() -> None:
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    days = resolve_days("Mo-Su 09:00-17:00", AMS, date(2026, 3, 28), date(2026, 3, 29))
    (_, before), (_, switch_day) = days
    assert before == [(utc(2026, 3, 28, 8), utc(2026, 3, 28, 16))]
    assert switch_day == [(utc(2026, 3, 29, 7), utc(2026, 3, 29, 15))]


def test_window_across_the_spring_gap_is_an_hour_shorter() -> None:
    days = resolve_days("Su 01:00-04:00", AMS, date(2026, 3, 29), date(2026, 3, 29))
    [(start, end)] = days[0][1]
    assert (start, end) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    assert end - start == timedelta(hours=2)


def test_fall_back_day_keeps_wall_clock_and_window_is_an_hour_longer() -> None:
    # 25 October 2026: clocks go from 03:00 CEST back to 02:00 CET.
    days = resolve_days(
        "Su 01:00-04:00; Mo 09:00-17:00", AMS, date(2026, 10, 25), date(2026, 10, 26)
    )
    [(start, end)] = days[0][1]
    assert (start, end) == (utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))
    assert end - start == timedelta(hours=4)
    assert days[1][1] == [(utc(2026, 10, 26, 8), utc(2026, 10, 26, 16))]


def test_kings_day_is_a_public_holiday() -> None:
    # King's Day 2026 falls on Monday 27 April.
    days = as_local(
        resolve_days("Mo-Fr 09:00-17:00; PH off", AMS, date(2026, 4, 27), date(2026, 4, 28))
    )
    assert days == {"2026-04-27": [], "2026-04-28": ["09:00-17:00"]}


def test_christmas_and_new_year_are_holidays() -> None:
    days = as_local(
        resolve_days("Mo-Su 10:00-12:00; PH off", AMS, date(2026, 12, 24), date(2027, 1, 1))
    )
    assert days["2026-12-24"] == ["10:00-12:00"]
    assert days["2026-12-25"] == [] and days["2026-12-26"] == []
    assert days["2027-01-01"] == []


def test_window_past_midnight_stays_with_the_day_it_opens() -> None:
    days = resolve_days("Fr-Sa 20:00-02:00", AMS, date(2026, 6, 5), date(2026, 6, 7))
    assert as_local(days) == {
        "2026-06-05": ["20:00-02:00"],
        "2026-06-06": ["20:00-02:00"],
        "2026-06-07": [],
    }
    assert days[1][1] == [(utc(2026, 6, 6, 18), utc(2026, 6, 7, 0))]


def test_window_past_midnight_on_the_last_day_is_not_cut() -> None:
    days = resolve_days("Sa 22:00-03:00", AMS, date(2026, 6, 6), date(2026, 6, 6))
    assert days == [(date(2026, 6, 6), [(utc(2026, 6, 6, 20), utc(2026, 6, 7, 1))])]


def test_window_past_midnight_into_the_first_day_shows_its_tail() -> None:
    days = as_local(resolve_days("Fr 22:00-02:00", AMS, date(2026, 6, 6), date(2026, 6, 6)))
    assert days == {"2026-06-06": ["00:00-02:00"]}


def test_always_open_is_one_interval_per_day_of_true_length() -> None:
    days = resolve_days("24/7", AMS, date(2026, 3, 28), date(2026, 3, 30))
    lengths = [[e - s for s, e in ivs] for _, ivs in days]
    assert lengths == [[timedelta(hours=24)], [timedelta(hours=23)], [timedelta(hours=24)]]


def test_closures_are_cut_out() -> None:
    closure = (local(2026, 6, 3, 12), local(2026, 6, 4, 14))
    days = as_local(
        resolve_days("Mo-Fr 09:00-17:00", AMS, date(2026, 6, 3), date(2026, 6, 5), [closure])
    )
    assert days == {
        "2026-06-03": ["09:00-12:00"],
        "2026-06-04": ["14:00-17:00"],
        "2026-06-05": ["09:00-17:00"],
    }


def test_open_intervals_are_clipped_to_the_window() -> None:
    intervals = open_intervals(
        "Mo-Fr 09:00-17:00", AMS, local(2026, 6, 3, 10), local(2026, 6, 3, 11, 30)
    )
    assert intervals == [(utc(2026, 6, 3, 8), utc(2026, 6, 3, 9, 30))]


def test_other_timezone_evaluates_in_its_own_wall_clock() -> None:
    london = ZoneInfo("Europe/London")
    days = resolve_days("Mo 09:00-10:00", london, date(2026, 6, 1), date(2026, 6, 1))
    assert days[0][1] == [(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9))]


@pytest.mark.parametrize("value", ["", "   ", "Mo-Fr 25:00-26:00x", "whenever", "x" * 1001])
def test_invalid_strings_are_refused(value: str) -> None:
    with pytest.raises(Invalid) as caught:
        validate_opening_hours(value)
    assert caught.value.code == "invalid_opening_hours"
    assert "opening_hours" in (caught.value.errors or {})


def test_valid_string_is_stripped() -> None:
    assert validate_opening_hours("  Mo-Fr 09:00-17:00; PH off ") == "Mo-Fr 09:00-17:00; PH off"
