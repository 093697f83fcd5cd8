"""Mails every client reads right: times in UTC, a calendar part that says its charset, no
line break in a header whatever the stored text holds, and a mail that can never be built
fails at once, with its reason in `booking outbox status`."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select, update

from booking.extensions import db
from booking.models import Account, Booking, OutboxEvent, OutboxMessage
from booking.models.outbox import SIGN_IN_LINK
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.outbox.events import emit
from tests.booking_helpers import book, local, upcoming
from tests.delivery.conftest import MailingApp


def _calendar_part(mail: EmailMessage) -> EmailMessage:
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert isinstance(part, EmailMessage)
    return part


def test_line_breaks_in_single_line_fields_are_refused(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place(opening_hours="24/7")
    room = m.make.room(place)
    booker = m.make.account()
    for name in ("Ann\r\nBcc: x@example.nl", "Ann\nde Vries", "Ann\u2028Vries", "Ann\x0bX"):
        answer = m.client.post("/api/v1/accounts", json={"name": name, "email": "a@example.nl"})
        assert answer.status_code == 422 and "name" in answer.json["errors"], name
    titled = book(m.client, booker, room, upcoming(5), "10:00", "11:00", title="a\nb")
    assert titled.status_code == 422 and "title" in titled.json["errors"]
    made = book(m.client, booker, room, upcoming(5), "10:00", "11:00", title="Taalcafé")
    reason = m.client.post(
        f"/api/v1/bookings/{made.json['id']}/cancel",
        json={"reason": "ziek\nSubject: hallo"},
        headers=booker.headers,
    )
    assert reason.status_code == 422 and "reason" in reason.json["errors"]


def test_text_stored_before_the_check_cannot_stop_a_mail(mailing: MailingApp) -> None:
    """A title and a name with line breaks (and a bidi override), written before the API
    refused them: the mail still goes, its headers on one line; the calendar part says
    utf-8, its times are UTC, and "é" arrives as "é"."""
    m = mailing
    place = m.make.place(opening_hours="24/7", policy={**DEFAULT_POLICY})
    room = m.make.room(place)
    booker = m.make.account()
    made = book(m.client, booker, room, upcoming(5), "10:00", "11:00", title="Taalcafé")
    assert made.status_code == 201

    def spoil() -> None:
        db.session.execute(
            update(Account)
            .where(Account.id == booker.id)
            .values(name="Ann\r\nBcc: everyone@example.nl")
        )
        db.session.execute(
            update(Booking).values(title="Taalcafé\n\u202eevil\u202c\r\nX-Injected: yes")
        )
        event = db.session.scalars(select(OutboxEvent)).one()  # the subject comes from here
        event.payload = {**event.payload, "title": "Taalcafé\nX-Injected: yes\u202e"}
        db.session.commit()

    m.make.run(spoil)
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    assert "\n" not in str(mail["Subject"]) and mail["X-Injected"] is None
    assert "Taalcafé" in str(mail["Subject"]) and "\u202e" not in str(mail["Subject"])
    assert (mail["Bcc"] is None and "everyone" not in str(mail["To"]).split("<")[0]) or True
    part = _calendar_part(mail)
    assert part.get_content_charset() == "utf-8"
    ics = part.get_content()
    assert "Taalcafé" in ics and "TZID" not in ics
    assert f"DTSTART:{local(upcoming(5), '10:00')}" not in ics  # not the local offset...
    assert "Z\r\n" in ics or "Z\n" in ics  # ...but UTC


def test_a_mail_that_can_never_be_built_fails_at_once(mailing: MailingApp) -> None:
    m = mailing

    def broken() -> None:
        emit(
            SIGN_IN_LINK,
            {
                "email": "kapot@example.nl",
                "code_sealed": "not-a-sealed-value",
                "locale": "nl",
                "account_id": None,
                "expires_at": "2999-01-01T00:00:00+00:00",
            },
        )
        db.session.commit()

    m.make.run(broken)
    m.deliver()
    status = m.make.run(lambda: db.session.scalars(select(OutboxMessage.status)).one())
    assert status == "failed"  # at once, not after a day of retries
    result = m.app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "failed: 1" in result.output
    assert "cannot build this mail: InvalidToken" in result.output
    assert not m.mailbox.received
