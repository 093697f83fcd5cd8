"""A block holds everywhere (security 3, item 4): a blocked account's decision links, private
feed links, request form and attendance links all refuse, as its tokens and sessions do."""

from __future__ import annotations

import re

from booking.services.monitoring.attendance import attendance_token
from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, mail_link, post_ask_form


def test_a_blocked_accounts_links_and_forms_refuse(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host = garden_with_host(m)
    admin = m.make.account(admin=True)
    resident = m.make.account(name="Bewoner")
    feed = m.client.post("/api/v1/feed-tokens", json={"name": "agenda"}, headers=host.headers)
    feed_path = re.sub(r"^https?://[^/]+", "", feed.json["url"])
    assert m.client.get(feed_path).status_code == 200
    made = book(m.client, resident, room, upcoming(6), "10:00", "11:00", title="Zaaien")
    assert made.status_code == 201 and made.json["status"] == "pending"
    m.deliver()
    decision = mail_link(m.mailbox.to(host.email)[-1], "/beheer/besluit/")
    assert m.client.get(decision).status_code == 200
    with m.app.app_context():
        host_link = f"/aanwezig/{attendance_token(made.json['id'], host.id)}"
        resident_link = f"/aanwezig/{attendance_token(made.json['id'], resident.id)}"
    assert m.client.get(host_link).status_code == 200
    # The admin blocks the host and the resident.
    for account in (host, resident):
        blocked = m.client.patch(
            f"/api/v1/accounts/{account.id}", json={"blocked": True}, headers=admin.headers
        )
        assert blocked.status_code == 200
    assert m.client.get(feed_path).status_code == 404
    shown = m.client.get(decision)
    assert shown.status_code == 403
    for link in (host_link, resident_link):
        refused = m.client.get(link)
        assert refused.status_code == 404 and "Hoeveel mensen kwamen er?" not in refused.text
    # The request form refuses the blocked address in words, keeping what was typed.
    asked = post_ask_form(m.client, room, upcoming(9).isoformat(), "10:00", "11:00", resident.email)
    assert asked.status_code == 422
    assert "Dit account is geblokkeerd. Vraag de organisatie waarom." in asked.text
    assert 'value="Buurtkoor"' in asked.text
    # Unblocked, the feed and the decision link work again.
    m.client.patch(f"/api/v1/accounts/{host.id}", json={"blocked": False}, headers=admin.headers)
    assert m.client.get(feed_path).status_code == 200
    page_html = m.client.get(decision).text
    decided = m.client.post(decision, data={"csrf_token": csrf_of(page_html)})
    assert decided.status_code == 200 and "Goedgekeurd" in decided.text


def test_a_host_removed_from_the_place_cannot_open_its_attendance_link(
    mailing: MailingApp,
) -> None:
    m = mailing
    place, room, host = garden_with_host(m)
    other = m.make.account(name="Tweede", hosts=[place])
    admin = m.make.account(admin=True)
    made = book(m.client, host, room, upcoming(6), "10:00", "11:00", title="Oogst")
    assert made.status_code == 201
    with m.app.app_context():
        link = f"/aanwezig/{attendance_token(made.json['id'], other.id)}"
    assert m.client.get(link).status_code == 200
    removed = m.client.delete(f"/api/v1/places/{place}/hosts/{other.id}", headers=admin.headers)
    assert removed.status_code == 204
    refused = m.client.get(link)
    assert refused.status_code == 404 and "Hoeveel mensen kwamen er?" not in refused.text
