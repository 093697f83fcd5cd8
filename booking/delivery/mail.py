"""One outbox message as an e-mail: text and HTML in the recipient's language, a stable
Message-ID, and a calendar file for bookings that changed in someone's agenda."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from booking.delivery.messages import compose
from booking.delivery.recipients import Recipient
from booking.delivery.signup_mails import PARTICIPANT, signups_of
from booking.extensions import db
from booking.feeds.render import FeedEvent, FeedInfo, render_feed
from booking.feeds.sources import AsMailed, involved_event, public_event, uid_domain
from booking.models import Account, Booking, OutboxEvent, OutboxMessage
from booking.models.outbox import (
    ACCOUNT_ERASED,
    SIGNUP_PLACED,
    SIGNUP_PROMOTED,
    SIGNUP_REMINDER,
)
from booking.models.signup import CONFIRMED as SIGNUP_CONFIRMED
from booking.services.outbox.events import CHANGED_BY_HOST
from booking.text import one_line

# Bookings whose place in the recipient's calendar changes: the mail carries the event.
# A series' confirmation carries every confirmed date, its cancellation every cancelled one.
SERIES_WITH_CALENDAR = {
    "series.created": "CONFIRMED",
    "series.confirmed": "CONFIRMED",
    "series.cancelled": "CANCELLED",
    # An erased account's last mail: every coming date, cancelled.
    ACCOUNT_ERASED: "CANCELLED",
}
# Each file shows the booking as the event's snapshot has it (confirmed, tentative while
# pending, cancelled).
WITH_CALENDAR = frozenset(
    {"booking.confirmed", "booking.moved", "booking.cancelled", CHANGED_BY_HOST}
)


# A mailed file is never cut (a feed is, at 1 MB): far above any real series.
UNCAPPED = 1 << 40


def message_id(event_id: int, recipient: str) -> str:
    """The same Message-ID for every attempt of one event to one address."""
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]
    return f"<event-{event_id}.{digest}@{uid_domain()}>"


def build(event: OutboxEvent, message: OutboxMessage) -> EmailMessage:
    """The e-mail for one message."""
    recipient = Recipient(message.recipient, message.account_id, message.reason, "nl")
    account = db.session.get(Account, message.account_id) if message.account_id else None
    locale = account.locale if account else event.payload.get("locale", "nl")
    with force_locale(locale):
        content = compose(event.type, event.payload, recipient, locale)
        context: dict[str, Any] = {
            "content": content,
            # "Hallo Anna," also for a request from the pages, which has a name but no account.
            "name": one_line(
                content.greeting
                or (account.name if account else str(event.payload.get("name") or ""))
            ),
            "locale": locale,
            "link": "",
            "privacy_url": f"{current_app.config['PUBLIC_BASE_URL']}/privacy",
        }
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", **context)
        # Its texts in the recipient's language too. Someone signed up gets a cancellation
        # as iTIP CANCEL, which every client takes out of the agenda.
        participant = message.reason == PARTICIPANT
        method = "CANCEL" if participant and event.type in CANCELLATIONS else "PUBLISH"
        if participant and event.type in SIGNUP_WITH_CALENDAR:
            calendar = _signup_calendar_file(event)
        else:
            calendar = _calendar_file(event, method)
    mail = EmailMessage()
    # Headers are one line whatever the stored text holds: a line break in a title or a
    # name written before the API refused them must not stop a mail.
    mail["Subject"] = one_line(content.subject)
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = formataddr((one_line(account.name) if account else "", message.recipient))
    mail["Message-ID"] = message_id(event.id, message.recipient)
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    if calendar is not None:
        mail.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename="wijkruimte.ics",
            params={"method": method, "charset": "utf-8"},
        )
    mail["Content-Language"] = locale  # after the body: setting content drops Content-* headers
    return mail


SIGNUP_WITH_CALENDAR = (SIGNUP_PLACED, SIGNUP_PROMOTED, SIGNUP_REMINDER)
CANCELLATIONS = ("booking.cancelled", "series.cancelled")


def _signup_calendar_file(event: OutboxEvent) -> bytes | None:
    """The activity as the public feeds show it now (same UID, same SEQUENCE), for a
    confirmed place: every date of it for a whole series."""
    signups = [item for item in signups_of(event.payload) if item.status == SIGNUP_CONFIRMED]
    if not signups:
        return None
    booking = signups[0].booking
    items = [public_event(item.booking, event.created_at) for item in signups]
    return render_feed(
        FeedInfo(name=booking.title, timezone=booking.place.timezone), items, max_bytes=UNCAPPED
    )


def _calendar_file(event: OutboxEvent, method: str = "PUBLISH") -> bytes | None:
    payload = event.payload
    if event.type in SERIES_WITH_CALENDAR:
        status = SERIES_WITH_CALENDAR[event.type]
        dates = payload.get("occurrences", [])
        # A pending series goes to the hosts, without a file: nothing is in an agenda yet.
        if not dates or any(item["status"] != status.lower() for item in dates):
            return None
        items = [_item(item, event) for item in dates]
        found = [item for item in items if item is not None]
        if not found:
            return None
        # Never cut: the file must hold every date the mail is about. The per-date
        # descriptions stay in the feed and on the activity's page.
        return render_feed(
            FeedInfo(name=payload["title"], timezone=found[0][1], method=method),
            [replace(i, description="") for i, _ in found],
            max_bytes=UNCAPPED,
        )
    if event.type not in WITH_CALENDAR:
        return None
    one = _item(payload, event)
    if one is None:
        return None
    return render_feed(FeedInfo(name=payload["title"], timezone=one[1], method=method), [one[0]])


def _item(snapshot: dict[str, Any], event: OutboxEvent) -> tuple[FeedEvent, str] | None:
    """A booking as the feeds showed it at the moment of this event: same UID, same SEQUENCE,
    and every part of it (title, status, times, link) from the event's one snapshot."""
    booking = db.session.get(Booking, snapshot["booking_id"])
    if booking is None:
        return None
    seen = AsMailed.of(snapshot, booking)
    item = involved_event(booking, event.created_at, host_view=False, as_mailed=seen)
    return replace(item, stamp=event.created_at), booking.place.timezone
