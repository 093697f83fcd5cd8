"""The coordinator's pages (issue 35 item 8): neighbourhoods and places set up from `/beheer`
with the first host invited by mail; accounts found, blocked, unblocked and erased after a
confirmation; mail that did not go out shown and sent again. Non-admins get 403."""

from __future__ import annotations

from sqlalchemy import update

from booking.extensions import db
from booking.models import OutboxMessage
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, mail_link, sign_in


def test_a_coordinator_sets_up_a_neighbourhood_and_a_place_with_its_host(
    mailing: MailingApp,
) -> None:
    m = mailing
    admin = m.make.account(name="Coördinator", admin=True)
    client = m.app.test_client()
    sign_in(m, client, admin.email)
    page = client.get("/beheer")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    added = client.post(
        "/beheer/wijken", data={"csrf_token": token, "naam": "Oude Noorden", "stad": "Rotterdam"}
    )
    assert added.status_code == 303
    (wijk,) = [
        n for n in m.client.get("/api/v1/neighbourhoods").json if n["name"] == "Oude Noorden"
    ]
    renamed = client.post(
        f"/beheer/wijken/{wijk['id']}",
        data={
            f"wijk-{wijk['id']}-csrf_token": token,
            f"wijk-{wijk['id']}-naam": "Het Oude Noorden",
            f"wijk-{wijk['id']}-stad": "Rotterdam",
        },
    )
    assert renamed.status_code == 303
    typo = client.post(
        "/beheer/plekken",
        data={
            "csrf_token": token,
            "naam": "Huiskamer Zwart",
            "soort": "huiskamer",
            "wijk": str(wijk["id"]),
            "email": "geen-adres",
        },
    )
    assert typo.status_code == 422 and 'value="Huiskamer Zwart"' in typo.get_data(as_text=True)
    made = client.post(
        "/beheer/plekken",
        data={
            "csrf_token": token,
            "naam": "Huiskamer Zwart",
            "soort": "huiskamer",
            "wijk": str(wijk["id"]),
            "email": "gastvrouw@example.nl",
        },
    )
    assert made.status_code == 303
    (place,) = [
        p
        for p in m.client.get("/api/v1/places?page_size=100").json
        if p["name"] == "Huiskamer Zwart"
    ]
    assert place["neighbourhood_id"] == wijk["id"]
    m.deliver()
    link = mail_link(m.mailbox.to("gastvrouw@example.nl")[-1], "/uitnodiging/")
    host = m.app.test_client()
    form = host.get(link).get_data(as_text=True)
    assert (
        host.post(link, data={"csrf_token": csrf_of(form), "naam": "Gastvrouw Zwart"}).status_code
        == 303
    )
    assert host.get(f"/beheer/{place['slug']}").status_code == 200
    # A host is no coordinator.
    assert host.get("/beheer").status_code == 403
    assert host.get("/beheer/accounts").status_code == 403


def test_a_coordinator_blocks_unblocks_and_erases_an_account_and_retries_mail(
    mailing: MailingApp,
) -> None:
    m = mailing
    admin = m.make.account(name="Coördinator", admin=True)
    person = m.make.account(name="Lastig")
    client = m.app.test_client()
    sign_in(m, client, admin.email)
    found = client.get(f"/beheer/accounts?email={person.email.upper()}").get_data(as_text=True)
    assert "Lastig" in found
    confirm = client.get(f"/beheer/accounts/{person.id}/blokkeer")
    assert confirm.status_code == 200
    assert m.client.get("/api/v1/accounts/me", headers=person.headers).status_code == 200  # not yet
    blocked = client.post(
        f"/beheer/accounts/{person.id}/blokkeer",
        data={"csrf_token": csrf_of(confirm.get_data(as_text=True))},
    )
    assert blocked.status_code == 303
    assert m.client.get("/api/v1/accounts/me", headers=person.headers).status_code in (401, 403)
    page = client.get(f"/beheer/accounts/{person.id}/deblokkeer").get_data(as_text=True)
    assert (
        client.post(
            f"/beheer/accounts/{person.id}/deblokkeer", data={"csrf_token": csrf_of(page)}
        ).status_code
        == 303
    )
    page = client.get(f"/beheer/accounts/{person.id}/verwijder").get_data(as_text=True)
    assert (
        client.post(
            f"/beheer/accounts/{person.id}/verwijder", data={"csrf_token": csrf_of(page)}
        ).status_code
        == 303
    )
    assert client.get(f"/beheer/accounts/{person.id}/blokkeer").status_code == 404  # erased
    # A mail that failed is listed with its error and goes out again.
    m.client.post("/api/v1/auth/email-link", json={"email": "iemand@example.nl"})
    from booking.delivery.worker import dispatch
    from booking.models import utcnow

    m.make.run(lambda: dispatch(utcnow()))

    def failed() -> None:
        db.session.execute(
            update(OutboxMessage).values(status="failed", last_error="550 mailbox full")
        )
        db.session.commit()

    m.make.run(failed)
    outbox = client.get("/beheer/outbox").get_data(as_text=True)
    assert "550 mailbox full" in outbox and "iemand@example.nl" in outbox
    message_id = m.make.run(
        lambda: db.session.scalar(
            db.select(OutboxMessage.id).where(OutboxMessage.recipient == "iemand@example.nl")
        )
    )
    again = client.post(f"/beheer/outbox/{message_id}", data={"csrf_token": csrf_of(outbox)})
    assert again.status_code == 303
    m.deliver()
    assert m.mailbox.to("iemand@example.nl")


def test_an_archived_place_leaves_search_lists_and_feeds(mailing: MailingApp) -> None:
    from tests.booking_helpers import book, upcoming
    from tests.web.forms import place_with_host

    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    admin = m.make.account(name="Coördinator", admin=True)
    client = m.app.test_client()
    sign_in(m, client, admin.email)
    made = book(m.client, host, room, upcoming(3), "10:00", "11:00")
    page = client.get("/beheer").get_data(as_text=True)
    refused = client.post(f"/beheer/plekken/{place}/archiveer", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409  # a booking ahead
    m.client.post(f"/api/v1/bookings/{made.json['id']}/cancel", json={}, headers=host.headers)
    done = client.post(f"/beheer/plekken/{place}/archiveer", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303
    assert all(p["id"] != place for p in m.client.get("/api/v1/places?page_size=100").json)
    assert m.client.get("/plekken/de-ster").status_code == 404
    assert m.client.get(f"/feeds/places/{place}.ics").status_code == 404
    free = m.client.get(
        f"/api/v1/availability?from={upcoming(3)}&to={upcoming(4)}&page_size=100"
    ).json
    assert all(slot["room_id"] != room for slot in free)
    again = book(m.client, host, room, upcoming(5), "10:00", "11:00")
    assert again.status_code == 422 and again.json["code"] == "place_archived"
    hosting = m.app.test_client()
    sign_in(m, hosting, host.email)
    assert hosting.get("/beheer/de-ster").status_code == 200  # its history stays for the hosts


def test_the_admin_pages_paths_are_no_place_slugs(mailing: MailingApp) -> None:
    m = mailing
    admin = m.make.account(name="Coördinator", admin=True)
    taken = m.client.post(
        "/api/v1/places",
        json={"name": "Accounts", "kind": "buurthuis", "slug": "accounts"},
        headers=admin.headers,
    )
    assert taken.status_code == 409 and taken.json["code"] == "slug_taken"
    generated = m.client.post(
        "/api/v1/places", json={"name": "Outbox", "kind": "buurthuis"}, headers=admin.headers
    )
    assert generated.status_code == 201 and generated.json["slug"] == "outbox-2"
