"""Signing in by e-mail link, and one's own bookings, initiatives and calendar link."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from booking.delivery.mail import UNCAPPED
from booking.errors import DomainError
from booking.extensions import limiter
from booking.feeds.links import subscribe_links
from booking.feeds.render import FeedInfo, render_feed
from booking.feeds.sources import involved_event
from booking.models import Account, Booking, utcnow
from booking.models.booking import CONFIRMED, PENDING
from booking.page_texts import page_message
from booking.ratelimits import (
    CODE_REDEMPTION_SCOPE,
    email_link_limit,
    mailed_page_link_limits,
)
from booking.services import accounts, feed_tokens, initiatives, sign_in
from booking.services.authorization import Actor
from booking.services.booking import bookings, series
from booking.services.booking.booking_access import BookingFilter
from booking.services.privacy import erasure, export
from booking.services.sessions import end_all_sessions
from booking.transaction import unit_of_work
from booking.web.formatting import format_span
from booking.web.forms import (
    ButtonForm,
    CancelForm,
    MailSettingForm,
    MoveForm,
    NameForm,
    SeriesCancelForm,
    SignInForm,
    local_span,
)
from booking.web.session import (
    account_or_sign_in,
    end_session,
    page_actor,
    start_session,
)
from booking.web.views import bp

MAX_OWN = 100


@bp.get("/inloggen")
def sign_in_page() -> str:
    """Sign in with only an e-mail address: a link arrives by mail."""
    return render_template("web/sign_in.html", form=SignInForm())


@bp.post("/inloggen")
@mailed_page_link_limits
def send_sign_in() -> Any:
    """Mail a sign-in link; the same answer whether or not the address has an account."""
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("web/sign_in.html", form=form), 422
    unit_of_work(sign_in.request_link)(form.email.data or "")
    return redirect(url_for("web.sign_in_sent"), code=303)


@bp.get("/inloggen/verstuurd")
def sign_in_sent() -> str:
    """Check your mail."""
    return render_template("web/sign_in_sent.html")


@bp.get("/inloggen/code/<string(maxlength=20):code>")
def sign_in_link(code: str) -> str:
    """The link from the mail: one button signs in (a GET changes nothing)."""
    return render_template("web/sign_in_link.html", form=ButtonForm(), code=code)


@bp.post("/inloggen/code/<string(maxlength=20):code>")
@limiter.shared_limit(email_link_limit, scope=CODE_REDEMPTION_SCOPE)
def sign_in_with_code(code: str) -> Any:
    """Use the code once and start a fresh session for its account."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(_claim_and_start)(code)
    return redirect(url_for("web.mine"), code=303)


def _claim_and_start(code: str) -> None:
    start_session(sign_in.claim(code))


@bp.post("/uitloggen")
def sign_out() -> Response:
    """End this session, here and on the server."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(end_session)()
    return redirect(url_for("web.home"), code=303)


@bp.post("/mijn/overal-uitloggen")
def sign_out_everywhere() -> Any:
    """End every session of the account, on every device and browser."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(end_all_sessions)(account.id)
    end_session()
    return redirect(url_for("web.home"), code=303)


@bp.get("/mijn")
def mine() -> Any:
    """One's coming bookings and requests, initiatives, calendar links and hosted places."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    return _mine_page(account)


def _mine_page(
    account: Account,
    series_form: tuple[int, SeriesCancelForm] | None = None,
    status: int = 200,
    name_form: NameForm | None = None,
) -> Any:
    """/mijn; `series_form` is one series' cancel form as sent, `name_form` the name as
    typed, with their errors."""
    actor = page_actor(account)
    now = utcnow()
    own, _total = bookings.list_bookings(
        actor,
        BookingFilter(mine=True, from_=now, status=(PENDING, CONFIRMED)),
        1,
        MAX_OWN,
        now,
    )
    singles, in_series = _grouped([b for b in own if isinstance(b, Booking)])
    started = initiatives.list_initiatives(
        initiatives.InitiativeFilter(initiator=(account.id,)), 1, MAX_OWN
    )[0]
    sent_id, sent_form = series_form or (None, None)
    return render_template(
        "web/mine.html",
        account=account,
        bookings=singles,
        series_cards=[
            (dates, _series_cancel_form(dates, sent_form if series_id == sent_id else None))
            for series_id, dates in in_series.items()
        ],
        initiatives=started,
        feeds=feed_tokens.list_feed_tokens(actor),
        hosted=[host.place for host in account.hosted],
        invitations=initiatives.invitations(account),
        mail_form=MailSettingForm(mails=account.email_notifications),
        name_form=name_form or NameForm(formdata=None, naam=account.name),
        form=ButtonForm(),
        cancel_form=CancelForm(),
        new_feed=None,
    ), status


def _grouped(own: list[Booking]) -> tuple[list[Booking], dict[int, list[Booking]]]:
    """Single bookings, and the coming dates of each series (a series is one card)."""
    singles: list[Booking] = []
    in_series: dict[int, list[Booking]] = {}
    for booking in own:
        if booking.series_id is None:
            singles.append(booking)
        else:
            in_series.setdefault(booking.series_id, []).append(booking)
    return singles, in_series


def _series_cancel_form(
    dates: list[Booking], sent: SeriesCancelForm | None = None
) -> SeriesCancelForm:
    """The series' cancel form; "from which date" starts empty, so that no button means
    "everything" by default."""
    form = sent or SeriesCancelForm(formdata=None)
    form.vanaf.choices = [("", _("Choose a date"))] + [
        (str(booking.id), format_span(booking.start, booking.end, booking.zone))
        for booking in dates
    ]
    return form


@bp.post("/mijn/reeksen/<int:series_id>/annuleren")
def cancel_series(series_id: int) -> Any:
    """Cancel one's series: this date and all after it, or every coming date."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = SeriesCancelForm()
    actor = page_actor(account)
    found = series.get_series(actor, series_id)
    if not form.validate_on_submit() or found.booked_by_id != account.id:
        raise BadRequest()
    from_ = None
    if form.wat.data == "volgende":
        chosen = next((b for b in found.bookings if str(b.id) == form.vanaf.data), None)
        if chosen is None:
            form.vanaf.errors = [_("Choose the first date to cancel.")]
            return _mine_page(account, (series_id, form), 422)
        from_ = chosen.start
    _found, cancelled = unit_of_work(series.cancel_series)(
        actor, series_id, from_, form.reden.data or ""
    )
    flash(
        ngettext(
            "Done: %(num)d date is cancelled. The hosts get a message.",
            "Done: %(num)d dates are cancelled. The hosts get a message.",
            len(cancelled),
        )
    )
    return redirect(url_for("web.mine"), code=303)


@bp.post("/mijn/boekingen/<int:booking_id>/annuleren")
def cancel(booking_id: int) -> Any:
    """Cancel one's booking, with a reason for the hosts."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = CancelForm()
    if not form.validate_on_submit():
        raise BadRequest()
    unit_of_work(bookings.cancel_booking)(page_actor(account), booking_id, form.reden.data or "")
    flash(_("Done: the booking is cancelled. The hosts get a message."))
    return redirect(url_for("web.mine"), code=303)


@bp.route("/mijn/boekingen/<int:booking_id>/verplaatsen", methods=["GET", "POST"])
def move(booking_id: int) -> Any:
    """Move one's booking to another time, under the same rules as a new one."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    actor = page_actor(account)
    booking = bookings.get_booking(actor, booking_id)
    if not isinstance(booking, Booking) or booking.booked_by_id != account.id:
        raise BadRequest()
    zone = booking.zone
    form = MoveForm()
    if request.method == "GET":
        local_start, local_end = booking.start.astimezone(zone), booking.end.astimezone(zone)
        form.datum.data, form.van.data, form.tot.data = (
            local_start.date(),
            local_start.time(),
            local_end.time(),
        )
        return _move_page(form, actor, booking)
    if not form.validate_on_submit():
        return _move_page(form, actor, booking, 422)
    span = local_span(form, zone, utcnow())
    if span is None:
        return _move_page(form, actor, booking, 422)
    start, end = span
    try:
        moved = unit_of_work(bookings.update_booking)(
            actor, booking_id, {"start": start, "end": end}
        )
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _move_page(form, actor, booking, error.status)
    if moved.status == PENDING:
        flash(_("Done: the booking is moved. It waits for the hosts to approve the new time."))
    else:
        flash(_("Done: the booking is moved."))
    return redirect(url_for("web.mine"), code=303)


def _move_page(form: MoveForm, actor: Actor, booking: Booking, status: int = 200) -> Any:
    """The move form, saying first when the new time needs the hosts' approval again."""
    needs_approval = bookings.move_needs_approval(actor, booking)
    page = render_template(
        "web/move.html", form=form, booking=booking, needs_approval=needs_approval
    )
    return page, status


@bp.post("/mijn/partnerschap/<int:initiative_id>/<any(ja, nee):answer>")
def answer_partnership(initiative_id: int, answer: str) -> Any:
    """Accept or decline being a partner of an initiative."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(initiatives.answer_partnership)(page_actor(account), initiative_id, answer == "ja")
    return redirect(url_for("web.mine"), code=303)


@bp.get("/mijn/boekingen/<int:booking_id>.ics")
def booking_calendar(booking_id: int) -> Any:
    """One's booking (with every date of its series) as a calendar file, as mails carry it."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    booking = bookings.get_booking(page_actor(account), booking_id)
    if not isinstance(booking, Booking) or booking.booked_by_id != account.id:
        raise BadRequest()
    now = utcnow()
    dates = list(booking.series.bookings) if booking.series is not None else [booking]
    body = render_feed(
        FeedInfo(name=booking.title, timezone=booking.place.timezone),
        [involved_event(date, now, host_view=False) for date in dates],
        max_bytes=UNCAPPED,
    )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="wijkruimte.ics"'
    return response


@bp.post("/mijn/mails")
def mail_setting() -> Any:
    """Turn mails about bookings on or off."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = MailSettingForm()
    if not form.validate_on_submit():
        raise BadRequest()
    unit_of_work(accounts.change_own_account)(
        page_actor(account), {"email_notifications": bool(form.mails.data)}
    )
    return redirect(url_for("web.mine"), code=303)


@bp.post("/mijn/naam")
def change_name() -> Any:
    """Change one's name, as the hosts see it on bookings."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    form = NameForm()
    if not form.validate_on_submit():
        return _mine_page(account, status=422, name_form=form)
    name = " ".join((form.naam.data or "").split())
    unit_of_work(accounts.change_own_account)(page_actor(account), {"name": name})
    flash(_("Saved: your name is now %(name)s.", name=name))
    return redirect(url_for("web.mine"), code=303)


@bp.get("/mijn/gegevens")
def my_data() -> Any:
    """Everything kept about you, as one JSON file to download (the API's export)."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    document = export.personal_export(page_actor(account))
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-wijkruimte.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/mijn/gegevens/lezen")
def my_data_page() -> Any:
    """The same data as the download, in words and local times, to read or print."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    document = export.personal_export(page_actor(account))
    page = render_template("web/my_data.html", data=document)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/mijn/verwijderen")
def erase_page() -> Any:
    """What erasing your account does, and what must be handed over first."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    return render_template(
        "web/erase.html", needed=erasure.handover_needed(account), form=ButtonForm()
    )


@bp.post("/mijn/verwijderen")
def erase_account() -> Any:
    """Erase your account, then you are signed out everywhere."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    needed = erasure.handover_needed(account)
    if needed["places"] or needed["initiatives"]:
        return render_template("web/erase.html", needed=needed, form=ButtonForm()), 409
    unit_of_work(erasure.erase)(account)
    end_session()
    return render_template("web/erased.html")


@bp.post("/mijn/agenda")
def new_feed() -> Any:
    """Make a private calendar link; it is shown this once."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    actor = page_actor(account)
    _token, raw = unit_of_work(feed_tokens.create_feed_token)(actor, "Wijkruimte-site")
    return render_template(
        "web/new_feed.html",
        feeds=subscribe_links(f"/feeds/private/{raw}.ics", account.name),
    )


@bp.post("/mijn/agenda/<int:token_id>/intrekken")
def revoke_feed(token_id: int) -> Any:
    """Revoke a private calendar link; its URL stops working."""
    account = account_or_sign_in()
    if isinstance(account, Response):
        return account
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(feed_tokens.revoke_feed_token)(page_actor(account), token_id)
    return redirect(url_for("web.mine"), code=303)
