"""Booking on behalf of a caller (DESIGN §16, issue 35 item 7): a host books for someone who
phoned or walked in; the caller's mail goes to their address; hosts see the caller as the
booker, the public never sees their details; anyone but a host is refused; erasing the host
keeps these bookings; the purge forgets the caller after the retention period."""

from __future__ import annotations

from datetime import timedelta

from booking.extensions import db
from booking.models import Booking, utcnow
from tests.booking_helpers import book, book_weekly, shift_booking, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import mail_text, place_with_host

CALLER = {"name": "Mevrouw Jansen", "email": "Jansen@Example.nl", "phone": "010 123 4567"}


def test_a_host_books_for_a_caller_who_gets_the_mail(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host = place_with_host(m, requires_approval=True)
    made = book(
        m.client,
        host,
        room,
        upcoming(5),
        "10:00",
        "11:00",
        title="Rijbewijs oefenen",
        on_behalf_of=CALLER,
    )
    assert made.status_code == 201, made.json
    assert made.json["status"] == "confirmed"  # a host's booking needs no approval
    assert made.json["booker"]["name"] == "Mevrouw Jansen"
    assert made.json["on_behalf_of"] == {**CALLER, "email": "jansen@example.nl"}
    public = m.client.get(f"/api/v1/bookings/{made.json['id']}")
    text = public.get_data(as_text=True)
    assert "jansen" not in text.lower() and "123 4567" not in text
    assert public.json["on_behalf_of"] is None
    # A series too.
    weekly = book_weekly(
        m.client,
        host,
        room,
        upcoming(8),
        "14:00",
        "15:00",
        2,
        on_behalf_of={"name": "Piet", "phone": "0612345678"},
    )
    assert weekly.status_code == 201, weekly.json
    m.deliver()
    (mail,) = m.mailbox.to("jansen@example.nl")
    assert mail_text(mail).startswith("Hallo Mevrouw Jansen,")
    assert "Rijbewijs oefenen" in mail["Subject"]
    assert any(p.get_content_type() == "text/calendar" for p in mail.iter_attachments())
    assert all("Rijbewijs" not in str(x["Subject"]) for x in m.mailbox.to(host.email))


def test_only_a_host_books_on_behalf_and_a_contact_is_needed(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host = place_with_host(m, requires_approval=False)
    resident = m.make.account(name="Bewoner")
    refused = book(m.client, resident, room, upcoming(5), "10:00", "11:00", on_behalf_of=CALLER)
    assert refused.status_code == 403 and refused.json["code"] == "not_a_host"
    unreachable = book(
        m.client, host, room, upcoming(5), "10:00", "11:00", on_behalf_of={"name": "Iemand"}
    )
    assert unreachable.status_code == 422


def test_erasing_the_host_keeps_the_callers_booking_and_the_purge_forgets_the_caller(
    mailing: MailingApp,
) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    made = book(
        m.client, host, room, upcoming(5), "10:00", "11:00", title="Koffie", on_behalf_of=CALLER
    )
    admin = m.make.account(name="Coördinator", admin=True)
    other = m.make.account(name="Tweede gastvrouw")
    m.client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": other.id}, headers=admin.headers
    )
    assert m.client.delete("/api/v1/accounts/me", headers=host.headers).status_code == 204
    kept = m.client.get(f"/api/v1/bookings/{made.json['id']}", headers=admin.headers).json
    assert kept["status"] == "confirmed" and kept["title"] == "Koffie"
    assert kept["booker"]["name"] == "Mevrouw Jansen"

    shift_booking(m.make, made.json["id"], utcnow() - timedelta(days=40), hours=1)
    purged = m.app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert purged.exit_code == 0 and "caller_contacts: 1" in purged.output, purged.output
    row = m.make.run(
        lambda: db.session.get(Booking, made.json["id"]).on_behalf_email  # type: ignore[union-attr]
    )
    assert row is None


def test_the_host_page_books_for_a_caller_with_the_booking_forms_component(
    mailing: MailingApp,
) -> None:
    from tests.web.forms import csrf_of, sign_in

    m = mailing
    _place, room, host = place_with_host(m, requires_approval=True)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster/boeken").get_data(as_text=True)
    assert 'name="beller_naam"' in page and 'name="aanmelden"' in page  # the shared part
    day = upcoming(6).isoformat()
    form = {
        "csrf_token": csrf_of(page),
        "beller_naam": "Meneer De Vries",
        "beller_email": "",
        "beller_telefoon": "",
        "zaal": str(room),
        "datum": day,
        "van": "14:00",
        "tot": "15:30",
        "weken": "1",
        "titel": "Hulp bij formulieren",
        "zichtbaarheid": "public",
    }
    unreachable = client.post("/beheer/de-ster/boeken", data=form)
    assert unreachable.status_code == 422
    assert 'value="Meneer De Vries"' in unreachable.get_data(as_text=True)
    done = client.post(
        "/beheer/de-ster/boeken",
        data={**form, "beller_email": "devries@example.nl", "aanmelden": "y", "plekken": "6"},
    )
    assert done.status_code == 303
    listed = m.client.get("/api/v1/bookings?page_size=100", headers=host.headers).json
    (made,) = [b for b in listed if b["title"] == "Hulp bij formulieren"]
    assert made["booker"]["name"] == "Meneer De Vries" and made["status"] == "confirmed"
    assert made["signups"]["capacity"] == 6
    m.deliver()
    (mail,) = m.mailbox.to("devries@example.nl")
    assert "Hulp bij formulieren" in mail["Subject"]
