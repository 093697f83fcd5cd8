"""Pure operations on half-open time intervals [start, end).

They work on instants (`Interval`) and equally on whole seconds since the epoch (`Span`),
which the availability sweep uses: comparing and shifting integers is several times
cheaper than doing so with timezone-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

Interval = tuple[datetime, datetime]
Span = tuple[int, int]
T = TypeVar("T", datetime, int)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


def seconds(value: datetime) -> int:
    """An instant as whole seconds since the epoch, rounded down."""
    return (value - EPOCH) // ONE_SECOND


def seconds_up(value: datetime) -> int:
    """An instant as whole seconds since the epoch, rounded up."""
    return -((EPOCH - value) // ONE_SECOND)


def instant(value: int) -> datetime:
    """Whole seconds since the epoch as an instant in UTC."""
    return datetime.fromtimestamp(value, UTC)


def spans(intervals: Iterable[Interval]) -> list[Span]:
    """Intervals of instants (on whole seconds) as spans of seconds."""
    return [(seconds(start), seconds(end)) for start, end in intervals]


def merge(intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sort and merge overlapping or touching intervals."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: Iterable[tuple[T, T]], holes: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """The parts of `intervals` not covered by any of `holes` (one sorted sweep)."""
    result: list[tuple[T, T]] = []
    hole_list = merge(holes)
    index = 0
    for start, end in merge(intervals):
        while index < len(hole_list) and hole_list[index][1] <= start:
            index += 1
        cursor = start
        probe = index
        while probe < len(hole_list) and hole_list[probe][0] < end:
            hole_start, hole_end = hole_list[probe]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
            probe += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def overlaps(a: Interval, b: Interval) -> bool:
    """Whether two half-open intervals share at least one instant."""
    return a[0] < b[1] and b[0] < a[1]


def intersect(
    intervals: Iterable[tuple[T, T]], windows: Iterable[tuple[T, T]]
) -> list[tuple[T, T]]:
    """The parts of `intervals` that lie inside `windows` (both merged first)."""
    result = []
    ours, theirs = merge(intervals), merge(windows)
    i = j = 0
    while i < len(ours) and j < len(theirs):
        start = max(ours[i][0], theirs[j][0])
        end = min(ours[i][1], theirs[j][1])
        if start < end:
            result.append((start, end))
        if ours[i][1] < theirs[j][1]:
            i += 1
        else:
            j += 1
    return result
