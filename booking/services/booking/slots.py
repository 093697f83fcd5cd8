"""Whether a room can take a booking at a time, and what to offer when it cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice, zip_longest
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from booking.errors import Conflict, DomainError
from booking.extensions import db
from booking.models import Booking, Occupancy, Room
from booking.models.booking import CONFIRMED, PENDING
from booking.services.booking.booking_rules import (
    RoomRules,
    SlotRequest,
    Violation,
    blocking,
    occupied_until,
    rule_violations,
)
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.calendar import PlaceCalendar, load_calendar
from booking.services.calendar.intervals import Interval
from booking.services.calendar.opening_hours import local_midnight
from booking.services.common import get_or_404

MAX_ALTERNATIVES = 5
# Occupancies are looked up this far around a request: buffers are at most a day.
MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one slot: broken rules, or overlapping occupancies."""

    violations: list[Violation]
    conflicts: list[Interval]

    @property
    def ok(self) -> bool:
        """Whether the slot can be booked."""
        return not self.violations and not self.conflicts


def lock_quota(account_id: int, place_id: int) -> None:
    """On PostgreSQL, the transaction lock that serialises an account's bookings at a place.

    Without it two concurrent requests of one account would both count below the quota and
    both insert. SQLite needs none; its write transactions already run one at a time.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:account, :place)"),
            {"account": account_id, "place": place_id},
        )


def room_rules(calendar: PlaceCalendar, room: Room, active_bookings: int) -> RoomRules:
    """The rules context of one room from a loaded calendar."""
    return RoomRules(
        zone=calendar.place.zone,
        policy=room.effective_policy,
        capacity=room.capacity,
        bookable=room.bookable,
        opening=calendar.opening(room),
        open_now=calendar.open(room),
        active_bookings=active_bookings,
        closures=tuple(
            (interval, calendar.closure_reasons.get(interval, ""))
            for interval in calendar.closed(room)
        ),
    )


def judge(
    calendar: PlaceCalendar,
    room: Room,
    request: SlotRequest,
    now: datetime,
    active_bookings: int,
    exclude_booking: int | None = None,
) -> Verdict:
    """Check a slot against the room's rules and its occupancies."""
    rules = room_rules(calendar, room, active_bookings)
    violations = rule_violations(request, rules, now)
    if request.end <= request.start:
        return Verdict(violations, [])
    until = occupied_until(request.end, room.effective_policy["buffer_minutes"])
    conflicts = blocking(calendar.blocked(room, exclude_booking), request.start, until)
    return Verdict(violations, conflicts)


def calendar_for(room: Room, start: datetime, end: datetime) -> PlaceCalendar:
    """The room's place calendar around [start, end), every room (for alternatives)."""
    return load_calendar(room.place, start - MARGIN, end + MARGIN)


def _day_grid(room: Room, start: datetime, duration: timedelta) -> Iterator[datetime]:
    """Every aligned start on the local day of `start` (granularity of the room)."""
    zone = room.zone
    day = start.astimezone(zone).date()
    step = timedelta(minutes=room.effective_policy["granularity_minutes"])
    cursor, day_end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
    while cursor + duration <= day_end:
        yield cursor
        cursor += step


def alternatives(
    calendar: PlaceCalendar,
    room: Room,
    request: SlotRequest,
    now: datetime,
    exclude_booking: int | None = None,
) -> list[tuple[Room, Interval]]:
    """Up to five free slots: this room earlier or later the same day, other rooms then."""
    duration = request.end - request.start

    def fits(candidate: Room, start: datetime) -> bool:
        moved = SlotRequest(start, start + duration, request.attendees, request.exempt)
        # Quota does not depend on the slot; leave it to the real request.
        return judge(calendar, candidate, moved, now, 0, exclude_booking).ok

    grid = list(_day_grid(room, request.start, duration))
    earlier = list(islice((s for s in reversed(grid) if s < request.start and fits(room, s)), 5))
    later = list(islice((s for s in grid if s > request.start and fits(room, s)), 5))
    others = [
        other
        for other in sorted(calendar.rooms, key=lambda r: r.id)
        if other.id != room.id and fits(other, request.start)
    ]
    # Nearest shift each way first, then other rooms at the asked time, then further shifts.
    shifts = [s for pair in zip_longest(earlier, later) for s in pair if s is not None]
    found = [(room, (s, s + duration)) for s in shifts[:2]]
    found += [(other, (request.start, request.end)) for other in others]
    found += [(room, (s, s + duration)) for s in shifts[2:]]
    return found[:MAX_ALTERNATIVES]


def described_conflicts(
    room: Room, conflicts: list[Interval], booker_id: int | None
) -> list[dict[str, Any]]:
    """What a 409 may say of each blocking interval: its span (buffer included) and whether
    it is a request still waiting (`pending`, "in aanvraag") or a booking (`confirmed`),
    never a title or who booked it: the same as a busy block in a public feed. Only the
    booker's own bookings are named by id."""
    if not conflicts:
        return []
    rows = db.session.execute(
        select(Occupancy.start, Occupancy.end, Booking.id, Booking.status, Booking.booked_by_id)
        .join(Booking, Booking.id == Occupancy.booking_id)
        .where(
            Occupancy.room_id.in_(atom_ids(room)),
            Occupancy.start < max(e for _s, e in conflicts),
            Occupancy.end > min(s for s, _e in conflicts),
        )
    ).all()
    by_span = {(row.start, row.end): row for row in rows}
    zone = room.zone
    described = []
    for s, e in conflicts:
        entry: dict[str, Any] = {
            "start": s.astimezone(zone).isoformat(),
            "end": e.astimezone(zone).isoformat(),
        }
        row = by_span.get((s, e))
        if row is not None:
            entry["status"] = PENDING if row.status == PENDING else CONFIRMED
            if booker_id is not None and row.booked_by_id == booker_id:
                entry["booking_id"] = row.id
        described.append(entry)
    return described


def conflict_error(
    calendar: PlaceCalendar,
    room: Room,
    request: SlotRequest,
    conflicts: list[Interval],
    now: datetime,
    exclude_booking: int | None = None,
    booker_id: int | None = None,
) -> Conflict:
    """409 `booking_conflict` with the blocking intervals and alternatives (no private data)."""
    zone = room.zone
    offers = alternatives(calendar, room, request, now, exclude_booking)
    return Conflict(
        "The room is already booked for (part of) this time.",
        code="booking_conflict",
        conflicts=described_conflicts(room, conflicts, booker_id),
        alternatives=[
            {
                "room_id": other.id,
                "start": s.astimezone(zone).isoformat(),
                "end": e.astimezone(zone).isoformat(),
            }
            for other, (s, e) in offers
        ],
    )


def is_overlap_violation(error: IntegrityError) -> bool:
    """Whether the database refused an overlapping occupancy (exclusion constraint, trigger)."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate == "23P01" or "occupancy_overlap" in str(error.orig)


def flush_or_conflict(
    describe: Callable[[], DomainError], write: Callable[[], object] | None = None
) -> None:
    """Flush (or `write`); an overlap that slipped past the check (a concurrent writer)
    becomes an error.

    The transaction is aborted by then, so it is rolled back before `describe` looks at
    what is there now.
    """
    try:
        (write or db.session.flush)()
    except IntegrityError as error:
        if not is_overlap_violation(error):
            raise
        db.session.rollback()
        raise describe() from None


def conflict_now(
    room_id: int,
    request: SlotRequest,
    now: datetime,
    exclude_booking: int | None = None,
    booker_id: int | None = None,
) -> Conflict:
    """The 409 for a request, from the committed state of the database."""
    room = get_or_404(Room, room_id)
    until = occupied_until(request.end, room.effective_policy["buffer_minutes"])
    calendar = calendar_for(room, request.start, until)
    verdict = judge(calendar, room, request, now, 0, exclude_booking)
    return conflict_error(
        calendar, room, request, verdict.conflicts, now, exclude_booking, booker_id
    )
