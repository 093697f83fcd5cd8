"""Signing up on the pages (public) and the organiser's list of who comes (backend): the
form on an activity's page, the mailed confirm and cancel links, and the check-in at the
door with its CSV. As pretix splits presale and control, the first three are for anyone,
the last for the organiser and the place's hosts."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from booking.errors import Conflict, DomainError, Forbidden, NotFound
from booking.models import Booking, Signup, utcnow
from booking.page_texts import page_message
from booking.ratelimits import mailed_page_link_limits
from booking.services.common import get_or_404
from booking.services.monitoring.attendance import attendance_of
from booking.services.reports import safe_cell
from booking.services.signups import by_mail, checkin, signing_up
from booking.services.signups.quotas import closes_at, signups_json
from booking.services.signups.waitinglist import position_of
from booking.transaction import unit_of_work
from booking.web.forms import ButtonForm, SignupForm
from booking.web.session import account_or_sign_in, page_actor, signed_in
from booking.web.views import activity_page, bp


def _activity_or_404(booking_id: int) -> Booking:
    booking = get_or_404(Booking, booking_id)
    if booking.visibility != "public":
        raise NotFound(f"Booking {booking_id} does not exist.")
    return booking


def signup_form_page(booking: Booking, form: SignupForm, status: int = 200) -> Any:
    """The activity's own page again, with the sign-up form as it was sent."""
    return activity_page(booking.id, form=form, status=status)


@bp.post("/activiteiten/<int:booking_id>/aanmelden")
@mailed_page_link_limits
def send_signup(booking_id: int) -> Any:
    """Sign up from the activity's page: signed in, at once; otherwise a mailed link
    confirms it (the same answer for every address)."""
    booking = _activity_or_404(booking_id)
    form = SignupForm()
    if not form.validate_on_submit():
        return signup_form_page(booking, form, 422)
    email = (form.email.data or "").strip()
    data: dict[str, Any] = {
        "name": " ".join((form.naam.data or "").split()),
        "email": email,
        "party_size": form.personen.data or 1,
    }
    account = signed_in()
    try:
        if account is not None and account.email.lower() == email.lower():
            signup = unit_of_work(signing_up.sign_up)(page_actor(account), booking.id, data)
            return render_template(
                "web/signed_up.html", signup=signup, position=position_of(signup)
            )
        unit_of_work(by_mail.ask)(booking.id, data, str(get_locale() or "nl"))
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return signup_form_page(booking, form, error.status)
    return redirect(url_for("web.signup_sent"), code=303)


def signup_form_again(message: str) -> Any:
    """The activity's page with the form as sent and `message` above it (a 429)."""
    form = SignupForm()
    form.validate()
    form.form_errors.append(message)
    booking_id = (request.view_args or {}).get("booking_id", 0)
    return signup_form_page(_activity_or_404(int(booking_id)), form, 429)


@bp.get("/aanmelden/verstuurd")
def signup_sent() -> str:
    """Check your mail."""
    return render_template("web/signup_sent.html")


@bp.get("/aanmelden/bevestig/<string(maxlength=64):code>")
def signup_confirm_page(code: str) -> Any:
    """What the link signs up for, with the button that does it (a mail scanner that
    follows the link confirms nothing)."""
    try:
        waiting = by_mail.waiting(code)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    return render_template(
        "web/signup_confirm.html", waiting=waiting, booking=waiting.booking, form=ButtonForm()
    )


@bp.post("/aanmelden/bevestig/<string(maxlength=64):code>")
def signup_confirm(code: str) -> Any:
    """Place the sign-up: "Je bent aangemeld" or its place on the waitlist."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        placed = unit_of_work(by_mail.confirm)(code)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    except (Conflict, DomainError) as refused:
        return render_template("web/signup_refused.html", refused=refused), refused.status
    signup = placed[0]
    return render_template("web/signed_up.html", signup=signup, position=position_of(signup))


@bp.get("/aanmelden/afmelden/<string(maxlength=200):token>")
def signup_cancel_page(token: str) -> Any:
    """The sign-up a mailed cancel link names, with the button that cancels it."""
    try:
        signup = by_mail.of_cancel_link(token)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    return render_template(
        "web/signup_cancel.html", signup=signup, booking=signup.booking, form=ButtonForm()
    )


@bp.post("/aanmelden/afmelden/<string(maxlength=200):token>")
def signup_cancel(token: str) -> Any:
    """Leave the activity; the place goes to the first on the waitlist who fits."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        signup = unit_of_work(by_mail.cancel_by_link)(token)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    except Conflict as refused:
        return render_template("web/signup_refused.html", refused=refused), refused.status
    return render_template("web/signup_cancelled.html", booking=signup.booking)


# The organiser's side.


def _organised(booking_id: int) -> tuple[Any, Booking] | WerkzeugResponse:
    account = account_or_sign_in()
    if isinstance(account, WerkzeugResponse):
        return account
    actor = page_actor(account)
    return actor, signing_up.organised_booking(actor, booking_id)


@bp.get("/activiteiten/<int:booking_id>/deelnemers")
def participants_page(booking_id: int) -> Any:
    """Who is coming and who waits, with party sizes; from the start, the check-in."""
    found = _organised(booking_id)
    if isinstance(found, WerkzeugResponse):
        return found
    actor, booking = found
    signups = signing_up.organiser_list(actor, booking.id)
    if request.args.get("formaat") == "csv":
        return _csv(booking, signups)
    return _participants(booking, signups)


def _participants(booking: Booking, signups: list[Signup], status: int = 200, **extra: Any) -> Any:
    now = utcnow()
    confirmed = [item for item in signups if item.status == "confirmed"]
    waiting = [item for item in signups if item.status == "waitlisted"]
    attendance = attendance_of(booking.id)
    came = sum(item.party_size for item in confirmed if item.checked_in)
    walk_ins = max((attendance.count - came), 0) if attendance is not None else 0
    return (
        render_template(
            "web/participants.html",
            booking=booking,
            confirmed=confirmed,
            waiting=waiting,
            counts=signups_json(booking),
            checkin_open=now >= booking.start,
            promotion_over=now >= closes_at(booking),
            walk_ins=walk_ins,
            form=ButtonForm(),
            **extra,
        ),
        status,
    )


@bp.post("/activiteiten/<int:booking_id>/deelnemers")
def save_checkin(booking_id: int) -> Any:
    """Save the check-in: who came, and the walk-ins; the attendance follows from it."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    found = _organised(booking_id)
    if isinstance(found, WerkzeugResponse):
        return found
    actor, booking = found
    came = {int(item) for item in request.form.getlist("kwam") if item.isdigit()}
    text = (request.form.get("binnengelopen") or "0").strip()
    try:
        if not text.isdigit() or len(text) > 5:
            raise BadRequest()
        unit_of_work(checkin.save_checkin)(actor, booking.id, came, int(text))
    except (Conflict, Forbidden, DomainError) as refused:
        signups = signing_up.organiser_list(actor, booking.id)
        return _participants(booking, signups, refused.status, refused=refused)
    return redirect(url_for("web.participants_page", booking_id=booking.id, opgeslagen=1), 303)


def _csv(booking: Booking, signups: list[Signup]) -> Response:
    """The list as a spreadsheet reads it in the page's language (Dutch: `;`)."""
    dutch = str(get_locale() or "nl") == "nl"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(
        [_("Name"), _("E-mail"), _("How many"), _("Status"), _("Place on the waitlist"), _("Came")]
    )
    for signup in signups:
        writer.writerow(
            [
                safe_cell(signup.name),
                safe_cell(signup.email),
                signup.party_size,
                _("signed up") if signup.status == "confirmed" else _("waitlist"),
                position_of(signup) or "",
                _("yes") if signup.checked_in else "",
            ]
        )
    answer = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    answer.headers["Content-Disposition"] = f'attachment; filename="deelnemers-{booking.id}.csv"'
    answer.headers["Cache-Control"] = "no-store"
    return answer
