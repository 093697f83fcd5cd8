"""Who sees which booking, in how much detail, and who may change it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, or_, select, true

from booking.config import DEFAULT_TIMEZONE
from booking.errors import Conflict, Forbidden, NotFound, Unauthorized
from booking.extensions import db
from booking.models import Booking, Place, Room
from booking.models.booking import CONFIRMED, EXPIRED, PENDING
from booking.services.authorization import Actor, can_manage, managed_place_ids, require_scope
from booking.services.calendar.opening_hours import bound_instant
from booking.services.common import get_or_404


@dataclass(frozen=True)
class Access:
    """How the actor relates to one booking."""

    manager: bool
    booker: bool

    @property
    def involved(self) -> bool:
        """Booker, host of the place or admin: sees everything about the booking."""
        return self.manager or self.booker


class RedactedBooking:
    """A private booking as outsiders see it: only room and time."""

    details_hidden = True

    def __init__(self, booking: Booking) -> None:
        self.id = booking.id
        self.room_id = booking.room_id
        self.place_id = booking.place_id
        self.start = booking.start
        self.end = booking.end
        self.visibility = booking.visibility
        self.current_status = booking.current_status
        self.zone = booking.zone

    def __getattr__(self, name: str) -> Any:
        # Every other field (title, booker, description...) is withheld.
        return None


def access(actor: Actor, booking: Booking, managed: frozenset[int] | None = None) -> Access:
    """The actor's relation to a booking; `managed` saves a query per booking in lists."""
    account = actor.account
    if managed is None:
        manager = can_manage(actor, booking.place_id)
    else:
        manager = actor.is_admin or booking.place_id in managed
    return Access(
        manager=manager,
        booker=account is not None and booking.booked_by_id == account.id,
    )


def present(
    actor: Actor, booking: Booking, now: datetime, managed: frozenset[int] | None = None
) -> Booking | RedactedBooking | None:
    """The booking as the actor may see it, or None when it is hidden from them."""
    if access(actor, booking, managed).involved:
        booking.show_contact = True
        return booking
    if booking.status_at(now) != CONFIRMED:
        return None
    return booking if booking.visibility == "public" else RedactedBooking(booking)


def visible_booking(actor: Actor, booking_id: int, now: datetime) -> Booking | RedactedBooking:
    """A booking the actor may see; 404 otherwise."""
    booking = get_or_404(Booking, booking_id)
    shown = present(actor, booking, now)
    if shown is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    return shown


def involved_booking(
    actor: Actor, booking_id: int, now: datetime, *, manager: bool, write: bool = True
) -> Booking:
    """A booking the actor may act on: its manager, or (unless `manager`) its booker.

    404 if the actor may not see it, 403 if they see it but are not involved. A booker
    who writes needs the `book` scope.
    """
    booking = get_or_404(Booking, booking_id)
    relation = access(actor, booking)
    if relation.manager:
        booking.show_contact = True
        return booking
    if relation.booker and not manager:
        if write:
            require_scope(actor, "book")
        booking.show_contact = True
        return booking
    if present(actor, booking, now) is None:
        raise NotFound(f"Booking {booking_id} does not exist.")
    if actor.account is None:
        raise Unauthorized("This needs an API token.")
    who = "hosts of the place and admins" if manager else "the booker, hosts and admins"
    raise Forbidden(f"Only {who} may do this.", code="not_involved")


def _visible_to(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    account = actor.account
    conditions: list[ColumnElement[bool]] = [Booking.status == CONFIRMED]
    if account is not None:
        conditions.append(Booking.booked_by_id == account.id)
        managed = managed_place_ids(actor)
        if managed:
            conditions.append(Booking.place_id.in_(managed))
    return or_(*conditions)


def status_condition(statuses: list[str], now: datetime) -> ColumnElement[bool]:
    """Rows whose status, as read at `now`, is one of `statuses` (pending turns expired)."""
    conditions: list[ColumnElement[bool]] = []
    for status in statuses:
        if status == PENDING:
            conditions.append((Booking.status == PENDING) & (Booking.start > now))
        elif status == EXPIRED:
            conditions.append(
                (Booking.status == EXPIRED) | ((Booking.status == PENDING) & (Booking.start <= now))
            )
        else:
            conditions.append(Booking.status == status)
    return or_(*conditions)


@dataclass(frozen=True)
class BookingFilter:
    """Filters of the booking list; dates are read in the place's (or default) timezone."""

    # Each filter takes any of several ids; empty means: do not filter.
    room: tuple[int, ...] = ()
    place: tuple[int, ...] = ()
    initiative: tuple[int, ...] = ()
    from_: date | datetime | None = None
    to: date | datetime | None = None
    status: tuple[str, ...] = ()
    mine: bool = False


def _filter_zone(filters: BookingFilter) -> ZoneInfo:
    # Places of one installation share a timezone in practice; the first one found decides.
    # An id that does not exist only filters everything out, as any filter value would.
    for room_id in filters.room:
        room = db.session.get(Room, room_id)
        if room is not None:
            return room.zone
    for place_id in filters.place:
        place = db.session.get(Place, place_id)
        if place is not None:
            return place.zone
    return ZoneInfo(DEFAULT_TIMEZONE)


def booking_query(actor: Actor, filters: BookingFilter, now: datetime) -> Select[Any]:
    """The bookings the actor may see that match the filters, by start."""
    stmt = select(Booking).where(_visible_to(actor))
    if filters.mine:
        if actor.account is None:
            raise Unauthorized("`mine` needs an API token.")
        stmt = stmt.where(Booking.booked_by_id == actor.account.id)
    if filters.room:
        stmt = stmt.where(Booking.room_id.in_(filters.room))
    if filters.place:
        stmt = stmt.where(Booking.place_id.in_(filters.place))
    if filters.initiative:
        stmt = stmt.where(Booking.initiative_id.in_(filters.initiative))
    zone = _filter_zone(filters)
    start = bound_instant(filters.from_, zone, end=False) if filters.from_ is not None else now
    stmt = stmt.where(Booking.end > start)
    if filters.to is not None:
        stmt = stmt.where(Booking.start < bound_instant(filters.to, zone, end=True))
    if filters.status:
        stmt = stmt.where(status_condition(list(filters.status), now))
    return stmt.order_by(Booking.start, Booking.id)


def refuse_if_booked(now: datetime, what: str, *conditions: ColumnElement[bool]) -> None:
    """409 `has_active_bookings` while bookings matching `conditions` still hold future slots."""
    count = db.session.scalar(
        select(func.count(Booking.id)).where(
            *conditions, Booking.end > now, status_condition([PENDING, CONFIRMED], now)
        )
    )
    if count:
        raise Conflict(
            f"{what} has {count} active booking(s) that have not ended; cancel or move them first.",
            code="has_active_bookings",
        )
