"""An answer computed for a whole minute (notice from the minute's end, the horizon and a
default window's end from its start) equals the answer at every instant of that minute:
the flat list and the front page keep answers per minute on that ground."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from booking.extensions import db
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.search.answers import minute_clock
from booking.services.search.availability import AvailabilityFilter, find_availability
from tests.factories import Factory

# Instants in a minute: its first moment, just after, halfway, its last microsecond.
SECONDS = (0, 0.000_001, 0.5, 29.25, 59.999_999)


@pytest.mark.parametrize("granularity, notice", [(15, 7), (30, 0), (5, 61), (60, 1439)])
def test_a_minute_answer_is_the_answer_at_each_of_its_instants(
    clean_app: Flask, make: Factory, granularity: int, notice: int
) -> None:
    policy = {
        **DEFAULT_POLICY,
        "granularity_minutes": granularity,
        "min_notice_minutes": notice,
        "min_duration_minutes": granularity,
        # The horizon ends inside the default window of seven days.
        "max_days_ahead": 3,
    }
    place = make.place(opening_hours="24/7", policy=policy)
    make.room(place)
    # Without `from` and `to` the window starts now and ends a week later.
    filters = AvailabilityFilter(place=(place,))
    base = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    with clean_app.app_context():
        compared = 0
        for minute in range(0, 62, 1 if granularity <= 15 else 7):
            start = base + timedelta(minutes=minute)
            whole_minute = find_availability(filters, minute_clock(start + timedelta(seconds=1))[0])
            assert whole_minute
            for second in SECONDS:
                now = start + timedelta(seconds=second)
                clock, name = minute_clock(now)
                assert name.rstrip("=") == str(int(start.timestamp()) // 60)
                if now != start:
                    assert find_availability(filters, clock) == whole_minute
                assert find_availability(filters, now) == find_availability(filters, clock), (
                    minute,
                    second,
                )
                compared += 1
        assert compared > 40
        db.session.remove()
