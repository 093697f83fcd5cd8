"""Files that never contradict themselves (security 3, item 8): every part of a mailed file
comes from the event's one snapshot; a host's change of someone's booking mails the booker;
a private feed speaks its owner's language, says a host's status in words, and moves on
when its owner stops hosting a place."""

from __future__ import annotations

import re
import time
from datetime import datetime

import icalendar

from tests.booking_helpers import book, book_weekly, local, upcoming
from tests.delivery.conftest import MailingApp
from tests.delivery.test_mails import approving_place, calendar_of, set_locale, text_of


def test_a_confirmation_mailed_after_a_move_shows_the_confirmed_booking(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m)
    day = upcoming(9)
    made = book(m.client, booker, room, day, "10:00", "11:00", title="Koor")
    booking = made.json["id"]
    m.deliver()
    m.mailbox.received.clear()
    confirmed = m.client.post(f"/api/v1/bookings/{booking}/confirm", json={}, headers=host.headers)
    assert confirmed.status_code == 200
    # Before the worker runs, the booker moves it: at this place it waits for the hosts again.
    moved = m.client.patch(
        f"/api/v1/bookings/{booking}",
        json={"start": local(day, "14:00"), "end": local(day, "15:00")},
        headers=booker.headers,
    )
    assert moved.status_code == 200 and moved.json["status"] == "pending"
    m.deliver()
    mails = {str(mail["Subject"]): mail for mail in m.mailbox.to(booker.email)}
    first = calendar_of(mails["Bevestigd: Koor"])
    assert str(first["SUMMARY"]) == "Koor" and str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("DTSTART") == datetime.fromisoformat(confirmed.json["start"])
    assert str(first["URL"]).endswith(f"/activiteiten/{booking}")
    second = calendar_of(mails["Je wijziging: Koor"])
    assert str(second["SUMMARY"]) == "Aangevraagd: Koor"
    assert str(second["STATUS"]) == "TENTATIVE"
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert "/activiteiten/" not in str(second["URL"])


def test_a_host_who_renames_a_booking_mails_the_booker(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m, requires_approval=False)
    made = book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Koor")
    m.deliver()
    m.mailbox.received.clear()
    renamed = m.client.patch(
        f"/api/v1/bookings/{made.json['id']}", json={"title": "Buurtkoor"}, headers=host.headers
    )
    assert renamed.status_code == 200
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    assert mail["Subject"] == "Gewijzigd: Buurtkoor"
    said = " ".join(text_of(mail).split())
    assert "heeft je boeking gewijzigd" in said and "Heette eerst: Koor" in said
    event = calendar_of(mail)
    assert str(event["SUMMARY"]) == "Buurtkoor"
    assert int(event["SEQUENCE"]) == renamed.json["sequence"]
    assert not m.mailbox.to(host.email)  # the host did it: no mail to them
    # The booker's own rename mails nobody.
    m.client.patch(
        f"/api/v1/bookings/{made.json['id']}", json={"title": "Koor"}, headers=booker.headers
    )
    m.mailbox.received.clear()
    m.deliver()
    assert not m.mailbox.received


def _feed(m: MailingApp, path: str, **headers: str) -> tuple[icalendar.Calendar, str]:
    answer = m.client.get(path, headers=headers)
    assert answer.status_code == 200
    return icalendar.Calendar.from_ical(answer.data), str(answer.headers["Last-Modified"])


def test_a_private_feed_speaks_its_owners_language_and_moves_on_when_a_host_goes(
    mailing: MailingApp,
) -> None:
    m = mailing
    place, room, host, booker = approving_place(m)
    admin = m.make.account(admin=True)
    book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Koor")
    made = m.client.post("/api/v1/feed-tokens", json={"name": "x"}, headers=host.headers)
    path = re.sub(r"^https?://[^/]+", "", made.json["url"])
    calendar, _ = _feed(m, path)
    (event,) = calendar.walk("VEVENT")
    assert "Status: wacht op goedkeuring" in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "Aangevraagd: Koor"
    # An English-speaking host gets the feed in English without asking for it.
    set_locale(m, host.id, "en")
    calendar, before = _feed(m, path)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Requested: Koor"
    assert "Status: waiting for approval" in str(event["DESCRIPTION"])
    dutch, _ = _feed(m, f"{path}?lang=nl")
    assert str(dutch.walk("VEVENT")[0]["SUMMARY"]) == "Aangevraagd: Koor"
    # Removed as host, the place's requests leave the feed and Last-Modified moves on.
    time.sleep(1.1)  # Last-Modified has whole seconds
    # A place keeps a host: a second one first.
    second = m.make.account(name="Tweede")
    m.client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": second.id}, headers=admin.headers
    )
    removed = m.client.delete(f"/api/v1/places/{place}/hosts/{host.id}", headers=admin.headers)
    assert removed.status_code == 204
    calendar, after = _feed(m, path)
    assert calendar.walk("VEVENT") == []
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(after) > parsedate_to_datetime(before)


def test_an_erased_account_gets_one_last_mail_that_cleans_its_calendar(
    mailing: MailingApp,
) -> None:
    """Web 4, item 9: before the address is wiped, one mail cancels every coming date in the
    person's agenda; the public feed says "Afgelast", not "Verwijderd account"."""
    m = mailing
    place, room, host, booker = approving_place(m, requires_approval=False)
    one = book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Koor")
    first = upcoming(10, weekday=2)
    weekly = book_weekly(m.client, booker, room, first, "19:00", "20:00", 2, title="Naaiclub")
    assert one.status_code == weekly.status_code == 201
    ids = [one.json["id"], *weekly.json["series"]["booking_ids"]]
    m.deliver()
    m.mailbox.received.clear()
    assert m.client.delete("/api/v1/accounts/me", headers=booker.headers).status_code == 204
    m.deliver()
    (last,) = m.mailbox.to(booker.email)
    assert last["Subject"] == "Je Wijkruimte-account is verwijderd"
    assert "Je 3 komende boekingen zijn geannuleerd" in " ".join(text_of(last).split())
    (part,) = [p for p in last.iter_attachments() if p.get_content_type() == "text/calendar"]
    events = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert sorted(str(e["UID"]).split("@")[0] for e in events) == sorted(
        f"booking-{i}" for i in ids
    )
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}
    assert not [e for e in events if "Koor" in str(e["SUMMARY"])]
    # The hosts were told, and the place's public feed says only "Afgelast".
    assert m.mailbox.to(host.email)
    feed = m.client.get(f"/feeds/places/{place}.ics").get_data(as_text=True)
    assert feed.count("SUMMARY:Afgelast\r\n") == 3
    assert "Verwijderd account" not in feed and "Koor" not in feed
