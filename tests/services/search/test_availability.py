"""Availability equals a minute-by-minute brute force, on random data, DST days included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.services.calendar.intervals import Interval
from booking.services.calendar.opening_hours import open_intervals
from booking.services.search.availability import free_intervals

AMS = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
# Windows of three days; two of them contain a DST switch.
DAYS = [
    datetime(2026, 3, 28, tzinfo=AMS),
    datetime(2026, 10, 24, tzinfo=AMS),
    datetime(2027, 1, 11, tzinfo=AMS),
]
EXPRESSIONS = [
    "24/7",
    "Mo-Su 08:00-22:00",
    "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
    "Mo-Su 22:00-04:00",
    "Mo-Su 01:30-03:30",
    "Mo-Su 09:00-12:00,13:00-17:00; Su off",
]
WINDOW = timedelta(days=3)


def brute_force(
    opening: list[Interval],
    closures: list[Interval],
    occupancies: list[Interval],
    buffer: timedelta,
    earliest: datetime,
    latest: datetime,
    zone: ZoneInfo,
    granularity: int,
    min_length: timedelta,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """Walk the window minute by minute; a minute is free when nothing rules it out."""

    def free(t: datetime) -> bool:
        return (
            earliest <= t < latest
            and any(s <= t < e for s, e in opening)
            and not any(s <= t < e for s, e in closures)
            and not any(s - buffer <= t < e for s, e in occupancies)
        )

    def on_grid(t: datetime) -> bool:
        local = t.astimezone(zone)
        return (local.hour * 60 + local.minute) % granularity == 0

    runs: list[Interval] = []
    t = start
    while t < end:
        if free(t):
            run_start = t
            while t < end and free(t):
                t += MINUTE
            runs.append((run_start, t))
        else:
            t += MINUTE
    result = []
    for run_start, run_end in runs:
        first = run_start
        while first < run_end and not on_grid(first):
            first += MINUTE
        last = run_end
        while last > first and not on_grid(last):
            last -= MINUTE
        if last > first and last - first >= min_length:
            result.append((first, last))
    return result


def minutes(base: datetime, offset: int) -> datetime:
    return (base + timedelta(minutes=offset)).astimezone(UTC)


span = st.tuples(st.integers(0, 3 * 1440 // 5), st.integers(1, 600 // 5))


@settings(max_examples=60, deadline=None)
@given(
    day=st.sampled_from(DAYS),
    expression=st.sampled_from(EXPRESSIONS),
    closures=st.lists(span, max_size=3),
    occupancies=st.lists(span, max_size=8),
    buffer=st.sampled_from([0, 15, 30]),
    granularity=st.sampled_from([5, 15, 30, 60]),
    min_length=st.sampled_from([5, 30, 60, 120]),
    bounds=st.tuples(st.integers(0, 1440), st.integers(1440, 3 * 1440)),
)
def test_free_intervals_match_the_brute_force(
    day: datetime,
    expression: str,
    closures: list[tuple[int, int]],
    occupancies: list[tuple[int, int]],
    buffer: int,
    granularity: int,
    min_length: int,
    bounds: tuple[int, int],
) -> None:
    start, end = day.astimezone(UTC), (day + WINDOW).astimezone(UTC)
    opening = open_intervals(expression, AMS, start, end)

    def as_intervals(spans: list[tuple[int, int]]) -> list[Interval]:
        return [(minutes(start, 5 * a), minutes(start, 5 * (a + b))) for a, b in spans]

    arguments = {
        "closures": as_intervals(closures),
        "occupancies": as_intervals(occupancies),
        "buffer": timedelta(minutes=buffer),
        "earliest": minutes(start, bounds[0]),
        "latest": minutes(start, bounds[1]),
        "zone": AMS,
        "granularity": granularity,
        "min_length": timedelta(minutes=min_length),
    }
    expected = brute_force(opening, start=start, end=end, **arguments)  # type: ignore[arg-type]
    assert free_intervals(opening, **arguments) == expected  # type: ignore[arg-type]


def test_a_dst_day_has_its_true_length() -> None:
    day = datetime(2026, 3, 29, tzinfo=AMS)
    start, end = day.astimezone(UTC), (day + timedelta(days=1)).astimezone(UTC)
    free = free_intervals(
        open_intervals("24/7", AMS, start, end),
        [],
        [],
        buffer=timedelta(0),
        earliest=start,
        latest=end,
        zone=AMS,
        granularity=60,
        min_length=timedelta(minutes=60),
    )
    assert free == [(start, end)] and end - start == timedelta(hours=23)


def test_the_grid_is_local_where_the_offset_is_not_whole_steps() -> None:
    # Kolkata is UTC+05:30: an hourly grid there falls on the half hour in UTC, so the UTC
    # shortcut must not be taken; Amsterdam's whole hours may take it.
    for name, expected in (("Asia/Kolkata", "09:00"), ("Europe/Amsterdam", "09:00")):
        zone = ZoneInfo(name)
        day = datetime(2027, 3, 10, tzinfo=zone)
        opening = open_intervals("Mo-Su 08:40-17:00", zone, day, day + timedelta(days=1))
        free = free_intervals(
            opening,
            [],
            [],
            buffer=timedelta(0),
            earliest=day.astimezone(UTC),
            latest=(day + timedelta(days=1)).astimezone(UTC),
            zone=zone,
            granularity=60,
            min_length=timedelta(hours=1),
        )
        starts = [start.astimezone(zone).strftime("%H:%M") for start, _ in free]
        ends = [end.astimezone(zone).strftime("%H:%M") for _, end in free]
        assert starts == [expected] and ends == ["17:00"], (name, starts, ends)


def test_a_slot_never_starts_before_the_earliest_instant() -> None:
    # Whole seconds are counted from the epoch: half a second past the hour must round up
    # to the next grid step, not down to the hour that has just passed.
    day = datetime(2027, 3, 10, tzinfo=AMS)
    start, end = day.astimezone(UTC), (day + timedelta(days=1)).astimezone(UTC)
    earliest = (day + timedelta(hours=10, microseconds=500_000)).astimezone(UTC)
    free = free_intervals(
        open_intervals("24/7", AMS, start, end),
        [],
        [],
        buffer=timedelta(0),
        earliest=earliest,
        latest=end,
        zone=AMS,
        granularity=60,
        min_length=timedelta(hours=1),
    )
    assert free == [((day + timedelta(hours=11)).astimezone(UTC), end)]
