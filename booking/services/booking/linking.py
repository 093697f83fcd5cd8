"""Linking one's bookings made earlier to an initiative: "Koppel mijn boekingen".

A booking named its initiative when it was made, or not; a resident who started the
initiative afterwards links the bookings and series that belong to it here. Each date goes
through `update_booking`, so the rules (who may link, not to an ended initiative), the
history and the feeds are those of any change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from booking.errors import Forbidden
from booking.extensions import db
from booking.models import Booking, Initiative, Series, utcnow
from booking.models.booking import ACTIVE_STATUSES
from booking.services.authorization import Actor, require_account
from booking.services.booking.bookings import update_booking
from booking.services.common import get_or_404
from booking.services.initiatives import linkable_initiative


@dataclass(frozen=True)
class Linkable:
    """One's coming bookings not linked to the initiative yet: single ones, and series
    (each with its coming dates)."""

    singles: list[Booking]
    series: list[tuple[Series, list[Booking]]]


def _coming_own(account_id: int, now: datetime) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.booked_by_id == account_id,
                Booking.status.in_(ACTIVE_STATUSES),
                Booking.end > now,
            )
            .order_by(Booking.start, Booking.id)
            .limit(500)
        )
    )


def linkable(actor: Actor, initiative: Initiative, now: datetime | None = None) -> Linkable:
    """What the caller could link to the initiative: their coming bookings outside it."""
    account = require_account(actor)
    now = now or utcnow()
    singles: list[Booking] = []
    by_series: dict[int, list[Booking]] = {}
    for booking in _coming_own(account.id, now):
        if booking.initiative_id == initiative.id:
            continue
        if booking.series_id is None:
            singles.append(booking)
        else:
            by_series.setdefault(booking.series_id, []).append(booking)
    series = [(dates[0].series, dates) for dates in by_series.values() if dates[0].series]
    return Linkable(singles, series)  # type: ignore[arg-type]


def link_to_initiative(
    actor: Actor,
    initiative_id: int,
    booking_ids: Iterable[int],
    series_ids: Iterable[int],
    now: datetime | None = None,
) -> int:
    """Link the caller's own bookings, and every coming date of their series, to the
    initiative; returns how many dates were linked."""
    account = require_account(actor)
    now = now or utcnow()
    get_or_404(Initiative, initiative_id)
    dates: dict[int, Booking] = {}
    for series_id in series_ids:
        series = get_or_404(Series, series_id)
        if series.booked_by_id != account.id:
            raise Forbidden("Only your own series can be linked here.", code="not_your_booking")
        series.initiative_id = linkable_initiative(actor, initiative_id, series.place_id)
        for booking in series.bookings:
            if booking.status in ACTIVE_STATUSES and booking.end > now:
                dates[booking.id] = booking
    for booking_id in booking_ids:
        booking = get_or_404(Booking, booking_id)
        if booking.booked_by_id != account.id:
            raise Forbidden("Only your own bookings can be linked here.", code="not_your_booking")
        dates[booking.id] = booking
    for booking in dates.values():
        update_booking(actor, booking.id, {"initiative_id": initiative_id}, now)
    return len(dates)
