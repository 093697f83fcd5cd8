"""Bookings: create, move, confirm, decline, cancel, expire, and their history."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from booking.errors import Conflict, Forbidden, Invalid, NotFound
from booking.extensions import db
from booking.metrics import BOOKINGS_CREATED
from booking.models import Account, Booking, BookingEvent, Occupancy, Room, utcnow
from booking.models.booking import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    EXPIRED,
    PENDING,
)
from booking.services.accounts import normalise_email
from booking.services.authorization import Actor, can_manage, managed_place_ids, require_scope
from booking.services.booking.booking_access import (
    BookingFilter,
    RedactedBooking,
    booking_query,
    involved_booking,
    present,
    visible_booking,
)
from booking.services.booking.booking_rules import (
    SlotRequest,
    check_local_times,
    occupied_until,
    raise_violations,
)
from booking.services.booking.booking_writes import insert_booking
from booking.services.booking.slots import (
    calendar_for,
    conflict_error,
    conflict_now,
    flush_or_conflict,
    judge,
    lock_quota,
)
from booking.services.booking.snapshot import SlotSnapshot, read_snapshot
from booking.services.calendar.atoms import atom_ids, atomic_rooms
from booking.services.common import fetch_page, get_or_404
from booking.services.initiatives import linkable_initiative
from booking.services.outbox import events
from booking.services.signups.quotas import check_settings, locked_booking, tell_partners
from booking.services.signups.waitinglist import promote

# Fields of a booking that decide where and when it is, and so are re-checked on a move.
SLOT_FIELDS = ("room_id", "start", "end", "expected_attendees", "outside_opening_hours")
TEXT_FIELDS = ("title", "description", "visibility", "free_of_charge")


def record(
    booking: Booking,
    actor: Actor | None,
    action: str,
    from_status: str | None,
    to_status: str | None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the booking's history."""
    booking.events.append(
        BookingEvent(**history_entry(actor, action, from_status, to_status, reason, changes))
    )


def history_entry(
    actor: Actor | None,
    action: str,
    from_status: str | None,
    to_status: str | None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one history entry (its booking aside)."""
    account = actor.account if actor is not None else None
    return {
        "actor_id": account.id if account is not None else None,
        "at": utcnow(),
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "changes": changes or {},
    }


def expire_pending(now: datetime, place_id: int | None = None) -> int:
    """Mark pending bookings whose start passed as expired and free their slots."""
    stmt = select(Booking).where(Booking.status == PENDING, Booking.start <= now)
    if place_id is not None:
        stmt = stmt.where(Booking.place_id == place_id)
    count = 0
    for booking in db.session.scalars(stmt):
        transition(None, booking, EXPIRED, "expired", "Not confirmed before it started.")
        events.booking_event("booking.expired", booking, None, by=events.BY_SYSTEM)
        count += 1
    if count:
        db.session.flush()
    return count


def _check_slot(
    room: Room,
    request: SlotRequest,
    booker_id: int,
    now: datetime,
    exclude_booking: int | None = None,
    locked: bool = False,
) -> SlotSnapshot:
    """Raise the 422 for broken rules, or the 409 with alternatives for an overlap.

    `locked` says the quota lock is already held (the room was read with it).
    """
    if not locked:
        lock_quota(booker_id, room.place_id)
    until = occupied_until(request.end, room.effective_policy["buffer_minutes"])
    # Only a new booking reads its room with the lock; its id is drawn in the same read.
    snapshot = read_snapshot(
        room, request.start, until, booker_id, now, exclude_booking, reserve_id=locked
    )
    verdict = judge(
        snapshot.calendar, room, request, now, snapshot.active_bookings, exclude_booking
    )
    raise_violations(verdict.violations)
    if verdict.conflicts:
        everything = calendar_for(room, request.start, until)
        raise conflict_error(
            everything, room, request, verdict.conflicts, now, exclude_booking, booker_id
        )
    return snapshot


def slot_request(
    actor: Actor,
    room: Room,
    start: datetime,
    end: datetime,
    attendees: int | None,
    outside_opening_hours: bool,
) -> SlotRequest:
    """The request with the actor's privileges; only managers may ignore opening hours."""
    exempt = can_manage(actor, room.place_id)
    if outside_opening_hours and not exempt:
        raise Forbidden(
            "Only hosts of the place and admins may book outside opening hours.",
            code="not_a_host",
        )
    return SlotRequest(start, end, attendees, exempt, outside_opening_hours)


def occupy(booking: Booking, room: Room) -> None:
    """Give the booking one active occupancy per atomic room, buffer included."""
    until = occupied_until(booking.end, booking.buffer_minutes)
    booking.occupancies = [
        Occupancy(room_id=atom.id, start=booking.start, end=until, active=True)
        for atom in atomic_rooms(room)
    ]


def initial_status(room: Room, exempt: bool) -> str:
    """Pending when the place wants to approve and the booker is not one of its managers."""
    return PENDING if room.effective_policy["requires_approval"] and not exempt else CONFIRMED


def move_needs_approval(actor: Actor, booking: Booking) -> bool:
    """Whether moving this confirmed booking sends it back to the hosts for approval."""
    exempt = can_manage(actor, booking.place_id)
    return booking.status == CONFIRMED and initial_status(booking.room, exempt) == PENDING


def new_booking(
    room: Room, booked_by_id: int, data: dict[str, Any], request: SlotRequest
) -> Booking:
    """A booking object for a checked request; the caller adds it to the session (or not)."""
    caller = data.get("on_behalf_of") or {}
    booking = Booking(
        room=room,
        place=room.place,
        room_id=room.id,
        place_id=room.place_id,
        booked_by_id=booked_by_id,
        initiative_id=data.get("initiative_id"),
        start=request.start,
        end=request.end,
        title=data["title"],
        description=data.get("description", ""),
        visibility=data.get("visibility", "public"),
        expected_attendees=request.attendees,
        free_of_charge=data.get("free_of_charge"),
        signup_capacity=None,
        signup_waitlist=True,
        signup_closes_minutes_before=0,
        signup_whole_series=False,
        on_behalf_name=caller.get("name"),
        on_behalf_email=normalise_email(caller["email"]) if caller.get("email") else None,
        on_behalf_phone=caller.get("phone"),
        outside_opening_hours=request.ignore_opening_hours,
        buffer_minutes=room.effective_policy["buffer_minutes"],
        status=initial_status(room, request.exempt),
        sequence=0,
        feed_revision=0,
    )
    if data.get("signups") is not None:
        check_settings(booking, data["signups"])
    return booking


@cache
def _room_read(locking: bool) -> Select[Any]:
    """The room with its place and parts, built once (and so compiled once)."""
    stmt = (
        select(Room)
        .where(Room.id == bindparam("room_id"))
        .options(joinedload(Room.place), joinedload(Room.parts))
    )
    if locking:
        stmt = stmt.add_columns(func.pg_advisory_xact_lock(bindparam("account_id"), Room.place_id))
    return stmt


def _room_with_place_and_parts(room_id: int, quota_lock_for: int | None = None) -> Room:
    """The room, its place and its parts in one query: every rule needs all three.

    With `quota_lock_for` (an account id), the same query takes the quota lock on
    PostgreSQL (see `lock_quota`), so the check's read that follows counts every booking
    committed before it.
    """
    locking = quota_lock_for is not None and db.session.get_bind().dialect.name == "postgresql"
    rows = db.session.execute(
        _room_read(locking), {"room_id": room_id, "account_id": quota_lock_for}
    )
    room = rows.unique().scalars().first()
    if room is None:
        raise NotFound(f"Room {room_id} does not exist.")
    return room


def requested_slot(
    actor: Actor, data: dict[str, Any], with_quota_lock: bool = False
) -> tuple[Account, Room, SlotRequest]:
    """The booker (scope `book`), the room and the request of a booking or series body."""
    account = require_scope(actor, "book")
    room = _room_with_place_and_parts(data["room_id"], account.id if with_quota_lock else None)
    check_local_times(room.zone, start=data["start"], end=data["end"])
    if room.place.archived_at is not None:
        raise Invalid("This place no longer takes bookings.", code="place_archived")
    linkable_initiative(actor, data.get("initiative_id"), room.place_id)
    if data.get("on_behalf_of") and not can_manage(actor, room.place_id):
        raise Forbidden("Only a host of the place books on behalf of someone.", code="not_a_host")
    request = slot_request(
        actor,
        room,
        data["start"],
        data["end"],
        data.get("expected_attendees"),
        data.get("outside_opening_hours", False),
    )
    return account, room, request


def create_booking(actor: Actor, data: dict[str, Any], now: datetime | None = None) -> Booking:
    """Book a room (scope `book`): checked against every rule, pending or confirmed."""
    now = now or utcnow()
    account, room, request = requested_slot(actor, data, with_quota_lock=True)
    try:
        snapshot = _check_slot(room, request, account.id, now, locked=True)
    except Conflict:
        # A request whose start passed still holds its slot until it is written down as
        # expired; that only matters when it is in the way.
        if not expire_pending(now, room.place_id):
            raise
        snapshot = _check_slot(room, request, account.id, now, locked=True)
    written = utcnow()
    booking = new_booking(room, account.id, data, request)
    if snapshot.reserved_id is not None:
        booking.id = snapshot.reserved_id
    booking.series_id = None
    booking.created_at = booking.updated_at = written
    booking.booked_by = account  # loaded with the token: the answer needs no query for it
    created = "booking.requested" if booking.status == PENDING else "booking.confirmed"
    flush_or_conflict(
        lambda: conflict_now(room.id, request, now, booker_id=account.id),
        lambda: insert_booking(
            booking,
            atom_ids(room),
            occupied_until(booking.end, booking.buffer_minutes),
            history_entry(actor, "created", None, booking.status),
            (created, events.booking_payload(booking, actor)),
            written,
        ),
    )
    BOOKINGS_CREATED.labels(booking.status).inc()
    booking.show_contact = True  # the booker is answered
    return booking


def update_booking(
    actor: Actor, booking_id: int, data: dict[str, Any], now: datetime | None = None
) -> Booking:
    """Change a booking (booker, hosts, admins); a move is re-checked like a new booking."""
    now = now or utcnow()
    booking = involved_booking(actor, booking_id, now, manager=False)
    _require_active(booking, now)
    if "signups" in data:
        data = dict(data)
        _change_signups(booking, data.pop("signups"), now)
    if data.get("visibility") == "private" and booking.signup_capacity is not None:
        raise Invalid(
            "An activity that takes sign-ups stays public; switch sign-ups off first.",
            code="signups_need_public",
            errors={"visibility": ["Sign-ups need a public activity."]},
        )
    zone = booking.place.zone
    changes = {
        key: [_plain(getattr(booking, key), zone), _plain(value, zone)]
        for key, value in data.items()
        if getattr(booking, key) != value
    }
    if not changes:
        return booking
    from_status = booking.status
    moved = any(key in changes for key in SLOT_FIELDS)
    if moved:
        _move(actor, booking, data, now)
    if "initiative_id" in changes:
        booking.initiative_id = linkable_initiative(actor, data["initiative_id"], booking.place_id)
    for key in TEXT_FIELDS:
        if key in data:
            setattr(booking, key, data[key])
    booking.sequence += 1
    record(booking, actor, "changed", from_status, booking.status, changes=changes)
    if moved:
        was = {key: changes[key][0] for key in ("start", "end", "room_id") if key in changes}
        events.booking_event("booking.moved", booking, actor, previous=was)
    elif events.actor_role(actor, booking.booked_by_id) == events.BY_HOST:
        texts: dict[str, Any] = {key: changes[key][0] for key in TEXT_FIELDS if key in changes}
        if texts:  # what the booker wrote or chose changed (not only a link to an initiative)
            events.booking_event(events.CHANGED_BY_HOST, booking, actor, previous=texts)
    return booking


def _change_signups(booking: Booking, wanted: dict[str, Any] | None, now: datetime) -> None:
    """New sign-up settings, under the quota's lock: raising the capacity (or switching the
    waitlist on) promotes the waitlist at once."""
    locked = locked_booking(booking.id)
    check_settings(locked, wanted)
    db.session.flush()
    promote(locked, now)
    tell_partners(locked)


def _move(actor: Actor, booking: Booking, data: dict[str, Any], now: datetime) -> None:
    room = booking.room
    if "room_id" in data and data["room_id"] != booking.room_id:
        room = get_or_404(Room, data["room_id"])
        if room.place_id != booking.place_id:
            raise Invalid(
                "A booking can only move to another room of the same place.",
                code="other_place",
                errors={"room_id": ["Not a room of the booking's place."]},
            )
    check_local_times(room.zone, start=data.get("start"), end=data.get("end"))
    request = slot_request(
        actor,
        room,
        data.get("start", booking.start),
        data.get("end", booking.end),
        data.get("expected_attendees", booking.expected_attendees),
        data.get("outside_opening_hours", booking.outside_opening_hours),
    )
    expire_pending(now, room.place_id)
    _check_slot(room, request, booking.booked_by_id, now, exclude_booking=booking.id)
    # Release the old slot first: the database checks each row as it is written.
    release(booking)
    db.session.flush()
    booking.room = room
    booking.start, booking.end = request.start, request.end
    booking.expected_attendees = request.attendees
    booking.outside_opening_hours = request.ignore_opening_hours
    booking.buffer_minutes = room.effective_policy["buffer_minutes"]
    occupy(booking, room)
    if booking.status == CONFIRMED and initial_status(room, request.exempt) == PENDING:
        # The host approved another time or room; they approve the new one too.
        booking.status = PENDING
    flush_or_conflict(lambda: conflict_now(room.id, request, now, booking.id, booking.booked_by_id))


def _plain(value: Any, zone: Any) -> Any:
    """A value as history keeps it; times in the place's offset, as every answer shows them."""
    return value.astimezone(zone).isoformat() if isinstance(value, datetime) else value


def _require_active(booking: Booking, now: datetime) -> None:
    status = booking.status_at(now)
    if status == EXPIRED:
        raise Conflict(
            "This request was not confirmed before it started and has expired.",
            code="booking_expired",
        )
    if status not in ACTIVE_STATUSES:
        raise Conflict(f"This booking is {status} and can no longer change.", code="not_active")


def release(booking: Booking) -> None:
    """Free the booking's slot: its occupancies stop counting."""
    for occupancy in booking.occupancies:
        occupancy.active = False


def transition(
    actor: Actor | None, booking: Booking, to_status: str, action: str, reason: str = ""
) -> None:
    """Change the status, raise the sequence, free the slot if it ends, and record it."""
    from_status = booking.status
    booking.status = to_status
    booking.sequence += 1
    if to_status not in ACTIVE_STATUSES:
        release(booking)
    record(booking, actor, action, from_status, to_status, reason)


def _decide(
    actor: Actor, booking_id: int, reason: str, now: datetime | None, to_status: str
) -> Booking:
    now = now or utcnow()
    booking = involved_booking(actor, booking_id, now, manager=True)
    _require_active(booking, now)
    if booking.status != PENDING:
        raise Conflict(
            f"Only a pending request can be {to_status}; this booking is {booking.status}.",
            code="invalid_transition",
        )
    transition(actor, booking, to_status, to_status, reason)
    events.booking_event(f"booking.{to_status}", booking, actor, reason)
    return booking


def confirm_booking(
    actor: Actor, booking_id: int, reason: str = "", now: datetime | None = None
) -> Booking:
    """Approve a pending request (hosts of the place, admins)."""
    return _decide(actor, booking_id, reason, now, CONFIRMED)


def decline_booking(
    actor: Actor, booking_id: int, reason: str = "", now: datetime | None = None
) -> Booking:
    """Refuse a pending request (hosts of the place, admins); the slot is freed."""
    return _decide(actor, booking_id, reason, now, DECLINED)


def cancel_booking(
    actor: Actor, booking_id: int, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancel a pending or confirmed booking that has not ended (booker, hosts, admins).

    Cancelling a cancelled booking answers it unchanged, so a retry after a timeout is safe.
    """
    now = now or utcnow()
    booking = involved_booking(actor, booking_id, now, manager=False)
    if booking.status == CANCELLED:
        return booking
    _require_active(booking, now)
    if booking.end <= now:
        raise Conflict("This booking has already ended.", code="booking_ended")
    cancel(actor, booking, reason)
    return booking


def cancel(actor: Actor | None, booking: Booking, reason: str, by: str | None = None) -> None:
    """Cancel one active booking, free its slot and tell whom it concerns."""
    transition(actor, booking, CANCELLED, "cancelled", reason)
    events.booking_event("booking.cancelled", booking, actor, reason, by=by)


def get_booking(
    actor: Actor, booking_id: int, now: datetime | None = None
) -> Booking | RedactedBooking:
    """A booking as the actor may see it (private ones show only room and time)."""
    return visible_booking(actor, booking_id, now or utcnow())


def list_bookings(
    actor: Actor, filters: BookingFilter, page: int, page_size: int, now: datetime | None = None
) -> tuple[list[Booking | RedactedBooking], int]:
    """One page of the bookings the actor may see, each in the detail they may see."""
    now = now or utcnow()
    rows, total = fetch_page(booking_query(actor, filters, now), page, page_size)
    managed = managed_place_ids(actor)
    shown = [present(actor, booking, now, managed) for booking in rows]
    return [item for item in shown if item is not None], total


def booking_history(actor: Actor, booking_id: int) -> list[BookingEvent]:
    """Every recorded change of a booking (booker, hosts, admins)."""
    booking = involved_booking(actor, booking_id, utcnow(), manager=False, write=False)
    return list(booking.events)
