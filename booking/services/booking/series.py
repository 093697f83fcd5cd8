"""Recurring series: expanded in local time, checked whole, written all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from booking.errors import Conflict, Invalid, NotFound
from booking.extensions import db
from booking.metrics import BOOKINGS_CREATED
from booking.models import Booking, Series, utcnow
from booking.models.booking import ACTIVE_STATUSES, CANCELLED, CONFIRMED, DECLINED, PENDING
from booking.services.authorization import (
    Actor,
    can_manage,
    require_account,
    require_place_manager,
    require_scope,
)
from booking.services.booking.booking_rules import SlotRequest, occupied_until
from booking.services.booking.bookings import (
    confirm_booking,
    decline_booking,
    expire_pending,
    new_booking,
    occupy,
    record,
    requested_slot,
    transition,
    update_booking,
)
from booking.services.booking.recurrence import local_occurrences, parse_rrule
from booking.services.booking.slots import flush_or_conflict, judge
from booking.services.booking.snapshot import read_snapshot
from booking.services.common import get_or_404
from booking.services.outbox import events

OVERLAP = "booking_conflict"


@dataclass
class SeriesOutcome:
    """What a series request did (or, for a dry run, would do)."""

    series: Series
    created: list[Booking] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False


def _skip(zone: Any, start: datetime, end: datetime, reason: str, detail: str) -> dict[str, Any]:
    return {
        "start": start.astimezone(zone).isoformat(),
        "end": end.astimezone(zone).isoformat(),
        "reason": reason,
        "detail": detail,
    }


def create_series(actor: Actor, data: dict[str, Any], now: datetime | None = None) -> SeriesOutcome:
    """Book a recurring series (scope `book`); `on_conflict` fail or skip, `dry_run` previews."""
    now = now or utcnow()
    account, room, template = requested_slot(actor, data, with_quota_lock=True)
    zone = room.zone
    if data["end"] <= data["start"]:
        raise Invalid("An occurrence must end after it starts.", errors={"end": ["After start."]})
    rule = parse_rrule(data["rrule"], zone)
    occurrences = local_occurrences(rule, data["start"], data["end"], zone)
    expire_pending(now, room.place_id)
    buffer = room.effective_policy["buffer_minutes"]
    # The room was read with the quota lock: this read counts every booking committed before.
    snapshot = read_snapshot(
        room,
        occurrences[0][0],
        occupied_until(max(end for _, end, _ in occurrences), buffer),
        account.id,
        now,
    )
    calendar, active = snapshot.calendar, snapshot.active_bookings
    series = Series(
        room=room,
        place=room.place,
        # Set outright so a dry run (never flushed) shows them too.
        room_id=room.id,
        place_id=room.place_id,
        booked_by_id=account.id,
        rrule=data["rrule"].strip().removeprefix("RRULE:"),
        start=data["start"],
        end=data["end"],
        title=data["title"],
        initiative_id=data.get("initiative_id"),
        status="active",
    )
    outcome = SeriesOutcome(series, dry_run=data.get("dry_run", False))
    for index, (start, end, problem) in enumerate(occurrences):
        if problem:
            outcome.skipped.append(_skip(zone, start, end, "nonexistent_local_time", problem))
            continue
        request = SlotRequest(
            start, end, template.attendees, template.exempt, template.ignore_opening_hours
        )
        verdict = judge(calendar, room, request, now, active + len(outcome.created))
        if verdict.violations:
            first = verdict.violations[0]
            outcome.skipped.append(_skip(zone, start, end, first.code, first.message))
            continue
        if verdict.conflicts:
            detail = "The room is already booked for (part of) this time."
            outcome.skipped.append(_skip(zone, start, end, OVERLAP, detail))
            continue
        # Later occurrences must not overlap this one either (a negative id: not in the db).
        calendar.add(-1 - index, room, (start, occupied_until(end, buffer)))
        # Not in the session until the whole series is known to fit.
        outcome.created.append(new_booking(room, account.id, data, request))
    _refuse_if_failed(outcome, data.get("on_conflict", "fail"))
    for booking in outcome.created:
        booking.series = series
        booking.show_contact = True  # the booker is answered
    if outcome.dry_run:
        return outcome
    for booking in outcome.created:
        occupy(booking, room)
        record(booking, actor, "created", None, booking.status)
    db.session.add(series)
    flush_or_conflict(
        lambda: Conflict(
            "Another booking took one of these slots just now; nothing was written. "
            "Try again to see which.",
            code="series_conflict",
            problems=[],
        )
    )
    events.series_event("series.created", series, outcome.created, actor)
    for booking in outcome.created:
        BOOKINGS_CREATED.labels(booking.status).inc()
    return outcome


def _refuse_if_failed(outcome: SeriesOutcome, on_conflict: str) -> None:
    if not outcome.skipped or (on_conflict == "skip" and outcome.created):
        return
    overlap = any(item["reason"] == OVERLAP for item in outcome.skipped)
    error = Conflict if overlap else Invalid
    count = len(outcome.skipped)
    raise error(
        f"{count} of {count + len(outcome.created)} occurrences cannot be booked; "
        + ("nothing was written." if not outcome.dry_run else "nothing would be written.")
        + (" Use on_conflict=skip to book the others." if outcome.created else ""),
        code="series_conflict" if overlap else "series_invalid",
        problems=outcome.skipped,
    )


def _involved_series(actor: Actor, series_id: int, write: bool) -> Series:
    series = get_or_404(Series, series_id)
    account = require_account(actor)
    if can_manage(actor, series.place_id):
        return series
    if series.booked_by_id == account.id:
        if write:
            require_scope(actor, "book")
        return series
    raise NotFound(f"Series {series_id} does not exist.")


def get_series(actor: Actor, series_id: int) -> Series:
    """A series (its booker, hosts of the place, admins)."""
    return _involved_series(actor, series_id, write=False)


# What a change of a series may set, for every coming date at once.
SERIES_WIDE = ("title", "description", "visibility", "initiative_id", "free_of_charge")


def update_series(
    actor: Actor, series_id: int, data: dict[str, Any], now: datetime | None = None
) -> Series:
    """Change what applies to every coming date (title, description, visibility, the
    initiative, whether it is free), as `PATCH /bookings/{id}` would date by date."""
    now = now or utcnow()
    series = _involved_series(actor, series_id, write=True)
    changes = {key: value for key, value in data.items() if key in SERIES_WIDE}
    for booking in series.bookings:
        if booking.status in ACTIVE_STATUSES and booking.end > now:
            update_booking(actor, booking.id, changes, now)
    if "title" in changes:
        series.title = changes["title"]
    if "initiative_id" in changes:
        series.initiative_id = changes["initiative_id"]
    db.session.flush()
    return series


def cancel_series(
    actor: Actor,
    series_id: int,
    from_: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> tuple[Series, list[Booking]]:
    """Cancel every occurrence that has not ended, or those starting at or after `from_`."""
    now = now or utcnow()
    series = _involved_series(actor, series_id, write=True)
    expire_pending(now, series.place_id)
    cancelled = []
    for booking in series.bookings:
        if booking.status not in ACTIVE_STATUSES or booking.end <= now:
            continue
        if from_ is not None and booking.start < from_:
            continue
        transition(actor, booking, CANCELLED, "cancelled", reason)
        cancelled.append(booking)
    if not any(b.status in ACTIVE_STATUSES and b.end > now for b in series.bookings):
        series.status = CANCELLED
    if cancelled:
        events.series_event("series.cancelled", series, cancelled, actor, reason)
    db.session.flush()
    return series, cancelled


def decide_series(
    actor: Actor,
    series_id: int,
    to_status: str,
    from_: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> tuple[Series, list[Booking]]:
    """Confirm or decline every pending occurrence (from `from_` on), with one message."""
    now = now or utcnow()
    series = get_or_404(Series, series_id)
    require_place_manager(actor, series.place)
    expire_pending(now, series.place_id)
    decided = []
    for booking in series.bookings:
        if booking.status != PENDING or booking.start <= now:
            continue
        if from_ is not None and booking.start < from_:
            continue
        transition(actor, booking, to_status, to_status, reason)
        decided.append(booking)
    if not decided:
        raise Conflict("This series has no pending occurrences to decide.", code="nothing_pending")
    if to_status == DECLINED and not any(
        b.status in ACTIVE_STATUSES and b.end > now for b in series.bookings
    ):
        series.status = DECLINED
    events.series_event(f"series.{to_status}", series, decided, actor, reason)
    return series, decided


def decide_request(
    actor: Actor, kind: str, object_id: int, approve: bool, reason: str = ""
) -> None:
    """Approve or decline a pending request: one booking (`kind` "booking"), or every pending
    date of a series (`kind` "series")."""
    if kind == "booking":
        decide = confirm_booking if approve else decline_booking
        decide(actor, object_id, reason)
    else:
        decide_series(actor, object_id, CONFIRMED if approve else DECLINED, reason=reason)
