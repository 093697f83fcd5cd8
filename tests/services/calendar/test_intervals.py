"""Interval merge and subtract, against a brute-force minute model."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from booking.services.calendar.intervals import merge, overlaps, subtract

BASE = datetime(2026, 1, 1, tzinfo=UTC)

minute_intervals = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 60)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


def to_dt(pairs: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b)) for a, b in pairs]


def minutes(intervals: list[tuple[datetime, datetime]]) -> set[int]:
    covered: set[int] = set()
    for start, end in intervals:
        first = int((start - BASE).total_seconds() // 60)
        last = int((end - BASE).total_seconds() // 60)
        covered.update(range(first, last))
    return covered


@given(minute_intervals)
def test_merge_covers_the_same_minutes_without_overlap_or_touching(
    pairs: list[tuple[int, int]],
) -> None:
    merged = merge(to_dt(pairs))
    assert minutes(merged) == minutes(to_dt(pairs))
    assert all(a[1] < b[0] for a, b in itertools.pairwise(merged))


@given(minute_intervals, minute_intervals)
def test_subtract_equals_set_difference(
    base: list[tuple[int, int]], holes: list[tuple[int, int]]
) -> None:
    result = subtract(to_dt(base), to_dt(holes))
    assert minutes(result) == minutes(to_dt(base)) - minutes(to_dt(holes))
    assert all(start < end for start, end in result)
    assert result == sorted(result)


def test_overlap_is_half_open() -> None:
    a = (BASE, BASE + timedelta(hours=1))
    assert not overlaps(a, (BASE + timedelta(hours=1), BASE + timedelta(hours=2)))
    assert overlaps(a, (BASE + timedelta(minutes=59), BASE + timedelta(hours=2)))


def test_intersect_keeps_what_lies_in_both() -> None:
    from datetime import UTC, datetime

    from booking.services.calendar.intervals import intersect

    def at(hour: int) -> datetime:
        return datetime(2027, 1, 1, hour, tzinfo=UTC)

    free = [(at(8), at(12)), (at(13), at(20))]
    windows = [(at(10), at(14)), (at(19), at(23))]
    assert intersect(free, windows) == [(at(10), at(12)), (at(13), at(14)), (at(19), at(20))]
    assert intersect(free, []) == [] and intersect([], windows) == []
