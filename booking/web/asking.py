"""Asking for a slot and deciding on it: the pages that change something.

GET only shows; every change is a POST from a form with a CSRF token, run in one
transaction (`unit_of_work`, as the API's views).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import NotFound as PageNotFound

from booking.errors import Conflict, DomainError, Invalid, NotFound
from booking.models import Booking, Room, Series, utcnow
from booking.models.booking import PENDING
from booking.page_texts import page_message
from booking.ratelimits import (
    mailed_page_link_limits,
)
from booking.services.authorization import Actor
from booking.services.booking import requests_by_mail, series
from booking.services.booking.decision_links import (
    decision_host,
    read_decision,
    request_version,
)
from booking.services.common import get_or_404
from booking.transaction import unit_of_work
from booking.web.forms import AskForm, ConfirmForm, DecisionForm, local_span
from booking.web.session import start_session
from booking.web.views import bp

HOST_SCOPES = frozenset({"read", "book", "manage"})
DEFAULT_MINUTES = 120


def _room_from(text: str) -> Room:
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise PageNotFound()
    return get_or_404(Room, int(text))


def _prefill(form: AskForm) -> None:
    """The slot the button stood for: its date and start, and two hours (or less)."""
    start = _wall_clock(request.args.get("van", ""))
    end = _wall_clock(request.args.get("tot", ""))
    if start is None:
        return
    form.datum.data = start.date()
    form.van.data = start.time()
    if end is None or end <= start:
        end = start + timedelta(minutes=DEFAULT_MINUTES)
    end = min(end, start + timedelta(minutes=DEFAULT_MINUTES))
    form.tot.data = end.time() if end.date() == start.date() else time(23, 59)


def _wall_clock(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:16] + "+0000", "%Y-%m-%dT%H:%M%z").replace(tzinfo=None)
    except ValueError:
        return None


@bp.get("/aanvragen")
def ask() -> str:
    """The form to ask for a slot, filled in with the slot whose button was pressed."""
    room = _room_from(request.args.get("ruimte", ""))
    form = AskForm(ruimte=str(room.id))
    _prefill(form)
    weeks, initiative = request.args.get("weken", ""), request.args.get("initiatief", "")
    if weeks.isascii() and weeks.isdigit() and 1 <= int(weeks) <= requests_by_mail.MAX_WEEKS:
        form.weken.data = int(weeks)
    if initiative.isascii() and initiative.isdigit() and len(initiative) < 10:
        form.initiatief.data = initiative
    return render_template("web/ask.html", form=form, room=room, place=room.place)


def ask_form_again(message: str) -> str:
    """The request form as it was sent, with `message` above it (a refusal before anything
    was kept, such as the e-mail limit)."""
    form = AskForm()
    room = _room_from(form.ruimte.data or "")
    form.validate()
    form.form_errors.append(message)
    return render_template("web/ask.html", form=form, room=room, place=room.place)


@bp.post("/aanvragen")
@mailed_page_link_limits
def send_ask() -> Any:
    """Keep the request and mail its confirmation link; the same answer for every address."""
    form = AskForm()
    room = _room_from(form.ruimte.data or "")
    if not form.validate_on_submit():
        return render_template("web/ask.html", form=form, room=room, place=room.place), 422
    span = local_span(form, room.place.zone, utcnow())
    if span is None:
        return render_template("web/ask.html", form=form, room=room, place=room.place), 422
    start, end = span
    ask = requests_by_mail.SlotAsk(
        room_id=room.id,
        start=start,
        end=end,
        weeks=form.weken.data or 1,
        title=" ".join((form.titel.data or "").split()),
        description=form.beschrijving.data or "",
        expected_attendees=form.personen.data,
        visibility=form.zichtbaarheid.data or "public",
        name=" ".join((form.naam.data or "").split()),
        email=form.email.data or "",
        locale=str(get_locale() or "nl"),
        initiative_id=int(form.initiatief.data) if form.initiatief.data else None,
        free_of_charge={"ja": True, "nee": False}.get(form.gratis.data or ""),
        signup_capacity=form.plekken.data if form.aanmelden.data else None,
        skip_taken=bool(form.bezet_overslaan.data),
    )
    try:
        unit_of_work(requests_by_mail.submit)(ask)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        taken = [
            (date.fromisoformat(item["date"]), item["reason"])
            for item in error.extra.get("taken_dates", [])
        ]
        page = render_template("web/ask.html", form=form, room=room, place=room.place, taken=taken)
        return page, 422
    return redirect(url_for("web.ask_sent"), code=303)


@bp.get("/aanvragen/verstuurd")
def ask_sent() -> str:
    """Check your mail."""
    return render_template("web/ask_sent.html")


@bp.get("/aanvragen/bevestig/<string(maxlength=64):code>")
def confirm_page(code: str) -> Any:
    """What the link would book, and for a weekly request which dates are taken and why; a
    used or expired link says what happened and what to do."""
    try:
        return _confirmation(code)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404


def _confirmation(code: str, **outcome: Any) -> str:
    """The confirmation page of a link, with what a try to book it met (if any)."""
    waiting = requests_by_mail.waiting(code)
    return render_template(
        "web/confirm.html",
        waiting=waiting,
        room=requests_by_mail.room_of(waiting),
        dates=requests_by_mail.preview(waiting),
        form=ConfirmForm(),
        code=code,
        **outcome,
    )


@bp.post("/aanvragen/bevestig/<string(maxlength=64):code>")
def confirm(code: str) -> Any:
    """Book what the link stands for; a conflict shows the alternatives instead."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise BadRequest()
    try:
        placed = unit_of_work(_confirm_and_sign_in)(code, form.rest.data == "1")
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    except Conflict as conflict:
        alternatives = conflict.extra.get("alternatives", [])
        return _confirmation(code, conflict=conflict, alternatives=alternatives), 409
    except Invalid as refused:
        # A rule the request breaks now (notice, opening hours...): say which, and keep
        # the link usable for another try later or elsewhere.
        return _confirmation(code, refused=refused), refused.status
    return render_template("web/confirmed.html", placed=placed)


def _confirm_and_sign_in(code: str, book_the_rest: bool) -> requests_by_mail.Placed:
    """Book what the link stands for, and sign its address in: following the link proved it."""
    placed = requests_by_mail.confirm(code, book_the_rest)
    start_session(placed.account)
    return placed


def _decision_target(token: str) -> tuple[Any, Booking | Series, list[Booking]]:
    """What a host's link decides: nothing pending once decided, or once the request changed
    after the mail (an outdated link shows the page of a decided request)."""
    decision = read_decision(token)
    decision_host(decision)
    target: Booking | Series
    now = utcnow()
    if decision.kind == "booking":
        target = get_or_404(Booking, decision.object_id)
        dates = [target]
    else:
        target = get_or_404(Series, decision.object_id)
        dates = list(target.bookings)
    if request_version([b.sequence for b in dates]) != decision.version:
        return decision, target, []
    return decision, target, [b for b in dates if b.status_at(now) == PENDING]


@bp.get("/beheer/besluit/<string(maxlength=400):token>")
def decision_page(token: str) -> str:
    """A host's approve or decline link: shows the request and asks to confirm."""
    decision, target, pending = _decision_target(token)
    return render_template(
        "web/decision.html",
        decision=decision,
        target=target,
        pending=pending,
        form=DecisionForm(),
        token=token,
    )


@bp.post("/beheer/besluit/<string(maxlength=400):token>")
def decide(token: str) -> Any:
    """Approve or decline, as the host the link was made for, under the API's rules."""
    form = DecisionForm()
    if not form.validate_on_submit():
        raise BadRequest()
    decision, target, pending = _decision_target(token)
    if not pending:
        return redirect(url_for("web.decision_page", token=token), code=303)
    actor = Actor(decision_host(decision), HOST_SCOPES)
    unit_of_work(series.decide_request)(
        actor,
        decision.kind,
        decision.object_id,
        decision.action == "approve",
        form.reden.data or "",
    )
    return render_template("web/decided.html", decision=decision, target=target)
