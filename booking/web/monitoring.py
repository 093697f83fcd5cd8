"""Monitoring on the pages: "hoe was het?" and complaints for anyone, the one-tap
attendance page from the morning-after mail, and for hosts the report (with its charts,
PDF and spreadsheet), the comments, the complaints, the poster and what the place asks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import NotFound as PageNotFound

from booking.errors import DomainError
from booking.extensions import db, limiter
from booking.models import Account, Booking, Place, utcnow
from booking.page_texts import page_message
from booking.ratelimits import ANONYMOUS_INPUT_SCOPE, anonymous_input_limit
from booking.services import places
from booking.services.authorization import Actor
from booking.services.monitoring import attendance, complaints, feedback
from booking.services.monitoring.impact import Scope, impact_report
from booking.transaction import unit_of_work
from booking.web.forms import (
    AttendanceForm,
    ButtonForm,
    ComplaintForm,
    ComplaintHandleForm,
    FeedbackForm,
    MonitoringForm,
)
from booking.web.hosting import asked_period, hosted
from booking.web.report_downloads import report_context, report_download
from booking.web.report_files import CHARTS, chart_svg, data_uri, report_pdf
from booking.web.spam_guard import AGAIN, BOT, HUMAN, form_stamp, judge
from booking.web.views import bp

LISTED = 200
# The poster's viewBox is A4 in tenths of a millimetre; the QR code fills about half its width.
POSTER_WIDTH, POSTER_QR_SCALE, POSTER_QR_ZOOM = 2100, 10, 2.4


# Anyone: how was it, and a complaint.


def _place(slug: str) -> Place:
    return places.get_place_by_slug(slug)


@bp.route("/plekken/<string(maxlength=80):slug>/hoe-was-het", methods=["GET"])
def feedback_page(slug: str) -> Any:
    """Say how it was, anonymously: five faces and a comment."""
    place = _place(slug)
    if not place.monitoring_settings["feedback"]:
        raise PageNotFound()
    form = FeedbackForm(formdata=None, t=form_stamp())
    chosen = request.args.get("activiteit", "")
    if chosen.isascii() and chosen.isdigit() and len(chosen) < 10:
        form.activiteit.data = chosen
    return render_template("web/feedback.html", place=place, form=form, activity=_activity(form))


def _activity(form: FeedbackForm) -> Booking | None:
    if not form.activiteit.data:
        return None
    booking = db.session.get(Booking, int(form.activiteit.data))
    return booking if booking is not None and booking.visibility == "public" else None


anonymous_input = limiter.shared_limit(anonymous_input_limit, scope=ANONYMOUS_INPUT_SCOPE)


def feedback_form_again(message: str, status: int = 422) -> tuple[str, int]:
    """The feedback form as it was sent (the face and the comment), with `message` above it
    and a fresh stamp: nothing typed is lost."""
    place = _place(str((request.view_args or {}).get("slug", "")))
    form = FeedbackForm()
    form.validate()
    form.form_errors.append(message)
    form.t.data = form_stamp()
    page = render_template("web/feedback.html", place=place, form=form, activity=_activity(form))
    return page, status


def complaint_form_again(message: str, status: int = 422) -> tuple[str, int]:
    """The complaint form as it was sent, with `message` above it and a fresh stamp."""
    place = _place(str((request.view_args or {}).get("slug", "")))
    form = ComplaintForm()
    form.validate()
    form.form_errors.append(message)
    form.t.data = form_stamp()
    return render_template("web/complaint.html", place=place, form=form), status


@bp.post("/plekken/<string(maxlength=80):slug>/hoe-was-het")
@anonymous_input
def give_feedback(slug: str) -> Any:
    """Keep the answer; a post too quick or stale is shown again to send once more, and one
    the spam guard takes for a bot is thanked and not kept."""
    place = _place(slug)
    if not place.monitoring_settings["feedback"]:
        raise PageNotFound()
    form = FeedbackForm()
    if not form.validate_on_submit():
        form.t.data = form_stamp()
        page = render_template(
            "web/feedback.html", place=place, form=form, activity=_activity(form)
        )
        return page, 422
    verdict = judge(form.website.data, form.t.data)
    if verdict.kind == AGAIN:
        return feedback_form_again(_("Send it once more, please."))
    if verdict.kind == HUMAN:
        data = {
            "score": int(form.score.data or 0),
            "comment": form.opmerking.data or "",
            "booking_id": int(form.activiteit.data) if _activity(form) else None,
        }
        try:
            unit_of_work(feedback.give_feedback)(place.id, data, form_nonce=verdict.nonce)
        except DomainError as error:
            form.form_errors.append(page_message(error))
            return render_template("web/feedback.html", place=place, form=form, activity=None), 422
    return render_template("web/feedback_thanks.html", place=place)


@bp.route("/plekken/<string(maxlength=80):slug>/klacht", methods=["GET"])
def complaint_page(slug: str) -> Any:
    """File a complaint or a suggestion about a place."""
    place = _place(slug)
    return render_template(
        "web/complaint.html", place=place, form=ComplaintForm(formdata=None, t=form_stamp())
    )


@bp.post("/plekken/<string(maxlength=80):slug>/klacht")
@anonymous_input
def file_complaint(slug: str) -> Any:
    """Keep the complaint and tell the hosts; the page says when an answer is due."""
    place = _place(slug)
    form = ComplaintForm()
    if not form.validate_on_submit():
        form.t.data = form_stamp()
        return render_template("web/complaint.html", place=place, form=form), 422
    verdict = judge(form.website.data, form.t.data)
    if verdict.kind == AGAIN:
        return complaint_form_again(_("Send it once more, please."))
    if verdict.kind == BOT:
        return render_template("web/complaint_received.html", place=place, complaint=None)
    data = {
        "kind": form.soort.data,
        "text": form.tekst.data or "",
        "name": form.naam.data or None,
        "email": form.email.data or None,
    }
    try:
        filed = unit_of_work(complaints.file_complaint)(
            place.id, data, str(get_locale() or "nl"), form_nonce=verdict.nonce
        )
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return render_template("web/complaint.html", place=place, form=form), error.status
    return render_template("web/complaint_received.html", place=place, complaint=filed)


# The morning-after link: no sign-in, the signed link says who it was sent to.


@bp.route("/aanwezig/<string(maxlength=300):token>", methods=["GET", "POST"])
def attendance_page(token: str) -> Any:
    """How many came: one number, from the link in the morning-after mail."""
    try:
        booking, _account = attendance.booking_of_link(token)
    except DomainError as error:
        return render_template("web/link_spent.html", spent=error), 404
    recorded = attendance.attendance_of(booking.id)
    form = AttendanceForm()
    if request.method == "GET":
        if recorded is not None:
            form.aantal.data, form.eerste_keer.data = recorded.count, recorded.first_time
            form.notitie.data = recorded.note
        # Two hosts with the same link see who entered the figure, and when.
        by = db.session.get(Account, recorded.recorded_by_id) if recorded else None
        return render_template(
            "web/attendance.html",
            booking=booking,
            form=form,
            done=None,
            recorded=recorded,
            recorded_by=by.name if by is not None and by.erased_at is None else _("someone"),
        )
    if not form.validate_on_submit():
        return render_template("web/attendance.html", booking=booking, form=form, done=None), 422
    data = {
        "count": form.aantal.data,
        "first_time": form.eerste_keer.data,
        "note": form.notitie.data or "",
    }
    try:
        done = unit_of_work(attendance.record_by_link)(token, data)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return render_template("web/attendance.html", booking=booking, form=form, done=None), 422
    return render_template("web/attendance.html", booking=booking, form=form, done=done)


# Hosts: what the place asks, the report, the comments, the complaints, the poster.


@bp.post("/beheer/<string(maxlength=80):slug>/meten")
@hosted
def host_monitoring(actor: Actor, place: Place) -> Any:
    """Choose what the place asks: attendance after activities, and anonymous feedback."""
    form = MonitoringForm()
    if not form.validate_on_submit():
        raise BadRequest()
    unit_of_work(places.update_place)(
        actor,
        place.id,
        {
            "monitoring": {
                "attendance": form.aanwezigheid.data,
                "feedback": bool(form.feedback.data),
            }
        },
    )
    flash(_("Saved: what %(place)s asks.", place=place.name))
    return redirect(url_for("web.host_report", slug=place.slug), code=303)


def _period() -> tuple[date, date]:
    """By default the last twelve months up to today (from the first of a month)."""
    today = utcnow().date()
    start = today.replace(day=1)
    for _month in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return asked_period((start, today))


def _report(place: Place) -> Any:
    first, last = _period()
    return impact_report(Scope(place_ids=(place.id,)), first, last)


@bp.get("/beheer/<string(maxlength=80):slug>/rapport")
@hosted
def host_report(_actor: Actor, place: Place) -> Any:
    """The report a funder reads at a glance; `?formaat=pdf` or `xlsx` downloads it."""
    try:
        report = _report(place)
    except DomainError as error:
        flash(page_message(error))
        return redirect(url_for("web.host_report", slug=place.slug), code=303)
    if request.args.get("formaat") in ("pdf", "xlsx"):
        name = f"rapport-{place.slug}-{report.first:%Y%m%d}-{report.last:%Y%m%d}"
        return report_download(report, request.args["formaat"], name)
    settings = place.monitoring_settings
    form = MonitoringForm(
        formdata=None, aanwezigheid=settings["attendance"], feedback=settings["feedback"]
    )
    return render_template(
        "web/report.html", place=place, monitoring_form=form, **report_context(report)
    )


@bp.get("/beheer/<string(maxlength=80):slug>/rapport/<any(" + ",".join(CHARTS) + "):chart>.svg")
@hosted
def host_report_chart(_actor: Actor, place: Place, chart: str) -> Any:
    """One chart of the report as an SVG image."""
    svg = chart_svg(_report(place), chart)
    response = current_app.response_class(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/beheer/<string(maxlength=80):slug>/reacties")
@hosted
def host_feedback(actor: Actor, place: Place) -> Any:
    """What people said, newest first; abusive comments can be hidden."""
    items, total = feedback.list_feedback(actor, place.id, 1, LISTED)
    return render_template(
        "web/host_feedback.html", place=place, items=items, total=total, form=ButtonForm()
    )


@bp.post("/beheer/<string(maxlength=80):slug>/reacties/<int:feedback_id>/<any(verberg, toon):what>")
@hosted
def host_hide_feedback(actor: Actor, place: Place, feedback_id: int, what: str) -> Any:
    """Hide a comment, or show it again."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    unit_of_work(feedback.hide_feedback)(actor, feedback_id, what == "verberg")
    flash(
        _("Done: the comment is hidden.")
        if what == "verberg"
        else _("Done: the comment shows again.")
    )
    return redirect(url_for("web.host_feedback", slug=place.slug), code=303)


@bp.get("/beheer/<string(maxlength=80):slug>/klachten")
@hosted
def host_complaints(actor: Actor, place: Place) -> Any:
    """Complaints and suggestions, open ones first, each with its term."""
    items, total = complaints.list_complaints(actor, place.id, 1, LISTED)
    return render_template(
        "web/host_complaints.html",
        place=place,
        items=items,
        total=total,
        form=ComplaintHandleForm(formdata=None),
        now=utcnow(),
    )


@bp.post("/beheer/<string(maxlength=80):slug>/klachten/<int:complaint_id>")
@hosted
def host_handle_complaint(actor: Actor, place: Place, complaint_id: int) -> Any:
    """Move a complaint on: in progress, or handled with the answer the sender is mailed."""
    form = ComplaintHandleForm()
    if not form.validate_on_submit():
        raise BadRequest()
    try:
        unit_of_work(complaints.update_complaint)(
            actor, complaint_id, {"status": form.status.data, "answer": form.antwoord.data or ""}
        )
    except DomainError as error:
        flash(page_message(error))
    else:
        flash(_("Done: the complaint is updated."))
    return redirect(url_for("web.host_complaints", slug=place.slug), code=303)


def poster_svg(place: Place, url: str) -> str:
    """An A4 poster: the question, the place's name and a QR code to its feedback page."""
    qr = segno.make(url, error="m")
    width, _height = qr.symbol_size(scale=POSTER_QR_SCALE)
    code = qr.svg_inline(scale=POSTER_QR_SCALE, dark="#0b5d3b", omitsize=False)
    left = (POSTER_WIDTH - width * POSTER_QR_ZOOM) / 2
    return render_template(
        "web/poster.svg", place=place, url=url, qr=code, left=left, zoom=POSTER_QR_ZOOM
    )


@bp.get("/beheer/<string(maxlength=80):slug>/poster")
@hosted
def host_poster(_actor: Actor, place: Place) -> Any:
    """The A4 poster with a QR code to "hoe was het?" (SVG; `?formaat=pdf` for print)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    url = f"{base}{url_for('web.feedback_page', slug=place.slug)}"
    svg = poster_svg(place, url)
    if request.args.get("formaat") == "pdf":
        html = (
            '<html><head><style>@page { size: A4; margin: 0 }</style></head><body style="margin:0">'
            f'<img src="{data_uri(svg)}" style="width:210mm;height:297mm"></body></html>'
        )
        return current_app.response_class(
            report_pdf(html),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="poster-{place.slug}.pdf"'},
        )
    return current_app.response_class(svg, mimetype="image/svg+xml")
