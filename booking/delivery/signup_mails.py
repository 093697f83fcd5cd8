"""The mails of sign-ups (DESIGN §15): the confirm link, the confirmation or waitlist place,
the promotion, the reminder the day before, and, for everyone signed up, the move or the
cancellation of the activity. Each carries the cancel link; each that puts the activity in an
agenda carries it with the activity's own UID and SEQUENCE, the feeds' own."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from booking.delivery.content import MailContent
from booking.extensions import db
from booking.i18n import when
from booking.models import Account, Booking, Signup
from booking.models.outbox import SIGNUP_LINK, SIGNUP_PLACED, SIGNUP_PROMOTED, SIGNUP_REMINDER
from booking.models.signup import ACTIVE_SIGNUPS, CONFIRMED
from booking.services.privacy.sealing import MAILED_CODES, unseal
from booking.services.signups.by_mail import cancel_token
from booking.services.signups.waitinglist import position_of

# The reason a participant is mailed (a recipient's `reason`).
PARTICIPANT = "participant"
# Activity events every participant hears of, with the calendar file.
ACTIVITY_CHANGES = ("booking.moved", "booking.cancelled", "series.cancelled")


def signups_of(payload: dict[str, Any]) -> list[Signup]:
    """The sign-ups an event is about, in order (those erased or gone are left out)."""
    ids = [int(item) for item in payload.get("signup_ids", [])]
    found = {
        signup.id: signup
        for signup in db.session.scalars(select(Signup).where(Signup.id.in_(ids)))
        if signup.email
    }
    return [found[item] for item in ids if item in found]


def participants(payload: dict[str, Any]) -> list[tuple[str, int | None, str]]:
    """Everyone signed up (confirmed or waiting) for the bookings an activity event is
    about: (address, account, language)."""
    ids = [int(payload["booking_id"])] if "booking_id" in payload else []
    ids += [int(item["booking_id"]) for item in payload.get("occurrences", [])]
    found = db.session.scalars(
        select(Signup)
        .where(Signup.booking_id.in_(ids), Signup.status.in_(ACTIVE_SIGNUPS))
        .order_by(Signup.id)
    )
    return [(signup.email, signup.account_id, _locale(signup)) for signup in found if signup.email]


def recipient_of(payload: dict[str, Any]) -> tuple[str, int | None, str] | None:
    """The one address a sign-up mail goes to."""
    signups = signups_of(payload)
    if not signups:
        return None
    first = signups[0]
    return first.email, first.account_id, _locale(first)


def _locale(signup: Signup) -> str:
    account = db.session.get(Account, signup.account_id) if signup.account_id else None
    return account.locale if account else signup.locale


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"])


def cancel_link(signup: Signup) -> tuple[str, str]:
    """The button that cancels a sign-up without signing in."""
    return _("Cancel my sign-up"), f"{_base_url()}/aanmelden/afmelden/{cancel_token(signup)}"


def _details(booking: Booking, locale: str, party: int) -> list[tuple[str, str]]:
    zone = booking.zone
    details = [
        (_("What"), booking.title),
        (_("When"), when(booking.start, booking.end, zone, locale)),
        (_("Where"), f"{booking.room.name}, {booking.place.name}"),
    ]
    if party > 1:
        details.append((_("How many"), str(party)))
    return details


def compose_signup_mail(kind: str, payload: dict[str, Any], locale: str) -> MailContent:
    """One sign-up mail, in the current language."""
    signups = signups_of(payload)
    if not signups:
        raise ValueError("the sign-up of this mail is gone")
    first = signups[0]
    booking = first.booking
    details = _details(booking, locale, first.party_size)
    dates = (
        [when(item.booking.start, item.booking.end, booking.zone, locale) for item in signups]
        if len(signups) > 1
        else []
    )
    if kind == SIGNUP_LINK:
        code = unseal(MAILED_CODES, str(payload.get("code_sealed") or ""))
        return MailContent(
            subject=_("Confirm your sign-up: %(title)s", title=booking.title),
            lines=[
                _(
                    "Follow the link to confirm your sign-up. It works once, for 24 hours. "
                    "No place is held until you confirm."
                )
            ],
            details=details,
            links=[(_("Confirm my sign-up"), f"{_base_url()}/aanmelden/bevestig/{code}")],
            why=_(
                "You receive this mail because someone signed up for an activity with this "
                "address. If that was not you, ignore it: nothing happens without the link."
            ),
            greeting=first.name,
        )
    why = _("You receive this mail because you signed up for this activity.")
    if kind == SIGNUP_PROMOTED:
        subject = _("A place for you: %(title)s", title=booking.title)
        lines = [
            _("A place came free and it is yours: you are signed up now."),
            _(
                "The calendar file adds it to your agenda. Can you not come? Cancel, so "
                "someone else can."
            ),
        ]
    elif kind == SIGNUP_REMINDER:
        subject = _("Tomorrow: %(title)s", title=booking.title)
        lines = [
            _("A reminder: you are signed up for this activity tomorrow."),
            _("Can you not come? Cancel, so someone else can have your place."),
        ]
    elif first.status == CONFIRMED:
        subject = _("You are signed up: %(title)s", title=booking.title)
        lines = [_("You are signed up. The calendar file adds it to your agenda.")]
    else:
        position = position_of(first) or 1
        subject = _("On the waitlist: %(title)s", title=booking.title)
        lines = [
            _("The activity is full. You are number %(num)d on the waitlist.", num=position),
            _("When a place comes free it is yours at once, and we mail you."),
        ]
    return MailContent(
        subject=subject,
        lines=lines,
        details=details,
        items=dates,
        links=[cancel_link(first)],
        why=why,
        greeting=first.name,
    )


def compose_participant_mail(kind: str, payload: dict[str, Any], locale: str) -> MailContent:
    """What someone signed up hears when the activity moves or is cancelled."""
    booking = db.session.get(Booking, int(payload.get("booking_id") or 0))
    title = str(payload.get("title", ""))
    why = _("You receive this mail because you signed up for this activity.")
    if kind == "booking.moved" and booking is not None:
        return MailContent(
            subject=_("Moved: %(title)s", title=title),
            lines=[
                _(
                    "The activity you signed up for has a new time. You keep your place; the "
                    "calendar file updates your agenda."
                )
            ],
            details=_details(booking, locale, 1),
            why=why,
        )
    return MailContent(
        subject=_("Cancelled: %(title)s", title=title),
        lines=[
            _(
                "The activity you signed up for is cancelled. The calendar file takes it out "
                "of your agenda."
            )
        ],
        why=why,
    )


SIGNUP_KINDS = (SIGNUP_LINK, SIGNUP_PLACED, SIGNUP_PROMOTED, SIGNUP_REMINDER)
