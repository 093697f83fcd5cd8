"""Delivery: retries with backoff keep one Message-ID, 24 hours of failure is final and visible
to admins, and `booking outbox status` counts what waits."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from booking.delivery.worker import backoff
from booking.extensions import db
from booking.models import OutboxMessage
from tests.booking_helpers import book, upcoming
from tests.delivery.conftest import MailingApp
from tests.gunicorn import BIN, ROOT


def messages(m: MailingApp) -> list[OutboxMessage]:
    def load() -> list[OutboxMessage]:
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows

    return list(m.make.run(load))


def test_a_refused_mail_is_retried_with_the_same_message_id(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place(opening_hours="24/7")
    room = m.make.room(place)
    booker = m.make.account()
    book(m.client, booker, room, upcoming(5), "10:00", "11:00")
    m.mailbox.refuse_next = 2
    first = m.deliver()
    assert (first.delivered, first.retried) == (0, 1)
    (waiting,) = messages(m)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert "451" in waiting.last_error
    assert waiting.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
    assert m.deliver().delivered == 0  # not due yet: the backoff holds
    m.make_due()
    m.deliver()
    m.make_due()
    assert m.deliver().delivered == 1
    (delivered,) = messages(m)
    assert delivered.status == "delivered" and delivered.attempts == 3
    (mail,) = m.mailbox.received
    assert mail["Message-ID"].startswith(f"<event-{delivered.event_id}.")


def test_after_a_day_of_failures_a_message_fails_and_admins_see_it(mailing: MailingApp) -> None:
    m = mailing
    admin = m.make.account(admin=True)
    m.client.post("/api/v1/auth/email-link", json={"email": "weg@example.nl"})
    m.mailbox.refuse_next = 1
    m.deliver()
    m.make_due(created_at=datetime.now(UTC) - timedelta(hours=25))
    m.mailbox.refuse_next = 1
    assert m.deliver().failed == 1
    (failed,) = messages(m)
    assert failed.status == "failed"
    listed = m.client.get("/api/v1/admin/outbox?status=failed", headers=admin.headers)
    assert listed.status_code == 200
    assert [(row["id"], row["type"]) for row in listed.json] == [(failed.id, "auth.email_link")]
    assert m.client.get("/api/v1/admin/outbox", headers=admin.headers).json[0]["status"] == "failed"
    person = m.make.account()
    assert m.client.get("/api/v1/admin/outbox", headers=person.headers).status_code == 403
    status = subprocess.run(
        [BIN / "booking", "outbox", "status"],
        cwd=ROOT,
        env={
            "BOOKING_DATABASE_URL": m.app.config["SQLALCHEMY_DATABASE_URI"],
            "BOOKING_ENV": "development",
            "PATH": "",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert "failed: 1" in status.stdout


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, 12)]
    assert 24 <= waits[0] <= 36 and 48 <= waits[1] <= 72
    assert max(waits) <= 2 * 3600 * 1.2
