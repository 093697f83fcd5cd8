"""Free slots that fit an initiative's needs, ranked with the reasons for their rank.

Needs are hard limits (capacity, facilities, duration, weekdays, time of day); where the
place is, whom it serves and how well the room fits decide the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from booking.extensions import db
from booking.models import Initiative, Place, Room, utcnow
from booking.services.availability import AvailabilityFilter, FreeSlot, find_availability
from booking.services.opening_hours import local_midnight

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
TIMES_OF_DAY = {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 22)}
DEFAULT_DURATION = 120
DEFAULT_WINDOW = timedelta(days=14)
SERIES_WITHOUT_TRIAL = 8


@dataclass(frozen=True)
class Reason:
    """One reason that adds to a suggestion's score."""

    code: str
    points: int
    detail: str


@dataclass(frozen=True)
class Suggestion:
    """A slot of exactly the needed duration, its score and reasons, and a series to book."""

    room_id: int
    place_id: int
    place_name: str
    room_name: str
    start: datetime
    end: datetime
    zone: ZoneInfo
    reasons: tuple[Reason, ...]
    series: dict[str, object]

    @property
    def score(self) -> int:
        """The sum of the reasons' points."""
        return sum(reason.points for reason in self.reasons)


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


def _fitting_start(
    slot: FreeSlot, day: date, duration: timedelta, part: tuple[int, int] | None
) -> datetime | None:
    """The earliest start on `day` inside the slot (and the time of day) that fits."""
    zone = slot.zone
    day_start, day_end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
    if part is not None:
        day_start = datetime.combine(day, time(part[0]), tzinfo=zone).astimezone(day_start.tzinfo)
        day_end = datetime.combine(day, time(part[1]), tzinfo=zone).astimezone(day_end.tzinfo)
    start = max(slot.start, day_start)
    if start + duration <= min(slot.end, day_end):
        return start
    return None


def _series(
    initiative: Initiative, room: Room, start: datetime, end: datetime
) -> dict[str, object]:
    zone = room.zone
    ends = initiative.trial_ends_on
    rrule = (
        f"FREQ=WEEKLY;UNTIL={ends:%Y%m%d}"
        if ends is not None and ends >= start.astimezone(zone).date()
        else f"FREQ=WEEKLY;COUNT={SERIES_WITHOUT_TRIAL}"
    )
    return {
        "room_id": room.id,
        "start": start.astimezone(zone).isoformat(),
        "end": end.astimezone(zone).isoformat(),
        "title": initiative.title,
        "rrule": rrule,
        "initiative_id": initiative.id,
        "on_conflict": "skip",
    }


def suggest(
    initiative: Initiative,
    first: date | datetime | None,
    last: date | datetime | None,
    now: datetime | None = None,
) -> list[Suggestion]:
    """Slots fitting every need, best first: score, then start, then room."""
    now = now or utcnow()
    needs = initiative.needs or {}
    capacity = int(needs.get("capacity") or 1)
    duration = timedelta(minutes=int(needs.get("duration_minutes") or DEFAULT_DURATION))
    weekdays = {WEEKDAYS.index(day) for day in needs.get("weekdays") or []}
    part = TIMES_OF_DAY.get(needs.get("time_of_day") or "")
    if first is None:
        starts = initiative.trial_starts_on
        first = starts if starts is not None and starts > now.date() else now
    if last is None:
        # Two weeks: every weekday comes by twice.
        last = first + DEFAULT_WINDOW if isinstance(first, datetime) else first + timedelta(13)
    slots = find_availability(
        AvailabilityFilter(
            from_=first,
            to=last,
            min_duration=int(duration.total_seconds() // 60),
            capacity=capacity,
            facilities=tuple(needs.get("facilities") or ()),
        ),
        now=now,
    )
    rooms = {
        room.id: room
        for room in db.session.scalars(select(Room).where(Room.id.in_({s.room_id for s in slots})))
    }
    minutes = duration.total_seconds() / 60
    found: dict[tuple[int, date], Suggestion] = {}
    for slot in slots:
        room = rooms[slot.room_id]
        policy = room.effective_policy
        if not policy["min_duration_minutes"] <= minutes <= policy["max_duration_minutes"]:
            continue
        day = slot.start.astimezone(slot.zone).date()
        while local_midnight(day, slot.zone) < slot.end:
            key = (room.id, day)
            if key not in found and (not weekdays or day.weekday() in weekdays):
                start = _fitting_start(slot, day, duration, part)
                if start is not None:
                    found[key] = Suggestion(
                        room_id=room.id,
                        place_id=room.place_id,
                        place_name=room.place.name,
                        room_name=room.name,
                        start=start,
                        end=start + duration,
                        zone=slot.zone,
                        reasons=_reasons(initiative, room.place, room, capacity),
                        series=_series(initiative, room, start, start + duration),
                    )
            day += timedelta(days=1)
    return sorted(found.values(), key=lambda s: (-s.score, s.start, s.room_id))
