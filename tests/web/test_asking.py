"""Asking for a slot on the pages, and deciding on it from a mail: real forms with CSRF, a
real SMTP server, the worker, and the links in the mails followed."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from booking.extensions import db
from booking.models import WebRequest, utcnow
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import (
    ask_for_slot,
    csrf_of,
    mail_link,
    mail_text,
    place_with_host,
    post_ask_form,
)


def test_a_weekly_request_approved_from_the_hosts_mail(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = place_with_host(m, requires_approval=True)
    known = m.make.account(name="Bekend")
    tuesday = upcoming(days=7, weekday=1).isoformat()
    # A known and an unknown address get the same answer.
    first = ask_for_slot(m.client, room, tuesday, "anna@example.nl", weeks=3, gratis="ja")
    second = ask_for_slot(m.client, room, tuesday, known.email, weeks=1)
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(first).group(0) == main.search(second).group(0)  # type: ignore[union-attr]
    assert "Kijk in je mail" in first
    m.deliver()
    mail = m.mailbox.to("anna@example.nl")[0]
    assert "Bevestig je aanvraag" in str(mail["Subject"])
    assert mail_text(mail).startswith("Hallo Anna de Vries,")  # the name given on the form
    confirm = mail_link(mail, "/aanvragen/bevestig/")
    # GET shows and changes nothing; POST books, once.
    page = m.client.get(confirm)
    assert page.status_code == 200 and "elke week, 3 keer" in page.get_data(as_text=True)
    assert m.client.get(confirm).status_code == 200
    placed = m.client.post(
        confirm, data={"csrf_token": csrf_of(page.get_data(as_text=True)), "rest": "0"}
    )
    assert placed.status_code == 200
    assert "Je aanvraag wacht op de gastheren" in placed.get_data(as_text=True)
    assert m.client.get(confirm).status_code == 404  # used
    # The host's mail has approve and decline links; GET asks, POST decides.
    m.deliver()
    host_mail = next(x for x in m.mailbox.received if "Nieuwe aanvraag" in str(x["Subject"]))
    approve = mail_link(host_mail, "/beheer/besluit/")
    assert "/beheer/besluit/" in mail_text(host_mail).split(approve)[1]  # decline too
    host_browser = m.app.test_client()
    ask_page = host_browser.get(approve)
    assert ask_page.status_code == 200 and "Buurtkoor" in ask_page.get_data(as_text=True)
    assert host_browser.post(approve, data={}).status_code == 400  # no CSRF token
    decided = host_browser.post(
        approve, data={"csrf_token": csrf_of(ask_page.get_data(as_text=True))}
    )
    assert decided.status_code == 200 and "Goedgekeurd" in decided.get_data(as_text=True)
    statuses = {
        b["status"]
        for b in m.client.get("/api/v1/bookings?page_size=50", headers=host.headers).json
    }
    assert statuses == {"confirmed"}
    # "Gratis" as chosen on the form (web 4, item 11); the unknown address's one only.
    free = {
        b["free_of_charge"]
        for b in m.client.get("/api/v1/bookings?page_size=50", headers=host.headers).json
    }
    assert free == {True}
    # The link is spent: the page says so and the form is gone.
    again = host_browser.get(approve).get_data(as_text=True)
    assert "al besloten" in again and "csrf_token" not in again
    # The resident hears of it, with a calendar file.
    m.deliver()
    confirmed = [x for x in m.mailbox.to("anna@example.nl") if "Bevestigd" in str(x["Subject"])]
    assert confirmed
    assert any(part.get_content_type() == "text/calendar" for part in confirmed[0].walk())


def test_forged_links_and_missing_csrf_change_nothing(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    day = upcoming(days=3).isoformat()
    assert m.client.post("/aanvragen", data={"ruimte": str(room), "datum": day}).status_code == 422
    assert m.client.get("/beheer/besluit/abc.def.ghi").status_code == 404
    assert m.client.get("/aanvragen/bevestig/not-a-code").status_code == 404
    m.deliver()
    assert not m.mailbox.received


def test_taken_dates_offer_the_free_ones(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = place_with_host(m, requires_approval=False)
    tuesday = upcoming(days=7, weekday=1)
    taken = tuesday + timedelta(weeks=1)
    assert book(m.client, host, room, taken, "19:30", "20:30").status_code == 201
    # Before any mail: the form lists the taken date, and asks whether to skip it.
    checked = post_ask_form(
        m.client, room, tuesday.isoformat(), "19:00", "21:00", "piet@example.nl", weken="3"
    )
    listed = checked.get_data(as_text=True)
    assert checked.status_code == 422 and "al geboekt" in listed
    assert 'name="bezet_overslaan"' in listed and 'value="Buurtkoor"' in listed
    m.deliver()
    assert not m.mailbox.to("piet@example.nl")  # nothing mailed yet
    ask_for_slot(
        m.client, room, tuesday.isoformat(), "piet@example.nl", weeks=3, bezet_overslaan="y"
    )
    m.deliver()
    confirm = mail_link(m.mailbox.to("piet@example.nl")[0], "/aanvragen/bevestig/")
    page = m.client.get(confirm).get_data(as_text=True)
    assert "al geboekt" in page and "Boek de vrije data" in page
    placed = m.client.post(confirm, data={"csrf_token": csrf_of(page), "rest": "1"})
    html = placed.get_data(as_text=True)
    assert placed.status_code == 200 and "Je boeking is bevestigd" in html
    assert html.count("19:00\u201321:00") == 2 and "1 datum was bezet" in html


def test_a_slot_taken_meanwhile_offers_alternatives(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = place_with_host(m, requires_approval=False)
    day = upcoming(days=4)
    ask_for_slot(m.client, room, day.isoformat(), "kees@example.nl")
    m.deliver()
    confirm = mail_link(m.mailbox.to("kees@example.nl")[0], "/aanvragen/bevestig/")
    page = m.client.get(confirm).get_data(as_text=True)
    assert book(m.client, host, room, day, "19:00", "20:00").status_code == 201
    answer = m.client.post(confirm, data={"csrf_token": csrf_of(page), "rest": "0"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "was net sneller" in html
    assert "/aanvragen?ruimte=" in html  # alternatives, each a new request
    # Nothing was booked, and the link still works for another try.
    assert m.client.get(confirm).status_code == 200


def test_the_request_and_sign_in_forms_are_rate_limited_per_address(
    database_url: str, app: object
) -> None:
    from tests.conftest import discard_app, make_test_app

    limited = make_test_app(database_url, EMAIL_LINK_RATE_LIMIT="2 per hour")
    try:
        client = limited.test_client()
        page = client.get("/inloggen").get_data(as_text=True)
        answers = [
            client.post(
                "/inloggen", data={"csrf_token": csrf_of(page), "email": "dezelfde@example.nl"}
            ).status_code
            for _ in range(3)
        ]
        assert answers == [303, 303, 429]
        # Another address from another client is not held back by the first one's budget,
        # but the same address from anywhere is.
        other = limited.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # a second client address
        token = csrf_of(other.get("/inloggen").get_data(as_text=True))

        def send(email: str) -> int:
            return other.post("/inloggen", data={"csrf_token": token, "email": email}).status_code

        assert send("ander@example.nl") == 303
        assert send("dezelfde@example.nl") == 429
    finally:
        discard_app(limited)


def test_user_text_is_escaped_on_the_signed_in_pages(mailing: MailingApp) -> None:
    m = mailing
    hostile = '<script>alert("x")</script>'
    place = m.make.place(name=hostile, slug="vijandig-beheer", opening_hours="Mo-Su 08:00-22:00")
    room = m.make.room(place, name=hostile)
    host = m.make.account(name=hostile, hosts=[place])
    day = upcoming(days=3)
    assert book(m.client, host, room, day, "10:00", "11:00", title=hostile).status_code == 201
    from tests.web.forms import sign_in

    client = m.app.test_client()
    sign_in(m, client, host.email)
    for path in ("/mijn", "/beheer/vijandig-beheer"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "&lt;script&gt;" in html, path


def test_a_rule_broken_meanwhile_is_said_and_the_link_kept(mailing: MailingApp) -> None:
    from datetime import datetime

    from tests.booking_helpers import AMSTERDAM

    m = mailing
    place, room, _host = place_with_host(m, requires_approval=False)
    day = upcoming(days=4)
    ask_for_slot(m.client, room, day.isoformat(), "lies@example.nl")
    m.deliver()
    confirm = mail_link(m.mailbox.to("lies@example.nl")[0], "/aanvragen/bevestig/")
    page = m.client.get(confirm).get_data(as_text=True)
    start = datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM)
    m.make.closure(place, start, start + timedelta(days=1))  # the place closes that day
    answer = m.client.post(confirm, data={"csrf_token": csrf_of(page), "rest": "0"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "kan zo niet worden geboekt" in html and "de plek is dicht" in html  # in Dutch
    assert m.client.get(confirm).status_code == 200  # nothing was used up


def test_a_decision_link_is_outdated_once_the_booker_moves_the_request(
    mailing: MailingApp,
) -> None:
    """Approved, then moved by its booker (pending again): the first mail's decline link
    no longer decides; the mail about the move carries links that do."""
    m = mailing
    _place_id, room, host = place_with_host(m, requires_approval=True)
    booker = m.make.account(name="Boeker")
    day = upcoming(days=9)
    made = book(m.client, booker, room, day, "19:00", "20:00")
    assert made.status_code == 201 and made.json["status"] == "pending"
    m.deliver()
    first_mail = next(x for x in m.mailbox.to(host.email) if "Nieuwe aanvraag" in str(x["Subject"]))
    old_links = re.findall(r"https?://[^\s]+(/beheer/besluit/[^\s]+)", mail_text(first_mail))
    assert len(old_links) == 2
    old_decline = old_links[1]
    confirmed = m.client.post(
        f"/api/v1/bookings/{made.json['id']}/confirm", json={}, headers=host.headers
    )
    assert confirmed.json["status"] == "confirmed"
    start = f"{day.isoformat()}T20:00:00"
    moved = m.client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={
            "start": start + made.json["start"][19:],
            "end": made.json["end"][:11] + "21:00:00" + made.json["end"][19:],
        },
        headers=booker.headers,
    )
    assert moved.status_code == 200 and moved.json["status"] == "pending", moved.json
    # The old link shows a decided request and its POST changes nothing.
    host_browser = m.app.test_client()
    page = host_browser.get(old_decline).get_data(as_text=True)
    assert "al besloten" in page and "csrf_token" not in page
    form_page = host_browser.get("/inloggen").get_data(as_text=True)  # any form: a CSRF token
    answer = host_browser.post(old_decline, data={"csrf_token": csrf_of(form_page)})
    assert answer.status_code == 303
    status = m.client.get(f"/api/v1/bookings/{made.json['id']}", headers=host.headers).json
    assert status["status"] == "pending"
    # The mail about the move has links that decide the request as it is now.
    m.deliver()
    moved_mail = [x for x in m.mailbox.to(host.email) if "/beheer/besluit/" in mail_text(x)][-1]
    assert moved_mail is not first_mail
    new_approve = mail_link(moved_mail, "/beheer/besluit/")
    assert new_approve not in old_links
    ask = host_browser.get(new_approve).get_data(as_text=True)
    assert host_browser.post(new_approve, data={"csrf_token": csrf_of(ask)}).status_code == 200
    status = m.client.get(f"/api/v1/bookings/{made.json['id']}", headers=host.headers).json
    assert status["status"] == "confirmed"


def test_a_confirm_link_signs_in_and_explains_itself_once_spent(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    resident = m.app.test_client()
    ask_for_slot(resident, room, upcoming(days=7).isoformat(), "ria@example.nl")
    ask_for_slot(m.client, room, upcoming(days=8).isoformat(), "kees@example.nl")
    m.deliver()
    confirm = mail_link(m.mailbox.to("ria@example.nl")[0], "/aanvragen/bevestig/")
    page = resident.get(confirm).get_data(as_text=True)
    placed = resident.post(confirm, data={"csrf_token": csrf_of(page), "rest": "0"})
    text = placed.get_data(as_text=True)
    assert placed.status_code == 200 and "Je bent nu ingelogd" in text
    # Signed in by the link, which proved the address; the file and the page are offered.
    assert resident.get("/mijn").status_code == 200
    ics_link = re.search(r'href="(/mijn/boekingen/\d+\.ics)"', text)
    assert ics_link and 'href="/mijn"' in text
    calendar = resident.get(ics_link.group(1))
    assert calendar.mimetype == "text/calendar" and b"BEGIN:VEVENT" in calendar.data
    # Used: it says so, and where the request is now.
    again = resident.get(confirm)
    spent = again.get_data(as_text=True)
    assert again.status_code == 404 and "Deze link is al gebruikt" in spent
    assert 'href="/mijn"' in spent
    # Expired: it says so, and offers to ask again.
    expired = mail_link(m.mailbox.to("kees@example.nl")[0], "/aanvragen/bevestig/")

    def expire() -> None:
        db.session.execute(update(WebRequest).values(expires_at=utcnow()))
        db.session.commit()

    m.make.run(expire)
    late = m.client.get(expired).get_data(as_text=True)
    assert "Deze link is verlopen" in late and f"/aanvragen?ruimte={room}" in late
    assert "Pagina niet gevonden" not in late


def test_a_request_that_can_never_be_booked_is_refused_before_any_mail(
    mailing: MailingApp,
) -> None:
    m = mailing
    place = m.make.place(
        name="Huiskamer Zuid",
        slug="huiskamer-zuid",
        opening_hours="Mo-Fr 09:00-17:00; PH off",
        policy={**DEFAULT_POLICY, "max_days_ahead": 60},
    )
    room = m.make.room(place, name="Kamer")
    sunday = upcoming(days=7, weekday=6)
    cases = {
        (sunday.isoformat(), "10:00", "11:00"): "De plek is dan dicht",
        (upcoming(days=7, weekday=1).isoformat(), "21:00", "22:00"): "De plek is dan dicht",
        (upcoming(days=200, weekday=1).isoformat(), "10:00", "11:00"): "te ver vooruit",
    }
    for (day, start, end), said in cases.items():
        answer = post_ask_form(m.client, room, day, start, end, "els@example.nl")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422 and said in page, (day, start, page[-3000:])
    m.deliver()
    assert not m.mailbox.received  # no mail for a slot that can never be booked


def test_a_title_of_invisible_characters_is_refused_on_the_form(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    answer = post_ask_form(
        m.client,
        room,
        upcoming(days=7).isoformat(),
        "19:00",
        "21:00",
        "x@example.nl",
        titel="\ufeff\u200b",
    )
    assert answer.status_code == 422
    assert "Schrijf iets wat te lezen is." in answer.get_data(as_text=True)


def test_the_request_form_says_the_rule_next_to_the_field(mailing: MailingApp) -> None:
    """Web 4, item 8: a past date and an end before the start are named beside their
    fields, not with a generic error; what was typed stays."""
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    past = post_ask_form(
        m.client, room, upcoming(days=-3).isoformat(), "19:00", "21:00", "x@example.nl"
    )
    text = past.get_data(as_text=True)
    assert past.status_code == 422
    assert 'id="datum-fout">Die tijd is al voorbij' in text
    backwards = post_ask_form(
        m.client, room, upcoming(days=7).isoformat(), "17:00", "15:00", "x@example.nl"
    )
    text = backwards.get_data(as_text=True)
    assert backwards.status_code == 422
    assert 'id="tot-fout">Het einde moet na het begin liggen.' in text
    assert 'value="Buurtkoor"' in text and "Er klopt iets niet" not in text
    # Times as people type them: 19.30 and 2130 are read.
    typed = post_ask_form(
        m.client, room, upcoming(days=7).isoformat(), "19.30", "2130", "x@example.nl"
    )
    assert typed.status_code == 303
