"""One revision per booking (security 3, item 7): what a feed must re-announce of other rows
(a booker's name, an initiative's target groups) is counted apart from the booking's own
sequence, so a host's link still decides and ended bookings stay ended in the feeds."""

from __future__ import annotations

import re

import icalendar

from booking.extensions import db
from booking.models import Booking
from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, mail_link


def _events(m: MailingApp, feed_path: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(m.client.get(feed_path).data)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_a_booker_renamed_between_mail_and_click_leaves_the_link_deciding(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    feed = m.client.post("/api/v1/feed-tokens", json={"name": "host"}, headers=host.headers)
    feed_path = re.sub(r"^https?://[^/]+", "", feed.json["url"])
    asked = book(m.client, resident, room, upcoming(6), "10:00", "11:00", title="Zaaien")
    ended = book(m.client, resident, room, upcoming(7), "10:00", "11:00", title="Oogsten")
    cancelled = m.client.post(
        f"/api/v1/bookings/{ended.json['id']}/cancel", json={}, headers=resident.headers
    )
    assert cancelled.status_code == 200
    m.deliver()
    link = mail_link(m.mailbox.to(host.email)[0], "/beheer/besluit/")
    before = _events(m, feed_path)
    stamp_before = m.make.run(lambda: db.session.get(Booking, ended.json["id"]).updated_at)
    # The booker renames their account: the host's feed re-announces who booked.
    renamed = m.client.patch(
        "/api/v1/accounts/me", json={"name": "Bewoner Nieuw"}, headers=resident.headers
    )
    assert renamed.status_code == 200
    after = _events(m, feed_path)
    request_before, request_after = before["Aangevraagd: Zaaien"], after["Aangevraagd: Zaaien"]
    assert int(request_after["SEQUENCE"]) == int(request_before["SEQUENCE"]) + 1
    assert "Bewoner Nieuw" in str(request_after["DESCRIPTION"])
    # The booking's own revision and history did not move.
    own = m.client.get(f"/api/v1/bookings/{asked.json['id']}", headers=resident.headers).json
    assert own["sequence"] == asked.json["sequence"]
    history = m.client.get(f"/api/v1/bookings/{asked.json['id']}/history", headers=host.headers)
    assert len(history.json) == 1
    # The cancelled one was left alone: its stamp and its place in the feed are unchanged.
    stamp_after = m.make.run(lambda: db.session.get(Booking, ended.json["id"]).updated_at)
    assert stamp_after == stamp_before
    cancelled_events = [key for key in after if "Oogsten" in key]
    assert cancelled_events == [key for key in before if "Oogsten" in key]
    # The host's link from the mail still decides.
    page = m.client.get(link)
    assert "Over deze aanvraag is al besloten" not in page.text
    # The page from the mail says who asked (web 4, item 13).
    assert "Gevraagd door" in page.text and "Bewoner Nieuw" in page.text
    decided = m.client.post(link, data={"csrf_token": csrf_of(page.text)})
    assert decided.status_code == 200 and "Goedgekeurd" in decided.text
    shown = m.client.get(f"/api/v1/bookings/{asked.json['id']}", headers=resident.headers)
    assert shown.json["status"] == "confirmed"
