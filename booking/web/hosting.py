"""The hosts' side: requests to decide, this week's schedule, closures and opening hours
with a preview of what they do, and the usage report. Every rule is the API's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from booking.errors import DomainError, Invalid
from booking.models import Booking, Place, utcnow
from booking.models.booking import CONFIRMED, PENDING
from booking.page_texts import page_message
from booking.services import closures, places, reports
from booking.services.authorization import Actor, require_place_manager
from booking.services.booking import bookings, series
from booking.services.booking.booking_access import BookingFilter
from booking.services.calendar.weekly_hours import (
    MAX_SPANS,
    WeeklyHours,
    clock,
    expression_of,
    minutes,
    weekly_hours_of,
)
from booking.transaction import unit_of_work
from booking.web.forms import (
    WEEKDAY_LABELS,
    ButtonForm,
    ClosureForm,
    HostDecisionForm,
    HoursForm,
    WeekHoursForm,
)
from booking.web.session import account_or_sign_in, page_actor
from booking.web.usage_sheet import spreadsheet_csv
from booking.web.views import bp

MAX_ROWS = 200


def hosted(view: Callable[..., Any]) -> Callable[..., Any]:
    """A host's view of the place in its address, called with the signed-in host (as an
    actor) and the place instead of the slug; the way to sign in for someone signed out,
    and 403 for anyone who does not host it."""

    @wraps(view)
    def wrapper(slug: str, **kwargs: Any) -> Any:
        account = account_or_sign_in()
        if isinstance(account, Response):
            return account
        actor = page_actor(account)
        place = places.get_place_by_slug(slug)
        require_place_manager(actor, place)
        return view(actor, place, **kwargs)

    return wrapper


def _render(actor: Actor, place: Place, status: int = 200, **extra: Any) -> Any:
    now = utcnow()
    today = now.astimezone(place.zone).date()
    week, _total = bookings.list_bookings(
        actor,
        BookingFilter(
            place=(place.id,),
            from_=today,
            to=today + timedelta(days=6),
            status=(PENDING, CONFIRMED),
        ),
        1,
        MAX_ROWS,
        now,
    )
    schedule = [b for b in week if isinstance(b, Booking)]
    waiting, _count = bookings.list_bookings(
        actor, BookingFilter(place=(place.id,), from_=now, status=(PENDING,)), 1, MAX_ROWS, now
    )
    singles = [b for b in waiting if isinstance(b, Booking) and b.series_id is None]
    in_series: dict[int, list[Booking]] = {}
    for item in waiting:
        if isinstance(item, Booking) and item.series_id is not None:
            in_series.setdefault(item.series_id, []).append(item)
    coming, _n = closures.list_closures(place.id, now, 1, 50)
    context = {
        "place": place,
        "schedule": schedule,
        "singles": singles,
        "series": in_series,
        "closures": coming,
        "decision_form": HostDecisionForm(),
        "closure_form": extra.pop("closure_form", None) or closure_form(place),
        "button": ButtonForm(),
        "hours_form": extra.pop("hours_form", None)
        or HoursForm(formdata=None, openingstijden=place.opening_hours),
        "week_form": extra.pop("week_form", None) or _week_form_of(place.opening_hours),
        "week_fits": weekly_hours_of(place.opening_hours) is not None,
        "today": today,
        "weekdays": WEEKDAY_LABELS,
        "max_spans": MAX_SPANS,
        **extra,
    }
    return render_template("web/host.html", **context), status


@bp.get("/beheer/<string(maxlength=80):slug>")
@hosted
def host_page(actor: Actor, place: Place) -> Any:
    """A hosted place: requests, schedule, closures, opening hours, usage."""
    return _render(actor, place)


@bp.post("/beheer/<string(maxlength=80):slug>/besluit")
@hosted
def host_decide(actor: Actor, place: Place) -> Any:
    """Approve or decline one request, or every pending date of a series."""
    form = HostDecisionForm()
    if not form.validate_on_submit() or not (form.boeking.data or form.reeks.data):
        raise BadRequest()
    kind, object_id = (
        ("booking", form.boeking.data) if form.boeking.data else ("series", form.reeks.data)
    )
    approve = form.besluit.data == "approve"
    unit_of_work(series.decide_request)(
        actor, kind, int(object_id or 0), approve, form.reden.data or ""
    )
    if approve:
        flash(_("Done: the request is approved. The asker gets a message."))
    else:
        flash(_("Done: the request is declined. The asker gets a message."))
    return redirect(url_for("web.host_page", slug=place.slug), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/sluiting")
@hosted
def host_close(actor: Actor, place: Place) -> Any:
    """Close the place: first a preview of the bookings it hits, then the closure."""
    form = closure_form(place)
    if not form.validate_on_submit():
        return _render(actor, place, 422, closure_form=form)
    zone = place.zone
    if form.hele_dag.data:
        # Whole days: from the first date's midnight to the midnight after the last.
        start = datetime.combine(form.van_datum.data, time(0), tzinfo=zone)  # type: ignore[arg-type]
        end = datetime.combine(
            form.tot_datum.data + timedelta(days=1),  # type: ignore[operator]
            time(0),
            tzinfo=zone,
        )
    else:
        start = datetime.combine(form.van_datum.data, form.van_tijd.data, tzinfo=zone)  # type: ignore[arg-type]
        end = datetime.combine(form.tot_datum.data, form.tot_tijd.data, tzinfo=zone)  # type: ignore[arg-type]
    preview = form.stap.data != "save"
    try:
        answer = unit_of_work(closures.create_closure)(
            actor,
            place.id,
            start,
            end,
            form.reden.data or "",
            [int(item) for item in form.zalen.data or []],
            cancel_affected=form.annuleren.data == "1",
            dry_run=preview,
        )
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _render(actor, place, error.status, closure_form=form)
    if preview:
        hit = answer["affected_bookings"] if isinstance(answer, dict) else []
        return _render(actor, place, closure_form=form, closure_preview=hit)
    flash(_("Done: the place is closed then. It shows in the calendars."))
    return redirect(url_for("web.host_page", slug=place.slug), code=303)


def closure_form(place: Place, formdata: Any = None) -> ClosureForm:
    """The closure form, its rooms to choose from those of the place."""
    form = ClosureForm() if formdata is None else ClosureForm(formdata=formdata)
    form.zalen.choices = [(str(room.id), room.name) for room in place.rooms]
    return form


@bp.post("/beheer/<string(maxlength=80):slug>/sluiting/<int:closure_id>/weg")
@hosted
def host_reopen(actor: Actor, place: Place, closure_id: int) -> Any:
    """Remove a closure with one button: the place (or its rooms) is open again then."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        unit_of_work(closures.delete_closure)(actor, closure_id)
    except DomainError as error:
        flash(page_message(error))
    else:
        flash(_("Done: the closure is removed."))
    return redirect(url_for("web.host_page", slug=place.slug), code=303)


def _week_form_of(expression: str) -> WeekHoursForm:
    """The per-day form filled in with the place's hours (empty when it cannot hold them)."""
    week = weekly_hours_of(expression)
    if week is None:
        return WeekHoursForm(formdata=None, feestdagen_dicht=True)
    data: dict[str, Any] = {"feestdagen_dicht": week.closed_on_holidays}
    for (code, _label), spans in zip(WEEKDAY_LABELS, week.days, strict=True):
        for n, (start, end) in enumerate(spans, start=1):
            data[f"{code}_van_{n}"], data[f"{code}_tot_{n}"] = clock(start), clock(end)
    return WeekHoursForm(formdata=None, data=data)


def _expression_from(form: WeekHoursForm) -> str:
    days = tuple(
        tuple((minutes(start), minutes(end)) for start, end in spans) for spans in form.spans()
    )
    return expression_of(WeeklyHours(days, bool(form.feestdagen_dicht.data)))


@bp.post("/beheer/<string(maxlength=80):slug>/openingstijden")
@hosted
def host_hours(actor: Actor, place: Place) -> Any:
    """New opening hours, per day or as text: first the coming four weeks and the bookings
    they leave out, then saved."""
    per_day = request.form.get("bron") == "dagen"
    form: WeekHoursForm | HoursForm = WeekHoursForm() if per_day else HoursForm()
    which = "week_form" if per_day else "hours_form"
    if not form.validate_on_submit():
        return _render(actor, place, 422, **{which: form}, hours_from=which)
    if isinstance(form, WeekHoursForm):
        expression = _expression_from(form)
    else:
        expression = form.openingstijden.data or ""
    try:
        if form.stap.data != "save":
            preview = places.preview_opening_hours(actor, place.id, expression)
            return _render(actor, place, **{which: form}, hours_preview=preview, hours_from=which)
        unit_of_work(places.update_place)(
            actor,
            place.id,
            {"opening_hours": expression, "cancel_affected": form.annuleren.data == "1"},
        )
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _render(actor, place, error.status, **{which: form}, hours_from=which)
    flash(_("The opening hours are saved."))
    return redirect(url_for("web.host_page", slug=place.slug), code=303)


def asked_period(default: tuple[date, date]) -> tuple[date, date]:
    """The page's `?van=&tot=` (local dates), or `default` when either is missing or wrong."""
    try:
        first = date.fromisoformat(request.args.get("van", "")[:10])
        last = date.fromisoformat(request.args.get("tot", "")[:10])
    except ValueError:
        return default
    return first, last


def _period() -> tuple[date, date]:
    today = utcnow().date()
    return asked_period((today.replace(day=1) - timedelta(days=30), today))


@bp.get("/beheer/<string(maxlength=80):slug>/gebruik")
@hosted
def host_usage(actor: Actor, place: Place) -> Any:
    """The usage report of the place for a period; `?formaat=csv` downloads it."""
    first, last = _period()
    try:
        report = reports.usage_report(actor, first, last, place=(place.id,))
    except Invalid as wrong:
        # Dates swapped or too far apart: said next to the field, the dates as typed.
        message = (
            _("The end date must not be before the start date.")
            if last < first
            else _("Choose at most a year.")
        )
        page = render_template(
            "web/usage.html", place=place, report=[], first=first, last=last, period_error=message
        )
        return page, wrong.status
    if request.args.get("formaat") == "csv":
        return FlaskResponse(
            # A BOM: spreadsheets read UTF-8 then.
            "\ufeff" + spreadsheet_csv(report, str(get_locale() or "nl")),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="gebruik-{place.slug}.csv"'},
        )
    return render_template("web/usage.html", place=place, report=report, first=first, last=last)
