"""Weekly slots that fit an initiative's needs over its whole trial, ranked honestly.

Needs are hard limits (capacity, facilities, duration, weekdays, time of day or start time,
step-free, ground floor, accessible toilet). The share of the trial's dates that are free
ranks first; where the place is, whom it serves and how well the room fits come next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.models import Initiative, Place, Room, utcnow
from booking.models.initiative import DAY_PARTS, WEEKDAYS
from booking.services.search.availability import AvailabilityFilter
from booking.services.search.recurring import (
    MAX_WEEKS,
    RRULE_DAYS,
    Pattern,
    SharedReasons,
    dates_of,
    room_calendars,
)

DEFAULT_DURATION = 120
# Candidate start times through the wanted part of the day.
STEP = timedelta(minutes=30)
# Without a wanted part of the day: from the morning's start to the evening's end.
WHOLE_DAY = (DAY_PARTS["morning"][0], DAY_PARTS["evening"][1])


@dataclass(frozen=True)
class Reason:
    """One reason that adds to a suggestion's score."""

    code: str
    points: int
    detail: str


@dataclass(frozen=True)
class Suggestion:
    """A weekly slot (room, weekday, start time) over the trial: how many of its dates are
    free, its score and reasons, and a series to book it."""

    room_id: int
    place_id: int
    place_name: str
    room_name: str
    weekday: str
    start_time: str
    start: datetime  # the first free date
    end: datetime
    zone: ZoneInfo
    free_dates: tuple[date, ...]
    total_dates: int
    reasons: tuple[Reason, ...]
    series: dict[str, object]

    @property
    def score(self) -> int:
        """The sum of the reasons' points."""
        return sum(reason.points for reason in self.reasons)

    @property
    def free_share(self) -> float:
        """The share of the pattern's dates that are free."""
        return len(self.free_dates) / self.total_dates


def _reasons(initiative: Initiative, place: Place, room: Room, capacity: int) -> tuple[Reason, ...]:
    found = []
    home = initiative.neighbourhood
    if home is not None and place.neighbourhood_id == home.id:
        found.append(
            Reason("same_neighbourhood", 30, f"In {home.name}, the initiative's own neighbourhood.")
        )
    elif home is not None and place.city.strip().lower() == home.city.strip().lower():
        found.append(Reason("same_city", 10, f"Nearby: elsewhere in {home.city}."))
    shared = sorted(set(initiative.target_groups) & set(place.target_groups))
    if shared:
        found.append(
            Reason(
                "serves_target_groups",
                5 * min(len(shared), 3),
                "The place welcomes " + ", ".join(shared) + ".",
            )
        )
    if room.capacity <= 2 * capacity:
        found.append(
            Reason("fits_capacity", 5, f"Room for {room.capacity}, close to the {capacity} needed.")
        )
    if place.step_free:
        found.append(Reason("step_free", 3, "Step-free entrance."))
    return tuple(found)


def _series(
    initiative: Initiative, room: Room, pattern: Pattern, dates: Sequence[date]
) -> dict[str, object]:
    """A POST /series body for exactly the pattern's dates in the trial."""
    zone = room.zone
    first = datetime.combine(dates[0], pattern.start_time, tzinfo=zone)
    return {
        "room_id": room.id,
        "start": first.isoformat(),
        "end": (first + pattern.duration).astimezone(zone).isoformat(),
        "title": initiative.title,
        "rrule": f"FREQ=WEEKLY;BYDAY={RRULE_DAYS[pattern.weekdays[0]]};COUNT={len(dates)}",
        "initiative_id": initiative.id,
        "on_conflict": "skip",
    }


def _start_times(needs: dict[str, object], duration: timedelta) -> list[time]:
    """Start times every half hour through the wanted part of the day (or the one asked)."""
    wanted = needs.get("start_time")
    if wanted:
        hours, minutes = map(int, str(wanted).split(":"))
        return [time(hours, minutes)]
    begin, end = DAY_PARTS.get(str(needs.get("time_of_day") or ""), WHOLE_DAY)
    times = []
    moment = datetime.combine(date(2000, 1, 3), begin)
    last = datetime.combine(date(2000, 1, 3), end) - duration
    while moment <= last:
        times.append(moment.time())
        moment += STEP
    return times


def trial_window(
    initiative: Initiative,
    first: date | datetime | None,
    last: date | datetime | None,
    now: datetime,
) -> tuple[date, date]:
    """The dates to look at: the whole trial (or eight weeks from its start, or from today)."""
    today = now.date()
    start = _as_date(first) or max(initiative.trial_starts_on or today, today)
    end = _as_date(last) or initiative.trial_ends_on or start + timedelta(weeks=8, days=-1)
    if end < start:
        end = start
    return start, min(end, start + timedelta(weeks=MAX_WEEKS, days=-1))


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def suggest(
    initiative: Initiative,
    first: date | datetime | None,
    last: date | datetime | None,
    now: datetime | None = None,
) -> list[Suggestion]:
    """One row per (room, weekday, start time) that fits every need, over the whole trial:
    the share of free dates first, then the reasons' score, then the first free date."""
    now = now or utcnow()
    needs = initiative.needs or {}
    capacity = int(needs.get("capacity") or 1)
    duration = timedelta(minutes=int(needs.get("duration_minutes") or DEFAULT_DURATION))
    weekdays = [WEEKDAYS.index(day) for day in needs.get("weekdays") or []] or list(range(7))
    start, end = trial_window(initiative, first, last, now)
    filters = AvailabilityFilter(
        capacity=capacity,
        facilities=tuple(needs.get("facilities") or ()),
        step_free=True if needs.get("step_free") else None,
        ground_floor=True if needs.get("ground_floor") else None,
        accessible_toilet=True if needs.get("accessible_toilet") else None,
    )
    calendars = room_calendars(filters, start, end, duration, now)
    shared: SharedReasons = {}
    found = []
    for calendar in calendars:
        room = calendar.room
        minutes = duration.total_seconds() / 60
        policy = calendar.policy
        if not policy["min_duration_minutes"] <= minutes <= policy["max_duration_minutes"]:
            continue
        reasons = _reasons(initiative, room.place, room, capacity)
        for weekday in weekdays:
            for clock in _start_times(needs, duration):
                pattern = Pattern((weekday,), clock, duration, start, end)
                dates = pattern.dates()
                if not dates:
                    continue
                answer = dates_of(calendar, pattern, now, shared)
                if not answer.free_dates:
                    continue
                first_free = datetime.combine(answer.free_dates[0], clock, tzinfo=room.zone)
                found.append(
                    Suggestion(
                        room_id=room.id,
                        place_id=room.place_id,
                        place_name=room.place.name,
                        room_name=room.name,
                        weekday=WEEKDAYS[weekday],
                        start_time=clock.strftime("%H:%M"),
                        start=first_free,
                        end=first_free + duration,
                        zone=room.zone,
                        free_dates=tuple(answer.free_dates),
                        total_dates=len(dates),
                        reasons=reasons,
                        series=_series(initiative, room, pattern, dates),
                    )
                )
    return sorted(found, key=lambda s: (-s.free_share, -s.score, s.start, s.room_id))


def with_later_starts(
    found: Sequence[Suggestion], limit: int, others: int = 6
) -> list[tuple[Suggestion, list[Suggestion]]]:
    """The best `limit` rooms-and-weekdays, each with up to `others` other start times
    that fit it too, earliest first: a suggestion is not only the start of the part of day."""
    groups: dict[tuple[int, str], list[Suggestion]] = {}
    for suggestion in found:
        groups.setdefault((suggestion.room_id, suggestion.weekday), []).append(suggestion)
    best = list(groups.values())[:limit]
    return [(first, sorted(rest, key=lambda s: s.start_time)[:others]) for first, *rest in best]
