"""The impact report: what a funder asks, in one set of figures per period.

Hours open and used, activities, visitors (recorded attendance), target groups, the
initiatives' lifecycle, the feedback score and the complaints handled on time, per month and
against the same period a year before. Hosts see their places in full, admins any scope;
anyone else sees the open figures: activities, hours and visitors per month of the places
in scope, each left out below a minimum count so no single visitor can be singled out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from booking.computed import once_per_version
from booking.config import DEFAULT_TIMEZONE
from booking.errors import Invalid
from booking.extensions import db
from booking.models import (
    Attendance,
    Booking,
    Complaint,
    Feedback,
    Initiative,
    InitiativeTransition,
    Place,
    Room,
    Signup,
)
from booking.models.booking import CONFIRMED
from booking.models.monitoring import ATTENDANCE_OFF, HANDLED
from booking.models.signup import CONFIRMED as SIGNED_UP
from booking.services.authorization import Actor, managed_place_ids
from booking.services.calendar.opening_hours import bound_instant
from booking.services.common import check_date_range
from booking.services.reports import NO_TARGET_GROUP, Usage, by_target_group, place_usage

MAX_DAYS = 366


@dataclass
class Figures:
    """The figures of one period over the places in scope. None: not collected here."""

    open_hours: float = 0.0
    used_hours: float = 0.0
    activities: int = 0
    activities_without_attendance: int | None = None
    visitors: int | None = None
    first_time_visitors: int | None = None
    target_groups: dict[str, int] = field(default_factory=dict)
    initiatives: dict[str, Any] = field(default_factory=dict)
    feedback: dict[str, Any] | None = None
    complaints: dict[str, int] = field(default_factory=dict)

    @property
    def occupancy(self) -> float | None:
        """Used hours over open hours; None when nothing was open."""
        return round(self.used_hours / self.open_hours, 4) if self.open_hours else None


@dataclass
class Month:
    """One calendar month's figures (its part inside the period)."""

    month: str
    open_hours: float
    used_hours: float
    activities: int
    visitors: int | None
    first_time_visitors: int | None
    feedback_count: int
    feedback_average: float | None
    # People with a place at the month's activities, and of those, who did not come where
    # the door's check-in was used; None where no activity took sign-ups.
    signups: int | None = None
    no_shows: int | None = None


@dataclass
class ImpactReport:
    """The report of a scope over [first, last]: the period, a year before, and per month."""

    first: date
    last: date
    places: list[Place]
    counts_visitors: bool
    asks_feedback: bool
    figures: Figures
    # None where nothing was recorded a year before (no bookings, no counts): the place had
    # not joined yet, and zeros would read as growth from nothing.
    last_year: Figures | None
    by_month: list[Month]
    counts_signups: bool = False


@dataclass(frozen=True)
class Scope:
    """Which places: given ones, a neighbourhood's, or all (None)."""

    place_ids: tuple[int, ...] = ()
    neighbourhood_ids: tuple[int, ...] = ()


def _places(scope: Scope) -> list[Place]:
    stmt = (
        select(Place)
        .options(selectinload(Place.rooms).selectinload(Room.parts))
        .order_by(Place.name, Place.id)
    )
    if scope.place_ids:
        stmt = stmt.where(Place.id.in_(scope.place_ids))
    if scope.neighbourhood_ids:
        stmt = stmt.where(Place.neighbourhood_id.in_(scope.neighbourhood_ids))
    return list(db.session.scalars(stmt))


def full_access(actor: Actor, places: list[Place]) -> bool:
    """Whether the actor sees every figure: an admin, or a host of each place in scope."""
    if actor.is_admin:
        return True
    hosted = managed_place_ids(actor) if actor.account is not None else frozenset()
    return bool(places) and all(place.id in hosted for place in places)


def _window(places: list[Place], first: date, last: date) -> tuple[datetime, datetime]:
    zone = places[0].zone if places else ZoneInfo(DEFAULT_TIMEZONE)
    return bound_instant(first, zone, end=False), bound_instant(last, zone, end=True)


def _usage(places: list[Place], first: date, last: date, groups: dict[int, list[str]]) -> Usage:
    """The usage report's figures summed over the places (hours rounded as it does)."""
    summed = Usage()
    for place in places:
        usage = place_usage(place, first, last, groups)
        summed.open_hours += usage.open_hours
        summed.booked_hours += usage.booked_hours
        summed.activities += usage.activities
        summed.per_target_group.update(usage.per_target_group)
    summed.open_hours = round(summed.open_hours, 2)
    summed.booked_hours = round(summed.booked_hours, 2)
    return summed


def _counted(place_ids: list[int], start: datetime, end: datetime, *by: Any) -> Any:
    """Visitors, first-time visitors and activities with a count (grouped `by`, if given), of
    confirmed activities that started in the window."""
    return (
        select(
            *by,
            func.coalesce(func.sum(Attendance.count), 0),
            func.coalesce(func.sum(Attendance.first_time), 0),
            func.count(Attendance.booking_id),
        )
        .join(Booking, Booking.id == Attendance.booking_id)
        .where(
            Booking.place_id.in_(place_ids),
            Booking.status == CONFIRMED,
            Booking.start >= start,
            Booking.start < end,
        )
        .group_by(*by)
    )


def _attendance(place_ids: list[int], start: datetime, end: datetime) -> tuple[int, int, int]:
    """Visitors, first-time visitors and activities with a count in the window."""
    row = db.session.execute(_counted(place_ids, start, end)).one()
    visitors, first_time, counted = (int(value or 0) for value in row)
    return visitors, first_time, counted


def _activities_started(place_ids: list[int], start: datetime, end: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.place_id.in_(place_ids),
                Booking.status == CONFIRMED,
                Booking.start >= start,
                Booking.start < end,
            )
        )
        or 0
    )


def _feedback(place_ids: list[int], start: datetime, end: datetime) -> tuple[int, float | None]:
    count, average = db.session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.score)).where(
            Feedback.place_id.in_(place_ids),
            Feedback.created_at >= start,
            Feedback.created_at < end,
        )
    ).one()
    return int(count), (round(float(average), 2) if average is not None else None)


def _complaints(place_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
    received = list(
        db.session.scalars(
            select(Complaint).where(
                Complaint.place_id.in_(place_ids),
                Complaint.received_at >= start,
                Complaint.received_at < end,
            )
        )
    )
    handled = [c for c in received if c.status == HANDLED]
    return {
        "received": len(received),
        "handled": len(handled),
        "handled_on_time": sum(1 for c in handled if c.on_time),
    }


def _initiatives(
    place_ids: list[int], neighbourhood_ids: tuple[int, ...], start: datetime, end: datetime
) -> dict[str, Any]:
    """The lifecycle within the window of initiatives that booked at these places (or belong
    to the neighbourhood): started, went on trial, continued (became running), ended."""
    linked = select(Booking.initiative_id).where(
        Booking.place_id.in_(place_ids), Booking.initiative_id.is_not(None)
    )
    condition: Any = Initiative.id.in_(linked)
    if neighbourhood_ids:
        condition = condition | Initiative.neighbourhood_id.in_(neighbourhood_ids)
    ids = select(Initiative.id).where(condition)
    started = db.session.scalar(
        select(func.count(Initiative.id)).where(
            Initiative.id.in_(ids), Initiative.created_at >= start, Initiative.created_at < end
        )
    )
    moves = db.session.execute(
        select(InitiativeTransition.to_status, InitiativeTransition.outcome).where(
            InitiativeTransition.initiative_id.in_(ids),
            InitiativeTransition.at >= start,
            InitiativeTransition.at < end,
        )
    ).all()
    to = Counter(status for status, _outcome in moves)
    outcomes = Counter(outcome for status, outcome in moves if status == "ended" and outcome)
    return {
        "started": int(started or 0),
        "on_trial": to["trial"],
        "continued": to["running"],
        "ended": to["ended"],
        "outcomes": {key: outcomes[key] for key in ("continued", "stopped", "moved")},
    }


def _figures(
    places: list[Place],
    scope: Scope,
    first: date,
    last: date,
    groups: dict[int, list[str]],
    counts_visitors: bool,
    asks_feedback: bool,
) -> Figures:
    ids = [place.id for place in places]
    start, end = _window(places, first, last)
    usage = _usage(places, first, last, groups)
    usage.per_target_group.pop(NO_TARGET_GROUP, None)
    figures = Figures(
        open_hours=usage.open_hours,
        used_hours=usage.booked_hours,
        activities=usage.activities,
        target_groups=by_target_group(usage),
    )
    if counts_visitors:
        visitors, first_time, counted = _attendance(ids, start, end)
        figures.visitors, figures.first_time_visitors = visitors, first_time
        figures.activities_without_attendance = max(
            _activities_started(ids, start, end) - counted, 0
        )
    if asks_feedback:
        count, average = _feedback(ids, start, end)
        figures.feedback = {"count": count, "average": average}
    figures.complaints = _complaints(ids, start, end)
    figures.initiatives = _initiatives(ids, scope.neighbourhood_ids, start, end)
    return figures


def _months(first: date, last: date) -> list[tuple[date, date]]:
    months = []
    day = first
    while day <= last:
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        months.append((day, min(last, next_month - timedelta(days=1))))
        day = next_month
    return months


def _signups(place_ids: list[int], start: datetime, end: datetime) -> tuple[int, int]:
    """Confirmed places at the window's activities, and the no-shows among them: confirmed
    and not checked in, at activities where anyone was checked in (the check-in was used)."""
    # Asked per sign-up of the window, on its own activity, not of every sign-up there is.
    ticked = aliased(Signup)
    door_used = (
        select(ticked.id)
        .where(ticked.booking_id == Signup.booking_id, ticked.checked_in.is_(True))
        .exists()
    )
    row = db.session.execute(
        select(
            func.coalesce(func.sum(Signup.party_size), 0),
            func.coalesce(
                func.sum(Signup.party_size).filter(Signup.checked_in.is_(False), door_used),
                0,
            ),
        )
        .join(Booking, Booking.id == Signup.booking_id)
        .where(
            Booking.place_id.in_(place_ids),
            Booking.status == CONFIRMED,
            Booking.start >= start,
            Booking.start < end,
            Signup.status == SIGNED_UP,
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def _takes_signups(place_ids: list[int]) -> bool:
    return bool(
        place_ids
        and db.session.scalar(
            select(func.count())
            .where(Booking.place_id.in_(place_ids), Booking.signup_capacity.is_not(None))
            .limit(1)
        )
    )


def _month(
    places: list[Place],
    first: date,
    last: date,
    counts_visitors: bool,
    groups: dict[int, list[str]],
    counts_signups: bool = False,
) -> Month:
    ids = [place.id for place in places]
    start, end = _window(places, first, last)
    usage = _usage(places, first, last, groups)
    visitors = first_time = None
    if counts_visitors:
        visitors, first_time, _counted = _attendance(ids, start, end)
    count, average = _feedback(ids, start, end)
    signups = no_shows = None
    if counts_signups:
        signups, no_shows = _signups(ids, start, end)
    return Month(
        month=first.strftime("%Y-%m"),
        open_hours=usage.open_hours,
        used_hours=usage.booked_hours,
        activities=usage.activities,
        visitors=visitors,
        first_time_visitors=first_time,
        feedback_count=count,
        feedback_average=average,
        signups=signups,
        no_shows=no_shows,
    )


def _recorded(place_ids: list[int], start: datetime, end: datetime) -> bool:
    """Whether the places recorded anything in the window: a booking of any status (which
    carries its counts), or feedback or a complaint."""
    if not place_ids:
        return False
    found = db.session.execute(
        select(
            select(Booking.id)
            .where(Booking.place_id.in_(place_ids), Booking.start >= start, Booking.start < end)
            .exists()
            | select(Feedback.id)
            .where(
                Feedback.place_id.in_(place_ids),
                Feedback.created_at >= start,
                Feedback.created_at < end,
            )
            .exists()
            | select(Complaint.id)
            .where(
                Complaint.place_id.in_(place_ids),
                Complaint.received_at >= start,
                Complaint.received_at < end,
            )
            .exists()
        )
    ).scalar()
    return bool(found)


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def impact_report(
    scope: Scope, first: date, last: date, places: list[Place] | None = None
) -> ImpactReport:
    """The full report of the scope's places (loaded already, or here) over [first, last]
    (local dates, inclusive)."""
    check_date_range(first, last, MAX_DAYS)
    places = _places(scope) if places is None else places
    ids = [place.id for place in places]
    recorded = bool(
        ids and db.session.scalar(select(func.count()).where(Attendance.place_id.in_(ids)).limit(1))
    )
    # Only what a place chose to collect: no empty visitors column where nobody counts.
    counts_visitors = recorded or any(
        p.monitoring_settings["attendance"] != ATTENDANCE_OFF for p in places
    )
    given = bool(
        ids and db.session.scalar(select(func.count()).where(Feedback.place_id.in_(ids)).limit(1))
    )
    asks_feedback = given or any(p.monitoring_settings["feedback"] for p in places)
    groups = {
        initiative.id: list(initiative.target_groups)
        for initiative in db.session.scalars(select(Initiative))
    }
    figures = _figures(places, scope, first, last, groups, counts_visitors, asks_feedback)
    before_first, before_last = _a_year_before(first), _a_year_before(last)
    before = (
        _figures(places, scope, before_first, before_last, groups, counts_visitors, asks_feedback)
        if _recorded(ids, *_window(places, before_first, before_last))
        else None
    )
    counts_signups = _takes_signups(ids)
    months = [
        _month(places, start, end, counts_visitors, groups, counts_signups)
        for start, end in _months(first, last)
    ]
    return ImpactReport(
        first, last, places, counts_visitors, asks_feedback, figures, before, months, counts_signups
    )


def scope_for(
    actor: Actor, place_ids: tuple[int, ...], neighbourhood_ids: tuple[int, ...]
) -> tuple[Scope, list[Place], bool]:
    """The scope asked for, its places, and whether the actor sees them in full."""
    scope = Scope(place_ids, neighbourhood_ids)
    places = _places(scope)
    # The whole installation in full is for admins; others get its open figures.
    whole = not place_ids and not neighbourhood_ids
    full = actor.is_admin if whole else full_access(actor, places)
    return scope, places, full


def suppressed(value: int | float | None) -> int | float | None:
    """A count below the minimum is left out (None), so no visitor can be singled out."""
    if value is None or value < current_app.config["SUPPRESS_BELOW"]:
        return None
    return value


def whole_months(first: date, last: date) -> tuple[date, date]:
    """The calendar months that [first, last] touches, from the first day to the last."""
    next_month = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=1), next_month - timedelta(days=1)


def _attendance_by_place(
    place_ids: list[int], start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per place: visitors and activities with a count in the window."""
    rows = db.session.execute(_counted(place_ids, start, end, Booking.place_id))
    return {int(place): (int(visitors), int(counted)) for place, visitors, _, counted in rows}


def _open_month(
    places: list[Place], first: date, last: date, counts_visitors: bool, minimum: int
) -> dict[str, Any]:
    """One month of the open figures. A place whose month has fewer activities than the
    minimum is left out of every figure of that month, and its visitors count only where at
    least the minimum of its activities have a count: so the difference between any two
    answers (other periods, other sets of places) is left out or covers at least the
    minimum of activities."""
    usage = {place.id: place_usage(place, first, last, {}) for place in places}
    shown = [place.id for place in places if usage[place.id].activities >= minimum]
    counted = _attendance_by_place(shown, *_window(places, first, last)) if shown else {}
    with_visitors = [i for i in shown if counted.get(i, (0, 0))[1] >= minimum]
    visitors = sum(counted[i][0] for i in with_visitors)
    return {
        "month": first.strftime("%Y-%m"),
        "activities": sum(usage[i].activities for i in shown) if shown else None,
        "used_hours": round(sum(usage[i].booked_hours for i in shown), 2) if shown else None,
        "visitors": visitors if counts_visitors and with_visitors and visitors >= minimum else None,
        "places_left_out": len(places) - len(shown),
    }


def open_figures(places: list[Place], first: date, last: date) -> dict[str, Any]:
    """What anyone may read: per whole calendar month, the activities, used hours and
    visitors of the places in scope, with every place-month under the minimum left out
    (docs/monitoring.md says what this protects)."""
    check_date_range(first, last, MAX_DAYS)
    if not places:
        raise Invalid(
            "No places in this scope.",
            code="no_places",
            errors={"neighbourhood": ["No places here."]},
        )
    first, last = whole_months(first, last)
    minimum = int(current_app.config["SUPPRESS_BELOW"])
    counts_visitors = any(p.monitoring_settings["attendance"] != ATTENDANCE_OFF for p in places)
    # The data a month's figures read: every booking, closure and hours change stamps its
    # place; attendance has its own. A change is a new version, so nothing is stale.
    ids = [place.id for place in places]
    counted, last_counted = db.session.execute(
        select(func.count(), func.max(Attendance.recorded_at)).where(Attendance.place_id.in_(ids))
    ).one()
    data = (
        ids,
        max((p.feed_changed_at for p in places if p.feed_changed_at), default=None),
        counted,
        last_counted,
        minimum,
        counts_visitors,
    )
    months = [
        once_per_version(
            "open-month",
            (*data, start),
            partial(_open_month, places, start, end, counts_visitors, minimum),
        )
        for start, end in _months(first, last)
    ]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "places": [{"id": p.id, "name": p.name} for p in places],
        "suppressed_below": minimum,
        "places_left_out": max(month["places_left_out"] for month in months),
        "by_month": months,
    }
