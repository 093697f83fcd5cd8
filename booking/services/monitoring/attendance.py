"""Who came: the booker or a host records how many people came after an activity ended;
the morning after, the place's chosen side is asked by mail with a link that needs no
sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, select

from booking.errors import Conflict, Invalid, NotFound
from booking.extensions import db
from booking.models import Account, Attendance, AttendanceAsk, Booking, Place, PlaceHost, utcnow
from booking.models.booking import CONFIRMED
from booking.models.monitoring import ASK_BOOKER, ASK_HOSTS, ATTENDANCE_OFF
from booking.services.authorization import Actor
from booking.services.booking.booking_access import involved_booking
from booking.services.outbox.events import emit

ATTENDANCE_ASKED = "monitoring.attendance_asked"
MAX_COUNT = 10_000
# A link from the morning-after mail works for two weeks: people answer late.
LINK_DAYS = 14
_SALT = "wijkruimte.attendance"
# When in the place's morning the ask goes out.
MORNING = time(8, 0)


def _validated(data: dict[str, Any]) -> tuple[int, int | None, str]:
    count, first_time = data.get("count"), data.get("first_time")
    note = (data.get("note") or "").strip()
    errors: dict[str, list[str]] = {}
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        errors["count"] = [f"A whole number from 0 to {MAX_COUNT}."]
    elif first_time is not None and (
        not isinstance(first_time, int)
        or isinstance(first_time, bool)
        or not 0 <= first_time <= count
    ):
        errors["first_time"] = ["A whole number from 0 to count."]
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    if errors:
        raise Invalid("The attendance is not valid.", code="invalid_attendance", errors=errors)
    return count, first_time, note  # type: ignore[return-value]


def record(
    booking: Booking,
    data: dict[str, Any],
    account_id: int | None,
    now: datetime,
    *,
    from_start: bool = False,
) -> Attendance:
    """Record (or correct) the attendance of an activity that has ended; `from_start`: a
    check-in at the door, which counts from the moment it starts."""
    count, first_time, note = _validated(data)
    if booking.status != CONFIRMED:
        raise Conflict("Only an activity that took place has attendance.", code="not_active")
    if (booking.start if from_start else booking.end) > now:
        raise Conflict(
            "Attendance is recorded after the activity ended.", code="activity_not_ended"
        )
    attendance = db.session.get(Attendance, booking.id)
    if attendance is None:
        attendance = Attendance(booking_id=booking.id, place_id=booking.place_id)
        db.session.add(attendance)
    attendance.count, attendance.first_time, attendance.note = count, first_time, note
    attendance.recorded_at, attendance.recorded_by_id = now, account_id
    db.session.flush()
    return attendance


def record_attendance(
    actor: Actor, booking_id: int, data: dict[str, Any], now: datetime | None = None
) -> Attendance:
    """PUT /bookings/{id}/attendance: the booker, a host of the place or an admin."""
    now = now or utcnow()
    booking = involved_booking(actor, booking_id, now, manager=False)
    return record(booking, data, actor.account.id if actor.account else None, now)


def attendance_of(booking_id: int) -> Attendance | None:
    """The recorded attendance of a booking, if any."""
    return db.session.get(Attendance, booking_id)


# The signed link of the morning-after mail: one booking, one account, two weeks.


@dataclass(frozen=True)
class AttendanceLink:
    """What a mailed attendance link names."""

    booking_id: int
    account_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def attendance_token(booking_id: int, account_id: int) -> str:
    """The token of the link that lets this account record this booking's attendance."""
    return str(_serializer().dumps([booking_id, account_id]))


def read_attendance_token(token: str) -> AttendanceLink:
    """The booking and account a link names; 404 when it is forged or too old."""
    try:
        booking_id, account_id = _serializer().loads(token, max_age=LINK_DAYS * 86400)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        raise NotFound(
            "This attendance link is not valid (any more).", code="link_not_valid"
        ) from None
    return AttendanceLink(int(booking_id), int(account_id))


def booking_of_link(token: str) -> tuple[Booking, Account]:
    """The booking an attendance link is for, and who it was sent to, while that account
    may still record it: not erased, not blocked, still its booker or a host of the place.
    Showing the page and saving it ask the same."""
    link = read_attendance_token(token)
    booking = db.session.get(Booking, link.booking_id)
    account = db.session.get(Account, link.account_id)
    if booking is None or account is None or account.erased_at or account.blocked_at:
        raise NotFound("This attendance link is not valid (any more).", code="link_not_valid")
    hosting = db.session.get(PlaceHost, (booking.place_id, account.id))
    if account.id != booking.booked_by_id and hosting is None:
        raise NotFound("This attendance link is not valid (any more).", code="link_not_valid")
    return booking, account


def record_by_link(token: str, data: dict[str, Any], now: datetime | None = None) -> Attendance:
    """Record attendance through a mailed link: the link proved who it was sent to."""
    booking, account = booking_of_link(token)
    return record(booking, data, account.id, now or utcnow())


def ask_for_attendance(now: datetime | None = None) -> int:
    """The morning after: ask for the attendance of yesterday's activities at places that
    want it, once per activity; returns how many were asked. The worker runs this."""
    now = now or utcnow()
    candidates = db.session.execute(
        select(Booking, Place)
        .join(Place, Place.id == Booking.place_id)
        .where(
            Booking.status == CONFIRMED,
            Booking.end <= now,
            Booking.end > now - timedelta(days=3),
            ~exists().where(Attendance.booking_id == Booking.id),
            ~exists().where(AttendanceAsk.booking_id == Booking.id),
        )
        .order_by(Booking.end)
    ).all()
    asked = 0
    for booking, place in candidates:
        mode = place.monitoring_settings["attendance"]
        if mode == ATTENDANCE_OFF or mode not in (ASK_BOOKER, ASK_HOSTS):
            continue
        # The morning after the day it ended, in the place's time.
        ended_on = booking.end.astimezone(place.zone).date()
        due = datetime.combine(ended_on + timedelta(days=1), MORNING, tzinfo=place.zone)
        if now < due:
            continue
        db.session.add(AttendanceAsk(booking_id=booking.id, asked_at=now))
        emit(
            ATTENDANCE_ASKED,
            {
                "booking_id": booking.id,
                "place_id": place.id,
                "booked_by": booking.booked_by_id,
                "title": booking.title,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "ask": mode,
            },
        )
        asked += 1
    db.session.flush()
    return asked


def prefetch(bookings: list[Booking]) -> None:
    """Load the attendance of a page of bookings in one query, for `shown_attendance`."""
    ended = [b.id for b in bookings if b.end <= utcnow()]
    found = (
        {
            a.booking_id: a
            for a in db.session.scalars(select(Attendance).where(Attendance.booking_id.in_(ended)))
        }
        if ended
        else {}
    )
    for booking in bookings:
        booking.prefetched_attendance = found.get(booking.id)  # type: ignore[attr-defined]


def shown_attendance(booking: Any) -> dict[str, Any] | None:
    """The booking's attendance as the API shows it; null until recorded, and for a private
    booking shown to an outsider."""
    if getattr(booking, "details_hidden", False) or not isinstance(booking, Booking):
        return None
    if "prefetched_attendance" in vars(booking):
        found = booking.prefetched_attendance  # type: ignore[attr-defined]
    elif booking.end > utcnow():
        return None  # not ended: nothing can be recorded yet, and no query is needed
    else:
        found = db.session.get(Attendance, booking.id)
    if found is None:
        return None
    return {
        "count": found.count,
        "first_time": found.first_time,
        "note": found.note,
        "recorded_at": found.recorded_at.isoformat(),
    }
