"""Signing up on the pages and by mail (DESIGN §15, issue 34 items 2, 4, 5, 6, 7): the form on
the activity's page, the mailed confirm link that holds nothing until it is followed, the
mails with the activity's own UID and SEQUENCE, the cancel link that moves the waitlist up,
a move and a cancellation that reach everyone signed up, and the organiser's list with its
CSV and the check-in that records the attendance. Every mail goes through a real SMTP
conversation; every calendar file is read by icalendar here and by three more parsers in
the fixture."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO
from typing import Any

import icalendar
from openpyxl import load_workbook

from booking.models import utcnow
from booking.services.monitoring.attendance import attendance_of
from tests.booking_helpers import AMSTERDAM, book, local, shift_booking, upcoming
from tests.delivery.mailed_calendars import calendar_files
from tests.factories import Caller
from tests.web.conftest import MailingApp
from tests.web.forms import (
    ask_for_slot,
    csrf_of,
    mail_link,
    mail_text,
    place_with_host,
    post_ask_form,
    sign_in,
)


def _activity(m: MailingApp, host: Caller, room: int, capacity: int = 2) -> dict[str, Any]:
    made = book(
        m.client,
        host,
        room,
        upcoming(5),
        "19:00",
        "21:00",
        title="Naaiatelier",
        signups={"capacity": capacity},
    )
    assert made.status_code == 201, made.json
    return dict(made.json)


def _counts(m: MailingApp, booking_id: int) -> tuple[int, int]:
    shown = m.client.get(f"/api/v1/bookings/{booking_id}").json["signups"]
    return shown["taken"], shown["waiting"]


def _sign_up_on_page(m: MailingApp, booking_id: int, name: str, email: str, party: int) -> Any:
    page = m.client.get(f"/activiteiten/{booking_id}").get_data(as_text=True)
    return m.client.post(
        f"/activiteiten/{booking_id}/aanmelden",
        data={"csrf_token": csrf_of(page), "naam": name, "email": email, "personen": str(party)},
    )


def _follow(m: MailingApp, link: str) -> str:
    """Open a mailed link and press its one button, as a person would."""
    button = m.client.get(link)
    assert button.status_code == 200, button.get_data(as_text=True)[:500]
    done = m.client.post(link, data={"csrf_token": csrf_of(button.get_data(as_text=True))})
    assert done.status_code == 200, done.get_data(as_text=True)[:1000]
    return done.get_data(as_text=True)


def _event(mail: EmailMessage) -> tuple[icalendar.Calendar, icalendar.Event]:
    (raw,) = calendar_files([mail])
    calendar = icalendar.Calendar.from_ical(raw)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _feed_event(m: MailingApp, place: int) -> icalendar.Event:
    feed = icalendar.Calendar.from_ical(m.client.get(f"/feeds/places/{place}.ics").data)
    (event,) = [e for e in feed.walk("VEVENT") if "Naaiatelier" in str(e["SUMMARY"])]
    return event


def test_signing_up_by_mail_then_leaving_moves_the_waitlist_and_every_agenda_follows(
    mailing: MailingApp,
) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    made = _activity(m, host, room)
    page = m.client.get(f"/activiteiten/{made['id']}").get_data(as_text=True)
    assert "Nog 2 plekken" in page and 'name="personen"' in page
    # The place's page and the front page say it too.
    assert "Nog 2 plekken" in m.client.get("/plekken/de-ster").get_data(as_text=True)
    assert "Nog 2 plekken" in m.client.get("/").get_data(as_text=True)

    sent = _sign_up_on_page(m, made["id"], "Sanne Bakker", "sanne@example.nl", 2)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/aanmelden/verstuurd")
    assert _counts(m, made["id"]) == (0, 0)  # nothing is held before the link is followed
    # Without a token the API does the same: 202, and a mail.
    asked = m.client.post(
        f"/api/v1/bookings/{made['id']}/signups",
        json={"name": "Joost", "email": "joost@example.nl"},
    )
    assert asked.status_code == 202 and asked.json["status"] == "unconfirmed"
    m.deliver()
    link = mail_link(m.mailbox.to("sanne@example.nl")[-1], "/aanmelden/bevestig/")
    assert "Je bent aangemeld" in _follow(m, link)
    assert _counts(m, made["id"]) == (2, 0)
    # A second press of the used link holds nothing twice.
    assert m.client.get(link).status_code == 404
    joost = _follow(m, mail_link(m.mailbox.to("joost@example.nl")[-1], "/aanmelden/bevestig/"))
    assert "Je staat op plek 1 van de wachtlijst" in joost
    assert _counts(m, made["id"]) == (2, 1)

    m.deliver()
    confirmation = m.mailbox.to("sanne@example.nl")[-1]
    assert "Naaiatelier" in confirmation["Subject"]
    _, mailed = _event(confirmation)
    in_feed = _feed_event(m, place)
    assert str(mailed["UID"]) == str(in_feed["UID"])
    assert int(mailed["SEQUENCE"]) == int(in_feed["SEQUENCE"])
    waiting_mail = m.mailbox.to("joost@example.nl")[-1]
    assert "wachtlijst" in mail_text(waiting_mail) and not calendar_files([waiting_mail])
    # Nobody's name, no count in the public feed: a sign-up changes no subscriber's copy.
    assert f"/activiteiten/{made['id']}" in str(in_feed["DESCRIPTION"])
    assert "Aanmelden:" in str(in_feed["DESCRIPTION"]) and "Sanne" not in str(in_feed)

    # Sanne cannot come after all: the cancel link in her mail frees the places.
    cancel = mail_link(confirmation, "/aanmelden/afmelden/")
    assert "Je bent afgemeld" in _follow(m, cancel)
    assert _counts(m, made["id"]) == (1, 0)
    m.deliver()
    promoted = m.mailbox.to("joost@example.nl")[-1]
    assert "plek" in promoted["Subject"].lower() and "/aanmelden/afmelden/" in mail_text(promoted)
    _, joost_event = _event(promoted)
    assert str(joost_event["UID"]) == str(in_feed["UID"])

    # The host moves the activity: Joost's agenda follows (same UID, higher SEQUENCE)...
    day = upcoming(6)
    moved = m.client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"start": local(day, "18:00"), "end": local(day, "20:00")},
        headers=host.headers,
    )
    assert moved.status_code == 200, moved.json
    m.deliver()
    move_mail = m.mailbox.to("joost@example.nl")[-1]
    _, after_move = _event(move_mail)
    assert str(after_move["UID"]) == str(in_feed["UID"])
    assert int(after_move["SEQUENCE"]) > int(joost_event["SEQUENCE"])
    # ...and a cancellation takes it out of every client (METHOD:CANCEL).
    gone = m.client.post(
        f"/api/v1/bookings/{made['id']}/cancel", json={"reason": "Ziek"}, headers=host.headers
    )
    assert gone.status_code == 200, gone.get_data(as_text=True)
    m.deliver()
    cancel_mail = m.mailbox.to("joost@example.nl")[-1]
    calendar, cancelled = _event(cancel_mail)
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(in_feed["UID"])
    # Sanne left before: she hears nothing of the move or the cancellation.
    assert m.mailbox.to("sanne@example.nl")[-1] is not cancel_mail
    assert all("Verplaatst" not in mail["Subject"] for mail in m.mailbox.to("sanne@example.nl"))


def test_a_link_left_unfollowed_holds_nothing_and_a_typo_keeps_what_was_typed(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host = place_with_host(m, requires_approval=False)
    made = _activity(m, host, room, capacity=1)
    too_many = _sign_up_on_page(m, made["id"], "Groep", "groep@example.nl", 3)
    assert too_many.status_code == 422
    html = too_many.get_data(as_text=True)
    assert 'value="groep@example.nl"' in html and "Groep" in html
    for n in range(3):
        assert (
            _sign_up_on_page(m, made["id"], f"Buur {n}", f"buur{n}@example.nl", 1).status_code
            == 303
        )
    assert _counts(m, made["id"]) == (0, 0)
    m.deliver()
    first = mail_link(m.mailbox.to("buur0@example.nl")[-1], "/aanmelden/bevestig/")
    second = mail_link(m.mailbox.to("buur1@example.nl")[-1], "/aanmelden/bevestig/")
    assert "Je bent aangemeld" in _follow(m, first)
    assert "plek 1 van de wachtlijst" in _follow(m, second)
    # The page says it is full and offers the waitlist.
    assert "Vol: zet je op de wachtlijst" in m.client.get(f"/activiteiten/{made['id']}").get_data(
        as_text=True
    )


def test_the_organiser_sees_who_comes_downloads_the_list_and_checks_in_at_the_door(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host = place_with_host(m, requires_approval=False)
    made = _activity(m, host, room, capacity=3)
    people = [m.make.account(name=f"Deelnemer {n}") for n in range(4)]
    for person, party in zip(people, (2, 1, 1, 1), strict=True):
        answer = m.client.post(
            f"/api/v1/bookings/{made['id']}/signups",
            json={"party_size": party},
            headers=person.headers,
        )
        assert answer.status_code == 201
    # The host signs in on the pages.
    sign_in(m, m.client, host.email)
    listed = m.client.get(f"/activiteiten/{made['id']}/deelnemers")
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert "Deelnemer 0" in html and "Deelnemer 3" in html  # coming, and waiting
    assert 'name="kwam"' not in html  # no ticks before the start
    spreadsheet = m.client.get(f"/activiteiten/{made['id']}/deelnemers?formaat=csv")
    assert spreadsheet.headers["Content-Type"].startswith("text/csv")
    rows = spreadsheet.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].split(";")[0] == "Naam" and len(rows) == 5
    early = m.client.post(
        f"/activiteiten/{made['id']}/deelnemers",
        data={"csrf_token": csrf_of(html), "binnengelopen": "2"},
    )
    assert early.status_code == 409

    shift_booking(m.make, made["id"], utcnow() - timedelta(minutes=10), hours=2)
    door = m.client.get(f"/activiteiten/{made['id']}/deelnemers").get_data(as_text=True)
    assert 'name="kwam"' in door
    confirmed = [
        s
        for s in m.client.get(f"/api/v1/bookings/{made['id']}/signups", headers=host.headers).json
        if s["status"] == "confirmed"
    ]
    pair = next(s for s in confirmed if s["party_size"] == 2)
    saved = m.client.post(
        f"/activiteiten/{made['id']}/deelnemers",
        data={"csrf_token": csrf_of(door), "kwam": [str(pair["id"])], "binnengelopen": "3"},
    )
    assert saved.status_code == 303
    recorded = m.make.run(lambda: attendance_of(made["id"]).count)
    assert recorded == 5  # the pair that came and three who walked in
    ticked = m.client.get(f"/api/v1/signups/{pair['id']}", headers=host.headers).json
    assert ticked["checked_in"] is True
    # Someone else signed in sees nothing of it.
    stranger = m.make.account(name="Nieuwsgierig")
    other = m.app.test_client()
    sign_in(m, other, stranger.email)
    assert other.get(f"/activiteiten/{made['id']}/deelnemers").status_code == 403


def test_the_day_before_everyone_with_a_place_is_reminded_once_with_the_cancel_link(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, host = place_with_host(m, requires_approval=False)
    made = _activity(m, host, room)
    person = m.make.account(name="Vergeetachtig")
    signed = m.client.post(
        f"/api/v1/bookings/{made['id']}/signups", json={}, headers=person.headers
    )
    assert signed.status_code == 201
    m.deliver()
    before = len(m.mailbox.to(person.email))
    runner = m.app.test_cli_runner()
    too_early = runner.invoke(
        args=["monitoring", "follow-up", "--as-of", f"{upcoming(3)}T17:00"]  # in UTC
    )
    assert too_early.exit_code == 0 and "signup_reminders: 0" in too_early.output, too_early.output
    day_before = f"{upcoming(4)}T19:00"  # UTC: a day minus a few hours before 19:00 local
    for _ in range(2):  # the worker runs every hour: the reminder goes once
        ran = runner.invoke(args=["monitoring", "follow-up", "--as-of", day_before])
        assert ran.exit_code == 0, ran.output
    m.deliver()
    reminders = m.mailbox.to(person.email)[before:]
    assert [mail["Subject"] for mail in reminders] == ["Morgen: Naaiatelier"]
    assert "/aanmelden/afmelden/" in mail_text(reminders[0]) and calendar_files(reminders)


def test_the_report_counts_sign_ups_and_no_shows_where_the_door_checked_in(
    mailing: MailingApp,
) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    made = _activity(m, host, room, capacity=5)
    people = [m.make.account(name=f"Buur {n}") for n in range(3)]
    ids = []
    for person, party in zip(people, (2, 1, 1), strict=True):
        answer = m.client.post(
            f"/api/v1/bookings/{made['id']}/signups",
            json={"party_size": party},
            headers=person.headers,
        )
        ids.append(answer.json["id"])

    shift_booking(m.make, made["id"], utcnow() - timedelta(minutes=30), hours=2)
    ticked = m.client.patch(
        f"/api/v1/signups/{ids[0]}", json={"checked_in": True}, headers=host.headers
    )
    assert ticked.status_code == 200 and ticked.json["checked_in"] is True
    today = utcnow().astimezone(AMSTERDAM).date()
    first, last = today.replace(day=1), today
    query = f"/api/v1/reports/impact?place={place}&from={first}&to={last}"
    report = m.client.get(query, headers=host.headers)
    assert report.status_code == 200, report.json
    (month,) = [
        item for item in report.json["by_month"] if item["month"] == today.strftime("%Y-%m")
    ]
    assert (month["signups"], month["no_shows"]) == (4, 2)  # the pair came; two singles did not
    sheet = m.client.get(query + "&format=xlsx", headers=host.headers)
    assert sheet.status_code == 200
    workbook = load_workbook(BytesIO(sheet.data))
    headers = [cell.value for cell in next(workbook.worksheets[1].iter_rows(max_row=1))]
    assert "Aangemeld" in headers and "Niet gekomen" in headers


def test_the_request_form_switches_sign_ups_on_with_a_number_of_places(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place, room, _host = place_with_host(m, requires_approval=False)
    day = upcoming(days=9).isoformat()
    form = m.client.get(f"/aanvragen?ruimte={room}").get_data(as_text=True)
    assert 'name="aanmelden"' in form and 'name="plekken"' in form
    # A browser sends the number empty: without sign-ups that is no error...
    walk_in = post_ask_form(m.client, room, day, "10:00", "11:00", "walk@example.nl", plekken="")
    assert walk_in.status_code == 303
    # ...with them it is, and so is a private activity that takes sign-ups.
    missing = post_ask_form(
        m.client, room, day, "19:00", "21:00", "org@example.nl", aanmelden="y", plekken=""
    )
    assert missing.status_code == 422
    assert "Vul in hoeveel plekken er zijn" in missing.get_data(as_text=True)
    private = post_ask_form(
        m.client,
        room,
        day,
        "19:00",
        "21:00",
        "org@example.nl",
        aanmelden="y",
        plekken="8",
        zichtbaarheid="private",
    )
    assert private.status_code == 422
    assert "die iedereen mag zien" in private.get_data(as_text=True)
    ask_for_slot(m.client, room, day, "org@example.nl", aanmelden="y", plekken="8")
    m.deliver()
    confirm = mail_link(m.mailbox.to("org@example.nl")[-1], "/aanvragen/bevestig/")
    page = m.client.get(confirm).get_data(as_text=True)
    placed = m.client.post(confirm, data={"csrf_token": csrf_of(page), "rest": "0"})
    assert placed.status_code == 200
    listed = m.client.get("/api/v1/bookings?page_size=100").json
    (booking,) = [item for item in listed if item["room_id"] == room and item["signups"]]
    assert booking["signups"]["capacity"] == 8 and booking["signups"]["places_left"] == 8


def test_sign_ups_by_mail_share_the_request_forms_budget_and_a_429_keeps_the_form(
    database_url: str, app: object
) -> None:
    from tests.conftest import discard_app, make_test_app
    from tests.factories import Factory

    limited = make_test_app(database_url, EMAIL_LINK_RATE_LIMIT="2 per hour")
    try:
        make = Factory(limited)
        place = make.place(name="De Ster", slug="de-ster", opening_hours="Mo-Su 08:00-22:00")
        room = make.room(place, name="Zaal", capacity=30)
        host = make.account(name="Gastvrouw", hosts=[place])
        client = limited.test_client()
        made = book(client, host, room, upcoming(5), "19:00", "21:00", signups={"capacity": 5})
        booking = made.json["id"]
        # A request link and an API sign-up for one address use up its two links...
        ask = post_ask_form(client, room, upcoming(6).isoformat(), "19:00", "20:00", "a@example.nl")
        assert ask.status_code == 303
        api = client.post(
            f"/api/v1/bookings/{booking}/signups", json={"name": "A", "email": "a@example.nl"}
        )
        assert api.status_code == 202
        # ...so the page's form answers 429 with everything as typed.
        page = client.get(f"/activiteiten/{booking}").get_data(as_text=True)
        refused = client.post(
            f"/activiteiten/{booking}/aanmelden",
            data={
                "csrf_token": csrf_of(page),
                "naam": "Anna Appel",
                "email": "a@example.nl",
                "personen": "3",
            },
        )
        assert refused.status_code == 429
        html = refused.get_data(as_text=True)
        assert 'value="Anna Appel"' in html and 'value="a@example.nl"' in html
        assert 'value="3"' in html and "Wacht" in html
        # With a token no link is mailed, and nothing is counted.
        person = make.account(name="Met token")
        placed = client.post(
            f"/api/v1/bookings/{booking}/signups",
            json={"email": "a@example.nl"},
            headers=person.headers,
        )
        assert placed.status_code == 201
    finally:
        discard_app(limited)
