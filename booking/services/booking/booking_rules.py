"""The booking rules of a room's policy, as pure functions of the request and its context.

Nothing here reads the database: the caller gathers opening hours, closures and the
account's active bookings, and gets back every rule the request breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.errors import Invalid
from booking.services.calendar.intervals import Interval, overlaps


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, the field it concerns and a sentence for people."""

    code: str
    field: str
    message: str


@dataclass(frozen=True)
class SlotRequest:
    """What is asked: a period, expected attendees, and how privileged the caller is."""

    start: datetime
    end: datetime
    attendees: int | None = None
    # Hosts and admins are exempt from notice, horizon and quota.
    exempt: bool = False
    # A host's explicit choice to book outside opening hours or during a closure.
    ignore_opening_hours: bool = False


@dataclass(frozen=True)
class RoomRules:
    """What the rules need to know about the room at the requested time."""

    zone: ZoneInfo
    policy: dict[str, Any]
    capacity: int
    bookable: bool
    # Opening hours as merged UTC intervals, before and after closures are removed.
    opening: list[Interval]
    open_now: list[Interval]
    # The account's active future bookings at the place (not counting the one moved).
    active_bookings: int
    # The closures that apply to the room, with their reasons (to say why it is closed).
    closures: tuple[tuple[Interval, str], ...] = ()


def local_time_problem(value: datetime, zone: ZoneInfo) -> tuple[str, str] | None:
    """Why an input instant cannot be read as a wall-clock time of the place, if it cannot.

    A UTC instant (`Z` or `+00:00`) is always accepted. Any other offset means "this local
    time": it must be a time that exists in the place's timezone with exactly that offset,
    so a time in the spring gap, or a summer time sent with a winter offset, is refused
    rather than silently shifted.
    """
    offset = value.utcoffset()
    if offset is None or offset == timedelta(0):
        return None
    wall = value.replace(tzinfo=None)
    candidates = {
        wall.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1)
    }  # two offsets in the autumn overlap, one otherwise
    exists = any(
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        == wall
        for fold in (0, 1)
    )
    if not exists:
        return (
            "nonexistent_local_time",
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks skip it); "
            "choose another time.",
        )
    if offset not in candidates:
        right = sorted(_format_offset(c) for c in candidates if c is not None)
        return (
            "wrong_utc_offset",
            f"{wall:%Y-%m-%d %H:%M} in {zone.key} has the UTC offset {' or '.join(right)}, "
            f"not {_format_offset(offset)}; send that offset, or the time in UTC.",
        )
    return None


def _format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_local_times(zone: ZoneInfo, **values: datetime | None) -> None:
    """422 for any input instant that is not a valid local time of the place.

    The code is `nonexistent_local_time` (the spring gap) or `wrong_utc_offset`.
    """
    problems = {
        field: problem
        for field, value in values.items()
        if value is not None and (problem := local_time_problem(value, zone))
    }
    if problems:
        codes = [code for code, _ in problems.values()]
        raise Invalid(
            " ".join(message for _, message in problems.values()),
            code=codes[0],
            errors={field: [message] for field, (_, message) in problems.items()},
        )


def _aligned(value: datetime, zone: ZoneInfo, granularity: int) -> bool:
    local = value.astimezone(zone)
    return (
        local.second == 0
        and local.microsecond == 0
        and ((local.hour * 60 + local.minute) % granularity == 0)
    )


def _inside(start: datetime, end: datetime, intervals: list[Interval]) -> bool:
    return any(s <= start and end <= e for s, e in intervals)


def rule_violations(request: SlotRequest, room: RoomRules, now: datetime) -> list[Violation]:
    """Every rule of the room's policy the request breaks (overlap is checked elsewhere)."""
    policy = room.policy
    start, end = request.start, request.end
    found: list[Violation] = []
    if end <= start:
        return [Violation("invalid_range", "end", "A booking must end after it starts.")]
    if not room.bookable:
        found.append(Violation("room_not_bookable", "room_id", "This room cannot be booked."))
    granularity = policy["granularity_minutes"]
    for field, value in (("start", start), ("end", end)):
        if not _aligned(value, room.zone, granularity):
            found.append(
                Violation(
                    "not_aligned",
                    field,
                    f"Bookings start and end on a {granularity}-minute boundary.",
                )
            )
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < policy["min_duration_minutes"]:
        found.append(
            Violation(
                "too_short",
                "end",
                f"A booking lasts at least {policy['min_duration_minutes']} minutes.",
            )
        )
    if minutes > policy["max_duration_minutes"]:
        found.append(
            Violation(
                "too_long",
                "end",
                f"A booking lasts at most {policy['max_duration_minutes']} minutes.",
            )
        )
    if start < now:
        found.append(Violation("in_the_past", "start", "The start has already passed."))
    elif not request.exempt and start < now + timedelta(minutes=policy["min_notice_minutes"]):
        found.append(
            Violation(
                "too_short_notice",
                "start",
                f"Book at least {policy['min_notice_minutes']} minutes ahead.",
            )
        )
    if not request.exempt and start > now + timedelta(days=policy["max_days_ahead"]):
        found.append(
            Violation(
                "too_far_ahead",
                "start",
                f"Bookings open at most {policy['max_days_ahead']} days ahead.",
            )
        )
    if request.attendees is not None and request.attendees > room.capacity:
        found.append(
            Violation(
                "over_capacity",
                "expected_attendees",
                f"The room holds at most {room.capacity} people.",
            )
        )
    if not request.exempt and room.active_bookings >= policy["max_active_bookings"]:
        found.append(
            Violation(
                "quota_exceeded",
                "room_id",
                f"You already have {room.active_bookings} active bookings here; "
                f"the place allows {policy['max_active_bookings']}.",
            )
        )
    if not request.ignore_opening_hours:
        if not _inside(start, end, room.opening):
            found.append(
                Violation(
                    "outside_opening_hours", "start", "The room is not open for all of this time."
                )
            )
        elif not _inside(start, end, room.open_now):
            reasons = [
                reason
                for (closed_start, closed_end), reason in room.closures
                if closed_start < end and start < closed_end and reason
            ]
            why = f": {reasons[0]}" if reasons else ""
            found.append(Violation("closed", "start", f"The place or room is closed then{why}."))
    return found


def raise_violations(violations: list[Violation]) -> None:
    """422 with the first violation's code and every violation listed per field."""
    if not violations:
        return
    errors: dict[str, list[str]] = {}
    for violation in violations:
        errors.setdefault(violation.field, []).append(violation.message)
    first = violations[0]
    raise Invalid(
        " ".join(v.message for v in violations),
        code=first.code,
        errors=errors,
        violations=[v.code for v in violations],
    )


def occupied_until(end: datetime, buffer_minutes: int) -> datetime:
    """The end of the time a booking blocks: its end plus the buffer after it."""
    return end + timedelta(minutes=buffer_minutes)


def blocking(blocked: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The blocked intervals that the occupancy [start, end) would overlap."""
    return sorted({iv for iv in blocked if overlaps(iv, (start, end))})
