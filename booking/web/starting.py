"""Starting an initiative on the pages, moving it on, and asking for a suggested weekly slot."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from booking.errors import DomainError
from booking.page_texts import page_message
from booking.services import initiatives, neighbourhoods
from booking.services.booking import linking
from booking.transaction import unit_of_work
from booking.web.forms import InitiativeForm, LinkForm, TransitionForm
from booking.web.session import account_or_sign_in, page_actor
from booking.web.views import bp

MAX_LINKED = 500


@bp.route("/initiatieven/nieuw", methods=["GET", "POST"])
def new_initiative() -> Any:
    """Start an initiative as an idea: what it is, what it needs, when to try it."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = InitiativeForm()
    form.wijk.choices = [("", _("no preference"))] + [
        (str(n.id), n.name) for n in neighbourhoods.list_neighbourhoods(1, MAX_LINKED)[0]
    ]
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("web/new_initiative.html", form=form), status
    needs: dict[str, Any] = {
        "capacity": form.personen.data,
        "duration_minutes": form.duur.data,
        "weekdays": [form.dag.data] if form.dag.data else [],
        "time_of_day": form.dagdeel.data or None,
        "start_time": form.begintijd.data.strftime("%H:%M") if form.begintijd.data else None,
        "step_free": True if form.drempelvrij.data else None,
    }
    data = {
        "title": " ".join((form.titel.data or "").split()),
        "summary": form.samenvatting.data or "",
        "needs": needs,
        "trial_starts_on": form.proef_van.data,
        "trial_ends_on": form.proef_tot.data,
        "neighbourhood_id": int(form.wijk.data) if form.wijk.data else None,
    }
    try:
        created = unit_of_work(initiatives.create_initiative)(page_actor(account), data)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return render_template("web/new_initiative.html", form=form), error.status
    return redirect(url_for("web.initiative_page", initiative_id=created.id), code=303)


def _ids(name: str) -> list[int]:
    values = request.form.getlist(name)
    if len(values) > MAX_LINKED or not all(
        v.isascii() and v.isdigit() and len(v) < 10 for v in values
    ):
        raise BadRequest()
    return [int(v) for v in values]


@bp.post("/initiatieven/<int:initiative_id>/koppelen")
def link_bookings(initiative_id: int) -> Any:
    """Link one's bookings and series made earlier to the initiative."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not LinkForm().validate_on_submit():
        raise BadRequest()
    booking_ids, series_ids = _ids("boeking"), _ids("reeks")
    if booking_ids or series_ids:
        linked = unit_of_work(linking.link_to_initiative)(
            page_actor(account), initiative_id, booking_ids, series_ids
        )
        flash(
            ngettext(
                "Done: %(num)d date is linked to the initiative.",
                "Done: %(num)d dates are linked to the initiative.",
                linked,
            )
        )
    else:
        flash(_("Nothing chosen: tick the bookings to link first."))
    return redirect(url_for("web.initiative_page", initiative_id=initiative_id), code=303)


@bp.post("/initiatieven/<int:initiative_id>/stap")
def move_initiative(initiative_id: int) -> Response:
    """Move one's initiative on (idea, trial, running, ended)."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = TransitionForm()
    if not form.validate_on_submit():
        raise BadRequest()
    ending = form.naar.data == "ended"
    unit_of_work(initiatives.transition)(
        page_actor(account),
        initiative_id,
        form.naar.data or "",
        form.uitkomst.data if ending else None,  # an outcome belongs only to the end
        form.notitie.data or "",
    )
    return redirect(url_for("web.initiative_page", initiative_id=initiative_id), code=303)
