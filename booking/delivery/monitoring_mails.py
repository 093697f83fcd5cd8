"""The mails of monitoring: the morning-after question "how many came?", and a complaint's
receipt, reminder, escalation and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask import current_app
from flask_babel import gettext as _

from booking.delivery.content import MailContent
from booking.delivery.recipients import FILER, ORGANISATION, Recipient
from booking.extensions import db
from booking.i18n import when_of
from booking.models import Complaint, Place
from booking.services.monitoring.attendance import ATTENDANCE_ASKED, attendance_token
from booking.services.monitoring.complaints import (
    COMPLAINT_ANSWERED,
    COMPLAINT_ESCALATED,
    COMPLAINT_RECEIVED,
    COMPLAINT_REMINDER,
)


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def _day(moment: datetime, place: Place, locale: str) -> str:
    """A date as people write it, in the place's time: "19 januari 2027"."""
    return format_date(moment.astimezone(place.zone), "d MMMM y", locale=locale)


def _kind(complaint: Complaint) -> str:
    return _("complaint") if complaint.kind == "complaint" else _("suggestion")


def monitoring_mail(
    kind: str, payload: dict[str, Any], recipient: Recipient, place: Place, locale: str
) -> MailContent:
    """The content of one monitoring mail."""
    if kind == ATTENDANCE_ASKED:
        link = f"{_base_url()}/aanwezig/" + attendance_token(
            int(payload["booking_id"]), int(recipient.account_id or 0)
        )
        return MailContent(
            subject=_("How many people came? %(title)s", title=payload["title"]),
            lines=[
                _(
                    "Yesterday %(title)s took place at %(place)s. How many people came? One "
                    "tap on the link and a number is enough; no sign-in is needed.",
                    title=payload["title"],
                    place=place.name,
                ),
                _("The number helps keep the place going: funders ask how many people it reaches."),
            ],
            details=[(_("When"), when_of(payload, place.zone, locale))],
            links=[(_("Fill in how many came"), link)],
            why=_(
                "You receive this mail because %(place)s asks for the number of visitors after "
                "an activity. The hosts can turn this off.",
                place=place.name,
            ),
        )
    complaint = db.session.get(Complaint, payload["complaint_id"])
    if complaint is None:  # gone (the place was removed): nothing sensible to say
        return MailContent(subject=_("A complaint about %(place)s", place=place.name), lines=[])
    details = [
        (_("Reference number"), f"#{complaint.id}"),
        (_("Kind"), _kind(complaint)),
        (_("Received"), _day(complaint.received_at, place, locale)),
    ]
    manage = f"{_base_url()}/beheer/{place.slug}/klachten"
    if kind == COMPLAINT_RECEIVED and recipient.reason == FILER:
        return MailContent(
            subject=_(
                "We received your %(kind)s about %(place)s", kind=_kind(complaint), place=place.name
            ),
            lines=[
                _(
                    "Thank you. The hosts of %(place)s have your message. You get an answer "
                    "within six weeks, before %(day)s.",
                    place=place.name,
                    day=_day(complaint.due_at, place, locale),
                )
            ],
            # Not the text: anyone can leave any address, and this mail would carry up to
            # 4,000 chosen characters to it. The number and the date say what it is about.
            details=[*details, (_("Answer before"), _day(complaint.due_at, place, locale))],
            why=_("You receive this mail because you left this address with your message."),
            greeting=complaint.name or "",
        )
    if kind == COMPLAINT_ANSWERED:
        return MailContent(
            subject=_(
                "Answer to your %(kind)s about %(place)s", kind=_kind(complaint), place=place.name
            ),
            lines=[_("The hosts of %(place)s answer:", place=place.name), complaint.answer],
            details=details,
            items=[complaint.text],
            why=_("You receive this mail because you left this address with your message."),
            greeting=complaint.name or "",
        )
    why = (
        _("You receive this mail as the organisation's contact for complaints.")
        if recipient.reason == ORGANISATION
        else _("You receive this mail because you are a host of %(place)s.", place=place.name)
    )
    if kind == COMPLAINT_REMINDER:
        subject = _(
            "Reminder: a %(kind)s about %(place)s waits", kind=_kind(complaint), place=place.name
        )
        lines = [
            _(
                "This message came in four weeks ago and has no answer yet. The term ends on "
                "%(day)s.",
                day=_day(complaint.due_at, place, locale),
            )
        ]
    elif kind == COMPLAINT_ESCALATED:
        subject = _("Overdue: a %(kind)s about %(place)s", kind=_kind(complaint), place=place.name)
        lines = [
            _(
                "The six weeks to answer this message have passed without an answer. Please "
                "see that it is handled."
            )
        ]
    else:
        subject = _("New %(kind)s about %(place)s", kind=_kind(complaint), place=place.name)
        lines = [
            _(
                "Someone sent this message about %(place)s. Answer it within six weeks.",
                place=place.name,
            )
        ]
    if complaint.name:
        details.append((_("From"), complaint.name))
    if complaint.email:
        details.append((_("Answer to"), complaint.email))
    return MailContent(
        subject=subject,
        lines=lines,
        details=details,
        items=[complaint.text],
        links=[(_("Handle it on the host page"), manage)],
        why=why,
    )
