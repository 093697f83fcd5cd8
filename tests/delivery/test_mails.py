"""Mails through a real SMTP conversation: who gets what, in which language, with which
calendar file, and nothing for a request that was rolled back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
from sqlalchemy import func, select, update

from booking.extensions import db
from booking.models import Account, OutboxEvent, Place
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, local, upcoming
from tests.delivery.conftest import MailingApp
from tests.factories import Caller


def approving_place(m: MailingApp, **policy: Any) -> tuple[int, int, Caller, Caller]:
    place = m.make.place(
        name="Huis van de Wijk Oost",
        opening_hours="Mo-Su 08:00-22:00",
        policy={**DEFAULT_POLICY, "requires_approval": True, "max_days_ahead": 365, **policy},
    )
    room = m.make.room(place, name="Zaal")
    host = m.make.account(name="Host", hosts=[place])
    booker = m.make.account(name="Booker")
    return place, room, host, booker


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def calendar_of(mail: EmailMessage) -> icalendar.Event:
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    return event


def set_locale(m: MailingApp, account_id: int, locale: str) -> None:
    def apply() -> None:
        db.session.execute(update(Account).where(Account.id == account_id).values(locale=locale))
        db.session.commit()

    m.make.run(apply)


def test_a_request_mails_the_hosts_and_the_decision_mails_the_booker(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m)
    made = book(m.client, booker, room, upcoming(9), "19:00", "21:00", title="Taalcafé")
    assert made.status_code == 201 and made.json["status"] == "pending"
    assert m.mailbox.received == []  # nothing is sent inside a request
    m.deliver()
    (to_host,) = m.mailbox.to(host.email)
    assert to_host["Subject"] == "Nieuwe aanvraag: Taalcafé"
    text = text_of(to_host)
    assert "Huis van de Wijk Oost" in text and "19:00" in text
    assert "omdat je gastheer of gastvrouw bent van Huis van de Wijk Oost" in text
    assert m.mailbox.to(booker.email) == []

    confirmed = m.client.post(
        f"/api/v1/bookings/{made.json['id']}/confirm", json={}, headers=host.headers
    )
    assert confirmed.status_code == 200
    m.deliver()
    (to_booker,) = m.mailbox.to(booker.email)
    assert to_booker["Subject"] == "Bevestigd: Taalcafé"
    assert to_booker["Content-Language"] == "nl"
    event = calendar_of(to_booker)
    assert str(event["UID"]) == f"booking-{made.json['id']}@localhost"  # the public host
    assert int(event["SEQUENCE"]) == confirmed.json["sequence"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == confirmed_start(confirmed.json)


def confirmed_start(booking: dict[str, Any]) -> Any:
    from datetime import UTC, datetime

    return datetime.fromisoformat(booking["start"]).astimezone(UTC)


def test_english_for_accounts_that_ask_for_it(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m)
    set_locale(m, booker.id, "en")
    made = book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Sewing club")
    m.client.post(
        f"/api/v1/bookings/{made.json['id']}/decline",
        json={"reason": "Te druk die week"},
        headers=host.headers,
    )
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    assert mail["Subject"] == "Declined: Sewing club"
    assert list(mail.iter_attachments()) == []  # a decline changes no calendar
    assert mail["Content-Language"] == "en"
    text = text_of(mail)
    assert "Reason: Te druk die week" in text and "because you made this booking" in text


def test_cancellations_tell_the_other_side_with_a_cancelled_calendar_event(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m, requires_approval=False)
    first = book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Eerste")
    second = book(m.client, booker, room, upcoming(9), "12:00", "13:00", title="Tweede")
    m.deliver()
    m.mailbox.received.clear()
    by_booker = m.client.post(
        f"/api/v1/bookings/{first.json['id']}/cancel", json={}, headers=booker.headers
    )
    by_host = m.client.post(
        f"/api/v1/bookings/{second.json['id']}/cancel",
        json={"reason": "Lekkage"},
        headers=host.headers,
    )
    assert by_booker.status_code == by_host.status_code == 200
    again = m.client.post(
        f"/api/v1/bookings/{second.json['id']}/cancel", json={}, headers=host.headers
    )
    assert again.status_code == 200 and again.json["sequence"] == by_host.json["sequence"]
    m.deliver()
    (to_host,) = m.mailbox.to(host.email)
    assert to_host["Subject"] == "Geannuleerd door de aanvrager: Eerste"
    own, to_booker = m.mailbox.to(booker.email)  # their own cancellation is confirmed too
    assert own["Subject"] == "Je annulering: Eerste"
    assert str(calendar_of(own)["STATUS"]) == "CANCELLED"
    assert to_booker["Subject"] == "Afgelast: Tweede"
    event = calendar_of(to_booker)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Afgelast: Tweede"  # in the booker's language
    assert int(event["SEQUENCE"]) == by_host.json["sequence"]


def test_mail_can_be_turned_off(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m)
    changed = m.client.patch(
        "/api/v1/accounts/me", json={"email_notifications": False}, headers=host.headers
    )
    assert changed.status_code == 200 and changed.json["email_notifications"] is False
    book(m.client, booker, room, upcoming(9), "10:00", "11:00")
    m.deliver()
    assert m.mailbox.received == []


def test_a_rolled_back_request_leaves_no_event(mailing: MailingApp) -> None:
    m = mailing
    _place, room, _host, booker = approving_place(m, requires_approval=False)
    book(m.client, booker, room, upcoming(9), "10:00", "11:00")
    refused = book(m.client, booker, room, upcoming(9), "10:30", "11:30")
    assert refused.status_code == 409
    outside = book(m.client, booker, room, upcoming(9), "23:00", "23:30")
    assert outside.status_code == 422
    events = m.make.run(lambda: db.session.scalar(select(func.count(OutboxEvent.id))))
    assert events == 1


def test_a_closure_cancels_what_it_hits_or_tells_the_hosts(mailing: MailingApp) -> None:
    m = mailing
    place, room, host, booker = approving_place(m, requires_approval=False)
    day = upcoming(12)
    kept = book(m.client, booker, room, day, "10:00", "11:00", title="Blijft").json
    hit = book(m.client, booker, room, day + timedelta(days=1), "10:00", "11:00", title="Raak")
    m.deliver()
    m.mailbox.received.clear()
    body = {
        "start": local(day + timedelta(days=1), "00:00"),
        "end": local(day + timedelta(days=2), "00:00"),
        "reason": "Schilders",
    }
    url = f"/api/v1/places/{place}/closures"
    preview = m.client.post(url, json={**body, "dry_run": True}, headers=host.headers)
    assert preview.status_code == 200
    assert preview.json["id"] is None
    assert [b["id"] for b in preview.json["affected_bookings"]] == [hit.json["id"]]
    assert m.client.get(url).json == []  # nothing written

    closed = m.client.post(url, json={**body, "cancel_affected": True}, headers=host.headers)
    assert closed.status_code == 201
    assert [b["id"] for b in closed.json["affected_bookings"]] == [hit.json["id"]]
    assert (
        m.client.get(f"/api/v1/bookings/{hit.json['id']}", headers=booker.headers).json["status"]
        == "cancelled"
    )
    assert m.client.get(f"/api/v1/bookings/{kept['id']}").json["status"] == "confirmed"
    m.deliver()
    (to_booker,) = m.mailbox.to(booker.email)
    assert to_booker["Subject"] == "Afgelast: Raak"
    assert "Huis van de Wijk Oost is dan gesloten" in text_of(to_booker)
    assert "Schilders" in text_of(to_booker)
    assert m.mailbox.to(host.email) == []

    # Without cancel_affected the booking stands and the hosts get the list.
    m.mailbox.received.clear()
    other = book(m.client, booker, room, day + timedelta(days=3), "10:00", "11:00", title="Staat")
    left = m.client.post(
        url,
        json={
            "start": local(day + timedelta(days=3), "09:00"),
            "end": local(day + timedelta(days=3), "12:00"),
        },
        headers=host.headers,
    )
    assert [b["id"] for b in left.json["affected_bookings"]] == [other.json["id"]]
    m.deliver()
    (to_host,) = m.mailbox.to(host.email)
    assert to_host["Subject"] == "Een sluiting van Huis van de Wijk Oost raakt boekingen"
    assert "Staat" in text_of(to_host)


def test_new_opening_hours_list_the_bookings_they_leave_out(mailing: MailingApp) -> None:
    m = mailing
    place, room, host, booker = approving_place(m, requires_approval=False)
    evening = book(m.client, booker, room, upcoming(9), "19:00", "21:00", title="Avond").json
    morning = book(m.client, booker, room, upcoming(9), "10:00", "11:00", title="Ochtend").json
    changed = m.client.patch(
        f"/api/v1/places/{place}",
        json={"opening_hours": "Mo-Su 08:00-18:00", "cancel_affected": True},
        headers=host.headers,
    )
    assert changed.status_code == 200
    assert [b["id"] for b in changed.json["affected_bookings"]] == [evening["id"]]
    assert m.client.get(f"/api/v1/bookings/{morning['id']}").json["status"] == "confirmed"
    closed_room = m.client.patch(
        f"/api/v1/rooms/{room}", json={"bookable": False}, headers=host.headers
    )
    assert [b["id"] for b in closed_room.json["affected_bookings"]] == [morning["id"]]
    m.deliver()
    subjects = sorted(str(mail["Subject"]) for mail in m.mailbox.to(booker.email))
    assert "Afgelast: Avond" in subjects
    (to_host,) = m.mailbox.to(host.email)  # the room's bookings were left standing
    assert "Ochtend" in text_of(to_host)


def test_a_series_is_one_mail_each_way(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m)
    start = upcoming(8, weekday=1)
    made = m.client.post(
        "/api/v1/series",
        json={
            "room_id": room,
            "start": local(start, "19:00"),
            "end": local(start, "21:00"),
            "title": "Taalcafé",
            "rrule": "FREQ=WEEKLY;COUNT=4",
        },
        headers=booker.headers,
    )
    assert made.status_code == 201, made.json
    series_id = made.json["series"]["id"]
    m.deliver()
    (request,) = m.mailbox.to(host.email)
    assert request["Subject"] == "Nieuwe aanvraag voor een reeks: Taalcafé"
    assert "aanvraag voor 4 data" in text_of(request)
    # The host sees which room, and who asks.
    assert "Zaal, Huis van de Wijk Oost" in text_of(request)
    assert "Booker" in text_of(request)
    decided = m.client.post(f"/api/v1/series/{series_id}/confirm", json={}, headers=host.headers)
    assert decided.status_code == 200 and len(decided.json["decided"]) == 4
    assert {b["status"] for b in decided.json["decided"]} == {"confirmed"}
    refused = m.client.post(f"/api/v1/series/{series_id}/decline", json={}, headers=host.headers)
    assert refused.status_code == 409 and refused.json["code"] == "nothing_pending"
    m.deliver()
    (confirmation,) = m.mailbox.to(booker.email)
    assert "4 data van je reeks zijn bevestigd" in text_of(confirmation)


def test_the_booker_and_their_email_are_shown_to_those_involved(mailing: MailingApp) -> None:
    m = mailing
    place, room, host, booker = approving_place(m, requires_approval=False)
    made = book(m.client, booker, room, upcoming(9), "10:00", "11:00", visibility="public").json
    assert made["booker"] == {
        "id": booker.id,
        "name": made["booker"]["name"],
        "email": booker.email,
    }
    for caller in (host, booker):
        shown = m.client.get(f"/api/v1/bookings/{made['id']}", headers=caller.headers).json
        assert shown["booker"]["email"] == booker.email
    outsider = m.client.get(f"/api/v1/bookings/{made['id']}").json
    assert "email" not in outsider["booker"] and outsider["booker"]["id"] == booker.id
    hosts = m.client.get(f"/api/v1/places/{place}/hosts", headers=host.headers)
    assert hosts.status_code == 200 and hosts.json[0]["email"] == host.email
    assert m.client.get(f"/api/v1/places/{place}/hosts", headers=booker.headers).status_code == 403


def test_places_have_a_phone_and_a_website(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host, _booker = approving_place(m)
    changed = m.client.patch(
        f"/api/v1/places/{place}",
        json={"phone": "+31 10 123 4567", "website": "https://oost.example.nl"},
        headers=host.headers,
    )
    assert changed.status_code == 200
    shown = m.client.get(f"/api/v1/places/{place}").json
    assert (shown["phone"], shown["website"]) == ("+31 10 123 4567", "https://oost.example.nl")
    bad = m.client.patch(
        f"/api/v1/places/{place}", json={"website": "javascript:alert(1)"}, headers=host.headers
    )
    assert bad.status_code == 422
    assert m.make.run(lambda: db.session.get(Place, place).website) == "https://oost.example.nl"


def test_a_booker_who_moves_their_own_booking_gets_the_new_time(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m, requires_approval=False)
    day = upcoming(9)
    made = book(m.client, booker, room, day, "10:00", "11:00", title="Koor")
    m.deliver()
    m.mailbox.received.clear()
    moved = m.client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={"start": local(day, "14:00"), "end": local(day, "15:30")},
        headers=booker.headers,
    )
    assert moved.status_code == 200
    m.deliver()
    (to_booker,) = m.mailbox.to(booker.email)
    assert to_booker["Subject"] == "Je wijziging: Koor" and "Je hebt je boeking" in text_of(
        to_booker
    )
    event = calendar_of(to_booker)
    assert event.decoded("DTSTART") == datetime.fromisoformat(moved.json["start"])
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)  # written in UTC
    assert int(event["SEQUENCE"]) >= moved.json["sequence"]
    # The hosts hear what changed: from the old time to the new one.
    (to_host,) = m.mailbox.to(host.email)
    said = " ".join(text_of(to_host).split())
    assert to_host["Subject"] == "Gewijzigd door de aanvrager: Koor"
    before = r"verplaatst van \w+ \d+ \w+( \d{4})?, 10:00\N{EN DASH}11:00 naar \w+ \d+"
    assert re.search(before, said), said
    assert "14:00\N{EN DASH}15:30. Kijk of het nog past." in said


def test_a_cancelled_series_sends_every_date_cancelled(mailing: MailingApp) -> None:
    m = mailing
    _place, room, host, booker = approving_place(m, requires_approval=False)
    start = upcoming(8, weekday=2)
    made = m.client.post(
        "/api/v1/series",
        json={
            "room_id": room,
            "start": local(start, "19:00"),
            "end": local(start, "21:00"),
            "title": "Naailes",
            "rrule": "FREQ=WEEKLY;COUNT=3",
        },
        headers=booker.headers,
    )
    assert made.status_code == 201
    m.deliver()
    (confirmation,) = m.mailbox.to(booker.email)
    imported = {str(e["UID"]): int(e["SEQUENCE"]) for e in _all_events(confirmation)}
    m.mailbox.received.clear()
    series_id = made.json["series"]["id"]
    cancelled = m.client.post(f"/api/v1/series/{series_id}/cancel", json={}, headers=booker.headers)
    assert cancelled.status_code == 200
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    events = _all_events(mail)
    assert {str(e["UID"]) for e in events} == set(imported)  # the same events...
    assert all(str(e["STATUS"]) == "CANCELLED" for e in events)  # ...cancelled...
    assert all(int(e["SEQUENCE"]) > imported[str(e["UID"])] for e in events)  # ...and newer
    assert m.mailbox.to(host.email)


def test_a_year_of_dates_mails_whole_and_small(mailing: MailingApp) -> None:
    m = mailing
    _place, room, _host, booker = approving_place(
        m, requires_approval=False, max_active_bookings=400, max_days_ahead=400
    )
    start = upcoming(2)
    made = m.client.post(
        "/api/v1/series",
        json={
            "room_id": room,
            "start": local(start, "09:00"),
            "end": local(start, "10:00"),
            "title": "Ochtendwandeling",
            "description": "Lange uitleg. " * 140,
            "rrule": "FREQ=DAILY;COUNT=365",
        },
        headers=booker.headers,
    )
    assert made.status_code == 201, made.json
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    size = len(mail.as_bytes())
    assert size < 400_000, size
    events = _all_events(mail)
    assert len(events) == 365  # never cut
    assert all(e.get("ORGANIZER") for e in events)
    feed_uids = {f"booking-{b['id']}@" for b in made.json["created"]}
    assert {str(e["UID"]).split("@")[0] + "@" for e in events} == feed_uids


def _all_events(mail: EmailMessage) -> list[icalendar.Event]:
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return list(calendar.walk("VEVENT"))
