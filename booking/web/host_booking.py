"""A host books for someone who phoned or walked in, `/beheer/<slug>/boeken`: the booking
form's one component (when, what, sign-ups) plus the room and the caller. It books through
the API's services with `on_behalf_of`: the caller's mail goes to their address."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from booking.errors import DomainError
from booking.models import Place, utcnow
from booking.page_texts import page_message
from booking.services.authorization import Actor
from booking.services.booking import bookings, series
from booking.transaction import unit_of_work
from booking.web.forms import CallerBookingForm, local_span
from booking.web.hosting import hosted
from booking.web.views import bp


def _form(place: Place, formdata: Any = None) -> CallerBookingForm:
    form = CallerBookingForm() if formdata is not None else CallerBookingForm(formdata=None)
    form.zaal.choices = [(str(room.id), room.name) for room in place.rooms if room.bookable]
    return form


def _page(place: Place, form: CallerBookingForm, status: int = 200) -> Any:
    capacity = max((room.capacity for room in place.rooms), default=5000)
    return (
        render_template("web/host_booking.html", place=place, form=form, capacity=capacity),
        status,
    )


@bp.get("/beheer/<string(maxlength=80):slug>/boeken")
@hosted
def host_booking(actor: Actor, place: Place) -> Any:
    """The form to book for a caller."""
    return _page(place, _form(place))


@bp.post("/beheer/<string(maxlength=80):slug>/boeken")
@hosted
def book_for_caller(actor: Actor, place: Place) -> Any:
    """Book (once or weekly) for the caller; a refusal keeps everything as typed."""
    form = _form(place, request.form)
    if not form.validate_on_submit():
        return _page(place, form, 422)
    span = local_span(form, place.zone, utcnow())
    if span is None:
        return _page(place, form, 422)
    start, end = span
    data: dict[str, Any] = {
        "room_id": int(form.zaal.data or 0),
        "start": start,
        "end": end,
        **form.booking_fields(),
        "on_behalf_of": form.caller(),
    }
    weeks = form.weken.data or 1
    try:
        if weeks > 1:
            unit_of_work(series.create_series)(
                actor, {**data, "rrule": f"FREQ=WEEKLY;COUNT={weeks}", "on_conflict": "fail"}
            )
        else:
            unit_of_work(bookings.create_booking)(actor, data)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(place, form, error.status)
    flash(_("Booked for %(name)s.", name=data["on_behalf_of"]["name"]))
    return redirect(url_for("web.host_page", slug=place.slug), code=303)
