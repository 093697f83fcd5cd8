"""What a mail says: a subject, a few lines, the details, and why the recipient gets it.

Texts are English in the code and Dutch in the catalogue; the caller picks the language
(`force_locale`). The times and titles come from the event, as they were when it happened.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from booking.delivery.content import MailContent
from booking.delivery.monitoring_mails import monitoring_mail
from booking.delivery.recipients import (
    ASKER,
    BOOKER,
    CALLER,
    HOST,
    MONITORING_MAILS,
    Recipient,
    caller_of,
)
from booking.delivery.signup_mails import (
    PARTICIPANT,
    SIGNUP_KINDS,
    compose_participant_mail,
    compose_signup_mail,
)
from booking.extensions import db
from booking.i18n import when_of
from booking.models import Account, Initiative, Place, Room
from booking.models.outbox import (
    ACCOUNT_ERASED,
    PARTNER_INVITED,
    PRIVACY_INACTIVE_WARNING,
    SIGN_IN_LINK,
    WEB_REQUEST_LINK,
    WEBHOOK_DISABLED,
)
from booking.services.booking.decision_links import Decision, decision_token, request_version
from booking.services.host_invitations import HOST_INVITED
from booking.services.outbox.events import (
    AFFECTED_BY_CHANGE,
    BY_BOOKER,
    BY_CLOSURE,
    CHANGED_BY_HOST,
)
from booking.services.places import HOST_ADDED
from booking.services.privacy.sealing import MAILED_CODES, unseal


def _why(recipient: Recipient, place: Place | None) -> str:
    if recipient.reason == HOST and place is not None:
        return _(
            "You receive this mail because you are a host of %(place)s. You can turn these "
            "mails off on My Wijkruimte.",
            place=place.name,
        )
    if recipient.reason == ASKER and place is not None:
        return _(
            "You receive this mail because someone asked for a room at %(place)s with this "
            "address. If that was not you, ignore it: nothing is booked without the link.",
            place=place.name,
        )
    if recipient.reason == CALLER and place is not None:
        return _(
            "You receive this mail because a host of %(place)s booked this for you. Questions? "
            "Call or mail the place.",
            place=place.name,
        )
    if recipient.reason == BOOKER:
        return _(
            "You receive this mail because you made this booking. You can turn these mails "
            "off on My Wijkruimte."
        )
    return _(
        "You receive this mail because someone asked for a sign-in code for this address. "
        "If that was not you, ignore it: nothing happens without the code."
    )


def compose(kind: str, payload: dict[str, Any], recipient: Recipient, locale: str) -> MailContent:
    """The mail about one event for one recipient, in the current language."""
    if kind in SIGNUP_KINDS:
        return compose_signup_mail(kind, payload, locale)
    if recipient.reason == PARTICIPANT:
        return compose_participant_mail(kind, payload, locale)
    if kind == SIGN_IN_LINK:
        code = mailed_code(payload)
        return MailContent(
            subject=_("Your sign-in code for Wijkruimte"),
            lines=[
                _("Your code is %(code)s. It works once, for 30 minutes.", code=code),
            ],
            code=code,
            links=[
                (
                    _("Sign in on the site"),
                    f"{_base_url()}/inloggen/code/{code.replace('-', '')}",
                )
            ],
            why=_why(recipient, None),
        )
    if kind == WEBHOOK_DISABLED:
        return MailContent(
            subject=_("Your webhook was disabled"),
            lines=[
                _(
                    "Every delivery to %(url)s failed for three days, so Wijkruimte stopped "
                    "sending to it. Fix the receiver, then enable it again (PATCH "
                    "/api/v1/webhooks/%(id)s with enabled: true).",
                    url=payload["url"],
                    id=payload["subscription_id"],
                )
            ],
            why=_("You receive this mail because you created this webhook."),
        )
    if kind == PARTNER_INVITED:
        return _invitation(payload)
    if kind == HOST_INVITED:
        return _host_invitation(payload)
    if kind == HOST_ADDED:
        return _welcome_host(payload)
    if kind == PRIVACY_INACTIVE_WARNING:
        return MailContent(
            subject=_("Your Wijkruimte account will be erased"),
            lines=[
                _(
                    "You have not used your account for a long time. We keep personal data "
                    "no longer than needed, so we will erase it after %(day)s.",
                    day=payload["erase_on"][:10],
                ),
                _("Want to keep it? Sign in once before then. Nothing else is needed."),
            ],
            links=[(_("Sign in"), f"{_base_url()}/inloggen")],
            why=_("You receive this mail because you have an account at Wijkruimte."),
        )
    if kind == ACCOUNT_ERASED:
        dates = payload.get("occurrences", [])
        zone = ZoneInfo("Europe/Amsterdam")
        return MailContent(
            subject=_("Your Wijkruimte account is deleted"),
            lines=[
                _("Your account at Wijkruimte is deleted."),
                ngettext(
                    "Your coming booking is cancelled; the hosts were told. The calendar file "
                    "takes it out of your agenda.",
                    "Your %(num)d coming bookings are cancelled; the hosts were told. The "
                    "calendar file takes them out of your agenda.",
                    len(dates),
                ),
                _("This is the last mail you get from us."),
            ],
            items=[when_of(item, zone, locale) for item in dates],
            why=_("You receive this mail because your account was deleted."),
        )
    place = db.session.get(Place, payload["place_id"])
    zone = place.zone if place else ZoneInfo("Europe/Amsterdam")
    place_name = place.name if place else ""
    if kind in MONITORING_MAILS and place is not None:
        return monitoring_mail(kind, payload, recipient, place, locale)  # type: ignore[no-any-return]
    if kind == WEB_REQUEST_LINK:
        content = _request_link(payload, locale, zone, place_name)
    else:
        content = _body(kind, payload, recipient, locale, zone, place_name)
        content.links = _decision_links(kind, payload, recipient)
    content.why = _why(recipient, place)
    if recipient.reason == CALLER:
        caller = caller_of(payload)
        content.greeting = caller.name if caller else ""
    return content


def _host_invitation(payload: dict[str, Any]) -> MailContent:
    place = db.session.get(Place, payload["place_id"])
    inviter = db.session.get(Account, payload.get("invited_by") or 0)
    name = place.name if place else ""
    return MailContent(
        subject=_("Will you help host %(place)s?", place=name),
        lines=[
            _(
                "%(name)s invites you to host %(place)s with them on Wijkruimte: approve "
                "requests, keep the opening hours and the place's page up to date.",
                name=inviter.name if inviter else _("A host"),
                place=name,
            ),
            _("The link works for 14 days. You need no account: the link makes one."),
        ],
        links=[(_("Accept the invitation"), f"{_base_url()}/uitnodiging/{mailed_code(payload)}")],
        why=_(
            "You receive this mail because a host of %(place)s invited this address. Not "
            "for you? Ignore it: nothing happens without the link.",
            place=name,
        ),
    )


def _welcome_host(payload: dict[str, Any]) -> MailContent:
    place = db.session.get(Place, payload["place_id"])
    name, slug = (place.name, place.slug) if place else ("", "")
    return MailContent(
        subject=_("Welcome as a host of %(place)s", place=name),
        lines=[
            _("You are now a host of %(place)s. On your host page you can:", place=name),
        ],
        items=[
            _("approve or decline requests, and book for someone who phones;"),
            _("set the opening hours and close the place for a holiday;"),
            _("keep the place's page, photos, rooms and rules up to date;"),
            _("invite another host, and count visitors for the report."),
        ],
        links=[(_("To the host page"), f"{_base_url()}/beheer/{slug}")],
        why=_("You receive this mail because you became a host of %(place)s.", place=name),
    )


def _invitation(payload: dict[str, Any]) -> MailContent:
    initiative = db.session.get(Initiative, payload["initiative_id"])
    initiator = initiative.initiator.name if initiative is not None else ""
    return MailContent(
        subject=_("Invitation to partner in: %(title)s", title=payload["title"]),
        lines=[
            _(
                "%(name)s lists you as a partner of the initiative %(title)s. You become "
                "a partner only when you accept; until then you see what everyone sees.",
                name=initiator,
                title=payload["title"],
            ),
            _("Accept or decline on your page, or through the API (partnership)."),
        ],
        links=[(_("To my page"), f"{_base_url()}/mijn")],
        why=_("You receive this mail because someone listed your account as a partner."),
    )


def subject_of(message: Any, locale: str) -> str | None:
    """The subject a sent mail had, composed again from its event (None once the event's
    details were purged)."""
    from flask_babel import force_locale

    event = message.event
    recipient = Recipient(message.recipient, message.account_id, message.reason, locale)
    with force_locale(locale):
        if event.type == SIGN_IN_LINK:
            return str(_("Your sign-in code for Wijkruimte"))
        if event.type == WEB_REQUEST_LINK and "title" in event.payload:
            return str(_("Confirm your request: %(title)s", title=event.payload["title"]))
        try:
            return compose(event.type, event.payload, recipient, locale).subject
        except (KeyError, ValueError, TypeError):
            return None


def mailed_code(payload: dict[str, Any]) -> str:
    """The one-time code an event carries sealed, for the one mail that sends it."""
    sealed = payload.get("code_sealed")
    if not sealed:
        raise ValueError("the code of this mail was wiped (expired or sent already)")
    return unseal(MAILED_CODES, str(sealed))


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"])


def _request_link(
    payload: dict[str, Any], locale: str, zone: ZoneInfo, place_name: str
) -> MailContent:
    weeks = int(payload.get("weeks", 1))
    details = [
        (_("What"), payload["title"]),
        (_("When"), when_of(payload, zone, locale)),
        (_("Where"), f"{_room_name(payload['room_id'])}, {place_name}"),
    ]
    if weeks > 1:
        details.append(
            (
                _("How often"),
                ngettext("every week, %(num)d time", "every week, %(num)d times", weeks),
            )
        )
    return MailContent(
        subject=_("Confirm your request: %(title)s", title=payload["title"]),
        lines=[
            _(
                "Follow the link to confirm your request at %(place)s. It works once, for "
                "24 hours. Nothing is booked until you confirm.",
                place=place_name,
            )
        ],
        details=details,
        links=[
            (_("Confirm my request"), f"{_base_url()}/aanvragen/bevestig/{mailed_code(payload)}")
        ],
    )


def _decision_links(
    kind: str, payload: dict[str, Any], recipient: Recipient
) -> list[tuple[str, str]]:
    """Approve and decline buttons for a host, on a request that waits for them."""
    if recipient.reason != HOST or recipient.account_id is None:
        return []
    if kind == "booking.requested" or (
        kind == "booking.moved" and payload.get("status") == "pending"
    ):
        # A move that needs approval again carries fresh links; the older ones are outdated.
        target = ("booking", int(payload["booking_id"]))
        version = request_version([int(payload.get("sequence") or 0)])
    elif kind == "series.created" and any(
        item["status"] == "pending" for item in payload.get("occurrences", [])
    ):
        target = ("series", int(payload["series_id"]))
        version = request_version(
            [int(item.get("sequence") or 0) for item in payload["occurrences"]]
        )
    else:
        return []
    return [
        (
            label,
            f"{_base_url()}/beheer/besluit/"
            + decision_token(Decision(target[0], target[1], action, recipient.account_id, version)),
        )
        for label, action in ((_("Approve"), "approve"), (_("Decline"), "decline"))
    ]


def _room_name(room_id: int | None) -> str:
    room = db.session.get(Room, room_id) if room_id else None
    return room.name if room else ""


def _move_of(payload: dict[str, Any], zone: ZoneInfo, locale: str) -> dict[str, str]:
    """`before` and `after` of a moved booking: its time, and its room where that changed."""
    previous = payload.get("previous") or {}
    slots = {"before": {**payload, **previous}, "after": payload}
    return {
        key: when_of(item, zone, locale)
        + (f" ({_room_name(item['room_id'])})" if "room_id" in previous else "")
        for key, item in slots.items()
    }


def _booker_name(account_id: int | None) -> str:
    account = db.session.get(Account, account_id) if account_id else None
    return account.name if account else ""


def _body(
    kind: str,
    payload: dict[str, Any],
    recipient: Recipient,
    locale: str,
    zone: ZoneInfo,
    place_name: str,
) -> MailContent:
    title = payload.get("title", "")
    reason = payload.get("reason") or ""
    details: list[tuple[str, str]] = []
    if "start" in payload and "booking_id" in payload:
        details = [
            (_("What"), title),
            (_("When"), when_of(payload, zone, locale)),
            (_("Where"), f"{_room_name(payload['room_id'])}, {place_name}"),
        ]
    if kind.startswith("series.") and "series_id" in payload:
        details = [
            (_("What"), title),
            (_("Where"), f"{_room_name(payload['room_id'])}, {place_name}"),
        ]
    if (
        kind in ("booking.requested", "booking.moved", "series.created")
        and recipient.reason == HOST
    ):
        details.append((_("Booked by"), _booker_name(payload["booked_by"])))
    if reason:
        details.append((_("Reason"), reason))
    occurrences = [when_of(item, zone, locale) for item in payload.get("occurrences", [])]
    affected = [
        f"{when_of(item, zone, locale)}: {item['title']}" for item in payload.get("affected", [])
    ]
    lines: list[str]
    # The booker's confirmation of a change they made themselves (the hosts hear too).
    own_change = payload.get("by") == BY_BOOKER and recipient.reason == BOOKER
    if kind == "booking.requested":
        subject = _("New request: %(title)s", title=title)
        lines = [_("A new booking request waits for your decision at %(place)s.", place=place_name)]
    elif kind == "booking.confirmed":
        subject = _("Confirmed: %(title)s", title=title)
        lines = [_("Your booking is confirmed. The calendar file adds it to your agenda.")]
    elif kind == "booking.declined":
        subject = _("Declined: %(title)s", title=title)
        lines = [_("Your request was declined by %(place)s.", place=place_name)]
    elif kind == "booking.expired":
        subject = _("Expired: %(title)s", title=title)
        lines = [_("Your request was not confirmed before it started, so it has expired.")]
    elif kind == "booking.cancelled" and own_change:
        subject = _("Your cancellation: %(title)s", title=title)
        lines = [_("You cancelled this booking. The calendar file takes it out of your agenda.")]
    elif kind == "booking.moved" and own_change:
        subject = _("Your change: %(title)s", title=title)
        lines = [_("You moved your booking to this time. The calendar file updates your agenda.")]
        if payload.get("status") == "pending":
            lines.append(
                _("The hosts approve the new time first; a mail tells you what they decide.")
            )
    elif kind == "series.cancelled" and own_change:
        subject = _("Your cancellation: %(title)s", title=title)
        lines = [_("You cancelled these dates. The calendar file takes them out of your agenda.")]
    elif kind == "booking.cancelled" and recipient.reason == HOST:
        subject = _("Cancelled by the booker: %(title)s", title=title)
        lines = [_("The booker cancelled this booking; the time is free again.")]
    elif kind == "booking.cancelled" and payload.get("by") == BY_CLOSURE:
        subject = _("Cancelled: %(title)s", title=title)
        lines = [
            _("%(place)s is closed at that time, so your booking is cancelled.", place=place_name)
        ]
    elif kind == "booking.cancelled":
        subject = _("Cancelled: %(title)s", title=title)
        lines = [_("%(place)s cancelled your booking.", place=place_name)]
    elif kind == "booking.moved" and recipient.reason == HOST:
        subject = _("Changed by the booker: %(title)s", title=title)
        lines = [
            _(
                "The booker moved this booking from %(before)s to %(after)s. Check whether it "
                "still suits you.",
                **_move_of(payload, zone, locale),
            )
        ]
    elif kind == "booking.moved":
        subject = _("Moved: %(title)s", title=title)
        lines = [
            _(
                "A host of %(place)s moved your booking from %(before)s to %(after)s.",
                place=place_name,
                **_move_of(payload, zone, locale),
            )
        ]
    elif kind == CHANGED_BY_HOST:
        subject = _("Changed: %(title)s", title=title)
        lines = [_("A host of %(place)s changed your booking.", place=place_name)]
        previous = payload.get("previous") or {}
        if "title" in previous:
            details.append((_("Was called"), str(previous["title"])))
        if "visibility" in previous:
            details.append(
                (
                    _("Visible to"),
                    _("everyone")
                    if payload.get("visibility") == "public"
                    else _("you and the hosts"),
                )
            )
    elif kind == "series.created" and recipient.reason == HOST:
        subject = _("New request for a series: %(title)s", title=title)
        lines = [
            ngettext(
                "A request for %(num)d date waits for your decision at %(place)s.",
                "A request for %(num)d dates waits for your decision at %(place)s.",
                len(occurrences),
                place=place_name,
            )
        ]
    elif kind in ("series.created", "series.confirmed"):
        subject = _("Confirmed: %(title)s", title=title)
        lines = [
            ngettext(
                "%(num)d date of your series is confirmed.",
                "%(num)d dates of your series are confirmed.",
                len(occurrences),
            )
        ]
    elif kind == "series.declined":
        subject = _("Declined: %(title)s", title=title)
        lines = [_("Your request for these dates was declined by %(place)s.", place=place_name)]
    elif kind == "series.cancelled" and recipient.reason == HOST:
        subject = _("Cancelled by the booker: %(title)s", title=title)
        lines = [_("The booker cancelled these dates; they are free again.")]
    elif kind == "series.cancelled":
        subject = _("Cancelled: %(title)s", title=title)
        lines = [_("%(place)s cancelled these dates of your series.", place=place_name)]
    elif kind == "closure.created":
        subject = _("A closure at %(place)s hits bookings", place=place_name)
        lines = [
            _(
                "The new closure (%(when)s) covers these bookings. They still stand: decide "
                "with the bookers what happens.",
                when=when_of(payload, zone, locale),
            )
        ]
    elif kind == AFFECTED_BY_CHANGE:
        subject = _("A change at %(place)s leaves bookings standing", place=place_name)
        lines = [
            _(
                "After the change, these bookings fall outside what the room allows. They "
                "still stand: decide with the bookers what happens."
            )
        ]
    else:
        subject, lines = kind, []
    if reason and kind == "closure.created":
        details.append((_("Reason"), reason))
    return MailContent(subject, lines, details, occurrences or affected)
