"""The retention purge, run as `booking privacy purge`: with --as-of a year ahead it removes
what has outlived its purpose, counts it per kind, and leaves what the figures need."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from booking.extensions import db
from booking.models import Account, Booking, OutboxEvent, OutboxMessage, utcnow
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, upcoming
from tests.delivery.conftest import MailingApp
from tests.web.forms import ask_for_slot


def _purge(m: MailingApp, *args: str) -> dict[str, int]:
    result = m.app.test_cli_runner().invoke(args=["privacy", "purge", *args])
    assert result.exit_code == 0, result.output
    counts = {}
    for line in result.output.splitlines():
        kind, _, rest = line.partition(": ")
        counts[kind] = int(rest.split()[0])
    return counts


def test_a_purge_a_year_ahead_keeps_only_what_the_figures_need(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place(opening_hours="24/7", policy={**DEFAULT_POLICY, "max_active_bookings": 9})
    room = m.make.room(place)
    ans = m.make.account(name="Ans Visser")
    made = book(m.client, ans, room, upcoming(3), "10:00", "11:00", title="Verjaardag van Ans")
    assert made.status_code == 201
    retried = m.client.post(
        "/api/v1/bookings",
        json={
            "room_id": room,
            "start": made.json["end"],
            "end": made.json["end"][:11] + "12:00" + made.json["end"][19:],
            "title": "Koffie",
        },
        headers={**ans.headers, "Idempotency-Key": "een-keer"},
    )
    assert retried.status_code == 201, retried.json
    ask_for_slot(m.client, room, upcoming(6).isoformat(), "bram@example.nl")  # never confirmed
    m.deliver()
    m.client.post("/api/v1/auth/email-link", json={"email": "cor@example.nl"})  # not yet mailed

    year_ahead = (utcnow() + timedelta(days=365)).date().isoformat()
    dry = _purge(m, "--as-of", year_ahead, "--dry-run")
    counts = _purge(m, "--as-of", year_ahead)
    assert dry == counts
    assert counts == {
        "web_requests": 1,
        "sign_in_codes": 1,
        "mailed_codes": 1,
        "message_addresses": 3,  # two confirmations and the request link, all sent
        "event_details": 3,  # their events keep kind, date and ids only
        "idempotency_records": 1,
        "inactive_accounts_warned": 0,
        "inactive_accounts_erased": 0,
        "complaint_contacts": 0,
        "signup_contacts": 0,
        "unconfirmed_signups": 0,
        "caller_contacts": 0,
    }

    def remains() -> tuple[list[str], list[str], list[dict[str, object]], list[str]]:
        titles = list(db.session.scalars(select(Booking.title).order_by(Booking.id)))
        addresses = list(db.session.scalars(select(OutboxMessage.recipient)))
        payloads = [e.payload for e in db.session.scalars(select(OutboxEvent))]
        types = [e.type for e in db.session.scalars(select(OutboxEvent))]
        return titles, addresses, payloads, types

    titles, addresses, payloads, types = m.make.run(remains)
    assert titles[0] == "Verjaardag van Ans"  # the bookings themselves are not the purge's
    assert set(addresses) <= {"", "cor@example.nl"}  # only the mail still waiting has one
    text = repr(payloads)
    assert "Verjaardag" not in text and "bram@example.nl" not in text
    assert "booking.confirmed" in types  # kind and date stay
    assert all(v == 0 for v in _purge(m, "--as-of", year_ahead).values())  # nothing twice


def test_an_unused_account_is_warned_then_erased_unless_it_signs_in(mailing: MailingApp) -> None:
    m = mailing
    idle, returning = m.make.account(name="Stil"), m.make.account(name="Terug")
    long_ago = utcnow() - timedelta(days=760)

    def age() -> None:
        for model, column in ((Account, Account.id),):
            db.session.execute(
                update(model).where(column.in_([idle.id, returning.id])).values(created_at=long_ago)
            )
        from booking.models import ApiToken

        db.session.execute(update(ApiToken).values(created_at=long_ago, last_used_at=None))
        db.session.commit()

    m.make.run(age)
    assert _purge(m)["inactive_accounts_warned"] == 2
    m.deliver()
    warned = m.mailbox.to(idle.email)
    assert warned and "verwijderd" in str(warned[0]["Subject"])
    # One of them signs in (uses a token) before the term ends.
    assert m.client.get("/api/v1/accounts/me", headers=returning.headers).status_code == 200
    month_later = (utcnow() + timedelta(days=31)).date().isoformat()
    counts = _purge(m, "--as-of", month_later)
    assert counts["inactive_accounts_erased"] == 1 and counts["inactive_accounts_warned"] == 0
    assert m.client.get("/api/v1/accounts/me", headers=idle.headers).status_code == 401
    assert m.client.get("/api/v1/accounts/me", headers=returning.headers).status_code == 200
