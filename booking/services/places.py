"""Places: finding them, keeping them current, and their hosts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import selectinload

from booking.errors import Conflict, Invalid, NotFound
from booking.extensions import db
from booking.models import Account, Booking, Neighbourhood, Place, PlaceHost, utcnow
from booking.models.base import MAX_ID
from booking.services.authorization import Actor, require_admin, require_place_manager
from booking.services.booking import affected
from booking.services.booking.booking_access import refuse_if_booked
from booking.services.booking.policy import DEFAULT_POLICY, check_policy, merge_policy
from booking.services.calendar.closures import closure_intervals
from booking.services.calendar.intervals import Interval, intersect
from booking.services.calendar.opening_hours import (
    daily_windows,
    local_midnight,
    open_intervals,
    resolve_days,
    validate_opening_hours,
)
from booking.services.common import (
    add_with_generated_slug,
    ensure_slug_free,
    fetch_page,
    get_or_404,
    list_contains_any,
    locked_or_404,
    text_matches,
)
from booking.services.neighbourhoods import check_neighbourhood, is_id

DEFAULT_OPENING_HOURS = "Mo-Fr 09:00-17:00; PH off"


@dataclass(frozen=True)
class PlaceFilter:
    """Filters of the place list; None means: do not filter."""

    neighbourhood: tuple[str, ...] = ()  # ids or slugs
    kind: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    q: str | None = None
    step_free: bool | None = None
    ground_floor: bool | None = None
    accessible_toilet: bool | None = None
    place: tuple[int, ...] = ()
    # Open on these weekdays (0 = Monday) and in this local part of the day, within OPEN_AHEAD.
    weekdays: tuple[int, ...] = ()
    between: tuple[time, time] | None = None


ACCESSIBILITY = ("step_free", "ground_floor", "accessible_toilet")


def offers(filters: Any) -> list[ColumnElement[bool]]:
    """What a filter asks a place to offer: accessibility, a kind, welcoming a target group.

    Shared by the place list and the availability searches, whose filters carry the same
    fields.
    """
    conditions = [
        getattr(Place, need).is_(getattr(filters, need))
        for need in ACCESSIBILITY
        if getattr(filters, need) is not None
    ]
    if filters.kind:
        conditions.append(Place.kind.in_(filters.kind))
    if filters.target_group:
        conditions.append(list_contains_any(Place.target_groups, filters.target_group))
    return conditions


def _filtered(filters: PlaceFilter) -> Select[Any]:
    stmt = select(Place).where(Place.archived_at.is_(None)).order_by(Place.name, Place.id)
    if filters.neighbourhood:
        ids = [int(v) for v in filters.neighbourhood if is_id(v)]
        slugs = [v for v in filters.neighbourhood if not is_id(v)]
        ids = [i for i in ids if i <= MAX_ID]  # a larger id cannot exist
        stmt = stmt.outerjoin(Neighbourhood).where(
            or_(Place.neighbourhood_id.in_(ids), Neighbourhood.slug.in_(slugs))
        )
    if filters.place:
        stmt = stmt.where(Place.id.in_(filters.place))
    stmt = stmt.where(*offers(filters))
    if filters.q:
        stmt = stmt.where(text_matches(filters.q, Place.name, Place.description, Place.city))
    return stmt


def list_places(
    filters: PlaceFilter, page: int, page_size: int, now: datetime | None = None
) -> tuple[list[Place], int]:
    """Places matching the filters, by name."""
    if not (filters.weekdays or filters.between):
        return fetch_page(_filtered(filters), page, page_size)
    # Opening hours are strings evaluated in Python, so this filter cannot be SQL.
    stmt = _filtered(filters).options(selectinload(Place.rooms))
    found = [p for p in db.session.scalars(stmt) if _open_then(p, filters, now or utcnow())]
    first = (page - 1) * page_size
    return found[first : first + page_size], len(found)


OPEN_AHEAD = timedelta(days=28)


def _open_then(place: Place, filters: PlaceFilter, now: datetime) -> bool:
    """Whether a bookable room of the place opens on a wanted weekday and part of the day."""
    end = now + OPEN_AHEAD
    windows = daily_windows(filters.weekdays, filters.between, place.zone, now, end)
    expressions = {room.effective_opening_hours for room in place.rooms if room.bookable}
    return any(
        intersect(open_intervals(expression, place.zone, now, end), windows)
        for expression in expressions
    )


def target_groups() -> list[str]:
    """Every target group some place welcomes, sorted (read from that column alone)."""
    return sorted({g for groups in db.session.scalars(select(Place.target_groups)) for g in groups})


def get_place(place_id: int) -> Place:
    """One place."""
    return get_or_404(Place, place_id)


def get_place_by_slug(slug: str) -> Place:
    """One place by its slug."""
    place = db.session.scalar(select(Place).where(Place.slug == slug))
    if place is None:
        raise NotFound(f"No place is called {slug!r}.")
    return place


def _apply(place: Place, data: dict[str, Any]) -> None:
    """Copy validated API fields onto the place, flattening nested objects."""
    data = dict(data)
    for key, value in (data.pop("address", None) or {}).items():
        setattr(place, key, value)
    for key, value in (data.pop("accessibility", None) or {}).items():
        setattr(place, key, value)
    if "policy" in data:
        policy = merge_policy(place.policy or DEFAULT_POLICY, data.pop("policy") or {})
        # A place's policy is always complete: removed keys fall back to the defaults.
        policy = {**DEFAULT_POLICY, **policy}
        check_policy(policy)
        place.policy = policy
    if "opening_hours" in data:
        data["opening_hours"] = validate_opening_hours(data["opening_hours"])
    if "monitoring" in data:
        # A partial change keeps the other choices.
        data["monitoring"] = {**place.monitoring_settings, **(data["monitoring"] or {})}
    if "neighbourhood_id" in data:
        check_neighbourhood(data["neighbourhood_id"])
    if "slug" in data:
        ensure_slug_free(Place, data["slug"], place.id)
    for key, value in data.items():
        setattr(place, key, value)


def create_place(actor: Actor, data: dict[str, Any]) -> Place:
    """Create a place (admin only); slug, opening hours and policy get sensible defaults."""
    require_admin(actor)
    place = Place(policy=dict(DEFAULT_POLICY), opening_hours=DEFAULT_OPENING_HOURS)
    data = dict(data)
    generate = not data.get("slug")
    if generate:
        data.pop("slug", None)
    _apply(place, data)
    if generate:
        add_with_generated_slug(place, data["name"])
    else:
        db.session.add(place)
        db.session.flush()
    return place


def update_place(actor: Actor, place_id: int, data: dict[str, Any]) -> Place:
    """Change a place (its hosts and admins).

    New opening hours answer with `affected_bookings`: the active bookings they no longer
    cover. With `cancel_affected` those are cancelled (each booker is mailed); without, the
    hosts are mailed the list.
    """
    place = get_place(place_id)
    require_place_manager(actor, place)
    data = dict(data)
    cancel_them = data.pop("cancel_affected", False)
    _apply(place, data)
    db.session.flush()
    if "opening_hours" in data:
        hit = affected.outside_opening_hours(place, utcnow())
        place.affected_bookings = affected.answer_change(  # type: ignore[attr-defined]
            actor, place, "opening_hours", hit, cancel_them
        )
    return place


@dataclass(frozen=True)
class HoursPreview:
    """What new opening hours would do: the coming four weeks, and the bookings left out."""

    expression: str
    days: list[tuple[date, list[Interval]]]
    affected: list[dict[str, Any]]


PREVIEW_DAYS = 28


def preview_opening_hours(
    actor: Actor, place_id: int, expression: str, now: datetime | None = None
) -> HoursPreview:
    """New opening hours tried, not saved (hosts and admins)."""
    now = now or utcnow()
    place = get_place(place_id)
    require_place_manager(actor, place)
    expression = validate_opening_hours(expression)
    first = now.astimezone(place.zone).date()
    last = first + timedelta(days=PREVIEW_DAYS - 1)
    window = (local_midnight(first, place.zone), local_midnight(last + timedelta(2), place.zone))
    closed = closure_intervals(place, None, *window)
    days = resolve_days(expression, place.zone, first, last, closed)
    # Tried inside a savepoint that is always rolled back: the same check as a real change.
    savepoint = db.session.begin_nested()
    try:
        place.opening_hours = expression
        db.session.flush()
        hit = [affected.summary(b) for b in affected.outside_opening_hours(place, now)]
    finally:
        savepoint.rollback()
    return HoursPreview(expression, days, hit)


def delete_place(actor: Actor, place_id: int) -> None:
    """Delete a place with its rooms, closures and host links (admin only)."""
    require_admin(actor)
    place = get_place(place_id)
    refuse_if_booked(utcnow(), "This place", Booking.place_id == place.id)
    db.session.delete(place)


def archive_place(actor: Actor, place_id: int, now: datetime | None = None) -> Place:
    """Archive a place (admins): it leaves search, lists and feeds and takes no bookings;
    its history stays. Refused while bookings are ahead."""
    require_admin(actor)
    place = get_place(place_id)
    now = now or utcnow()
    refuse_if_booked(now, "This place", Booking.place_id == place.id)
    place.archived_at = now
    return place


def list_hosts(place: Place) -> list[Account]:
    """The accounts that host a place."""
    return [host.account for host in sorted(place.hosts, key=lambda h: h.account_id)]


def place_hosts(actor: Actor, place_id: int) -> list[Account]:
    """The hosts of a place, for its hosts and admins (they see each other's e-mail)."""
    place = get_place(place_id)
    require_place_manager(actor, place)
    return list_hosts(place)


def add_host(actor: Actor, place_id: int, account_id: int) -> list[Account]:
    """Make an account a host of the place (admin only); adding twice changes nothing."""
    require_admin(actor)
    place = get_place(place_id)
    account = db.session.get(Account, account_id)
    if account is None:
        raise Invalid(
            f"Account {account_id} does not exist.",
            code="unknown_account",
            errors={"account_id": ["Unknown account."]},
        )
    make_host(place, account)
    return list_hosts(place)


HOST_ADDED = "place.host_added"


def make_host(place: Place, account: Account) -> bool:
    """Add a host, however it came (an admin, an invitation), and welcome them by mail;
    whether it is new."""
    if db.session.get(PlaceHost, (place.id, account.id)) is not None:
        return False
    place.hosts.append(PlaceHost(account=account))
    # The new host's private feed now holds the place: its Last-Modified moves on.
    account.updated_at = utcnow()
    db.session.flush()
    from booking.services.outbox.events import emit

    emit(HOST_ADDED, {"place_id": place.id, "account_id": account.id})
    return True


def remove_host(actor: Actor, place_id: int, account_id: int) -> None:
    """Remove an account from the hosts of the place (its hosts, admins); never the last."""
    # Locked: two removals at once cannot leave the place without a host.
    place = locked_or_404(Place, place_id)
    require_place_manager(actor, place)
    host = db.session.get(PlaceHost, (place.id, account_id))
    if host is None:
        raise NotFound(f"Account {account_id} is not a host of place {place_id}.")
    if len(place.hosts) <= 1:
        raise Conflict(
            "A place keeps at least one host: invite another before leaving.", code="last_host"
        )
    place.hosts.remove(host)
    # The place's requests leave that host's private feed: its Last-Modified moves on (the
    # place's own stamp no longer counts there, so the feed's could otherwise go back).
    host.account.updated_at = utcnow()
