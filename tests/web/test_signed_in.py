"""Signed in on the pages by e-mail link: one's own bookings and calendar link, and the
hosts' side (requests, closures with their effect, opening hours, usage)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Account, OutboxMessage, WebhookSubscription
from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, mail_link, mail_text, sign_in


def test_sign_in_starts_a_new_session(mailing: MailingApp) -> None:
    m = mailing
    client = m.app.test_client()
    assert client.get("/mijn").status_code == 303  # to the sign-in page
    client.get("/inloggen")  # a session exists before (the CSRF secret)
    before = client.get_cookie("session")
    assert before is not None
    sign_in(m, client, "bewoner@example.nl")
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    assert after.http_only and after.same_site == "Lax"
    assert after.expires is not None  # a permanent session: 14 days
    page = client.get("/mijn").get_data(as_text=True)
    assert "bewoner@example.nl" in page and "Mijn Wijkruimte" in page
    # The same link again does nothing.
    link = mail_link(m.mailbox.to("bewoner@example.nl")[-1], "/inloggen/code/")
    other = m.app.test_client()
    button = other.get(link).get_data(as_text=True)
    assert other.post(link, data={"csrf_token": csrf_of(button)}).status_code == 422
    # Signing out ends it.
    client.post("/uitloggen", data={"csrf_token": csrf_of(page)})
    assert client.get("/mijn").status_code == 303


def test_my_bookings_cancel_move_and_calendar_link(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=5)
    booked = book(m.client, resident, room, day, "10:00", "11:00", title="Zaaiochtend")
    assert booked.status_code == 201
    other = book(m.client, resident, room, day, "14:00", "15:00", title="Oogstmiddag")
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    page = client.get("/mijn").get_data(as_text=True)
    assert "Zaaiochtend" in page and "Oogstmiddag" in page
    # Move one to 16:00.
    form = client.get(f"/mijn/boekingen/{other.json['id']}/verplaatsen").get_data(as_text=True)
    moved = client.post(
        f"/mijn/boekingen/{other.json['id']}/verplaatsen",
        data={
            "csrf_token": csrf_of(form),
            "datum": day.isoformat(),
            "van": "16:00",
            "tot": "17:00",
        },
    )
    assert moved.status_code == 303
    assert "16:00\u201317:00" in client.get("/mijn").get_data(as_text=True)
    # Cancel one with a reason; the hosts hear of it.
    cancelled = client.post(
        f"/mijn/boekingen/{booked.json['id']}/annuleren",
        data={"csrf_token": csrf_of(page), "reden": "Regen voorspeld"},
    )
    assert cancelled.status_code == 303
    assert "Zaaiochtend" not in client.get("/mijn").get_data(as_text=True)
    # A calendar link, shown once, that works; revoked, it stops.
    made = client.post("/mijn/agenda", data={"csrf_token": csrf_of(page)}).get_data(as_text=True)
    feed = re.search(r'href="webcal://[^/]+(/feeds/private/[^"]+\.ics)"', made)
    assert feed, made
    calendar = m.client.get(feed.group(1))
    assert calendar.status_code == 200 and b"Oogstmiddag" in calendar.data
    page = client.get("/mijn").get_data(as_text=True)
    revoke = re.search(r'action="(/mijn/agenda/\d+/intrekken)"', page)
    assert revoke
    assert client.post(revoke.group(1), data={"csrf_token": csrf_of(page)}).status_code == 303
    assert m.client.get(feed.group(1)).status_code == 404
    # The host of the place heard of the cancellation, and why.
    m.deliver()
    assert any("Regen voorspeld" in mail_text(x) for x in m.mailbox.to(host.email))


def test_hosts_decide_close_and_change_hours(mailing: MailingApp) -> None:
    m = mailing
    place, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=6)
    request = book(m.client, resident, room, day, "10:00", "12:00", title="Moestuinles")
    assert request.json["status"] == "pending"
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/wijktuin-noord")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Moestuinles" in html and resident.email in html
    approved = client.post(
        "/beheer/wijktuin-noord/besluit",
        data={"csrf_token": csrf_of(html), "boeking": request.json["id"], "besluit": "approve"},
    )
    assert approved.status_code == 303
    assert (
        m.client.get(f"/api/v1/bookings/{request.json['id']}", headers=resident.headers).json[
            "status"
        ]
        == "confirmed"
    )
    # A closure: first what it hits, then closing and cancelling.
    closure = {
        "csrf_token": csrf_of(html),
        "van_datum": day.isoformat(),
        "van_tijd": "00:00",
        "tot_datum": (day + timedelta(days=1)).isoformat(),
        "tot_tijd": "00:00",
        "reden": "Snoeiwerk",
    }
    preview = client.post("/beheer/wijktuin-noord/sluiting", data={**closure, "stap": "preview"})
    assert preview.status_code == 200 and "Moestuinles" in preview.get_data(as_text=True)
    assert m.client.get(f"/api/v1/places/{place}/closures").json == []  # nothing saved yet
    saved = client.post(
        "/beheer/wijktuin-noord/sluiting", data={**closure, "stap": "save", "annuleren": "1"}
    )
    assert saved.status_code == 303
    m.deliver()
    cancelled = [x for x in m.mailbox.to(resident.email) if "Afgelast" in str(x["Subject"])]
    assert cancelled and "Snoeiwerk" in mail_text(cancelled[0])
    # New opening hours: a preview of four weeks, then saved.
    hours = {"csrf_token": csrf_of(html), "openingstijden": "Mo-Fr 09:00-17:00; PH off"}
    shown = client.post("/beheer/wijktuin-noord/openingstijden", data={**hours, "stap": "preview"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "09:00\u201317:00" in text and "gesloten" in text
    assert m.client.get(f"/api/v1/places/{place}").json["opening_hours"] == "Mo-Su 08:00-22:00"
    client.post("/beheer/wijktuin-noord/openingstijden", data={**hours, "stap": "save"})
    assert m.client.get(f"/api/v1/places/{place}").json["opening_hours"].startswith("Mo-Fr")
    # The usage report, and its CSV.
    usage = client.get(f"/beheer/wijktuin-noord/gebruik?van={day}&tot={day}&formaat=csv")
    assert usage.status_code == 200 and usage.mimetype == "text/csv"
    # Someone who does not host the place is refused.
    stranger = m.app.test_client()
    sign_in(m, stranger, "vreemde@example.nl")
    assert stranger.get("/beheer/wijktuin-noord").status_code == 403


def test_start_an_initiative_and_ask_for_a_suggested_weekly_slot(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = garden_with_host(m)
    client = m.app.test_client()
    assert client.get("/initiatieven/nieuw").status_code == 303  # sign in first
    sign_in(m, client, "initiatiefnemer@example.nl")
    form = client.get("/initiatieven/nieuw").get_data(as_text=True)
    first = upcoming(days=8, weekday=3)
    made = client.post(
        "/initiatieven/nieuw",
        data={
            "csrf_token": csrf_of(form),
            "titel": "Buurtbreiclub",
            "samenvatting": "Samen breien",
            "personen": "8",
            "duur": "90",
            "dag": "th",
            "dagdeel": "afternoon",
            "proef_van": first.isoformat(),
            "proef_tot": (first + timedelta(weeks=3)).isoformat(),
        },
    )
    assert made.status_code == 303
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Buurtbreiclub" in page and "Wekelijkse tijden die passen" in page
    ask = re.search(r'href="(/aanvragen\?[^"]*initiatief=\d+[^"]*)"', page)
    assert ask, page
    url = ask.group(1).replace("&amp;", "&")
    assert f"ruimte={room}" in url and "weken=4" in url
    form_page = client.get(url).get_data(as_text=True)
    assert 'name="weken" type="number" value="4"' in form_page or 'value="4"' in form_page
    # Move it on to a trial.
    moved = client.post(
        made.headers["Location"] + "/stap",
        data={"csrf_token": csrf_of(page), "naar": "trial", "notitie": "We proberen het"},
    )
    assert moved.status_code == 303
    assert "op proef" in client.get(made.headers["Location"]).get_data(as_text=True)
    ended = client.post(
        made.headers["Location"] + "/stap",
        data={"csrf_token": csrf_of(page), "naar": "ended", "uitkomst": "moved"},
    )
    assert ended.status_code == 303
    assert "afgelopen" in client.get(made.headers["Location"]).get_data(as_text=True)


def _copy_of_session(m: MailingApp, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie, as a thief would."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = m.app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_signing_out_ends_the_session_on_the_server(mailing: MailingApp) -> None:
    m = mailing
    client = m.app.test_client()
    sign_in(m, client, "bewoner@example.nl")
    copy = _copy_of_session(m, client)
    assert copy.get("/mijn").status_code == 200  # the copy works while the session lives
    page = client.get("/mijn").get_data(as_text=True)
    assert client.post("/uitloggen", data={"csrf_token": csrf_of(page)}).status_code == 303
    assert client.get("/mijn").status_code == 303
    assert copy.get("/mijn").status_code == 303  # the copy taken before is worth nothing


def test_signing_out_everywhere_ends_every_session(mailing: MailingApp) -> None:
    m = mailing
    laptop, phone = m.app.test_client(), m.app.test_client()
    sign_in(m, laptop, "bewoner@example.nl")
    sign_in(m, phone, "bewoner@example.nl")
    other = m.app.test_client()
    sign_in(m, other, "buurman@example.nl")
    page = laptop.get("/mijn").get_data(as_text=True)
    assert "Overal uitloggen" in page
    ended = laptop.post("/mijn/overal-uitloggen", data={"csrf_token": csrf_of(page)})
    assert ended.status_code == 303
    assert laptop.get("/mijn").status_code == 303 and phone.get("/mijn").status_code == 303
    assert other.get("/mijn").status_code == 200  # another account keeps its session


def test_an_invited_partner_hears_by_mail_and_accepts_on_the_pages(mailing: MailingApp) -> None:
    m = mailing
    initiator = m.make.account(name="Fatima")
    made = m.client.post(
        "/api/v1/initiatives",
        json={"title": "Huiswerkklas", "partner_ids": []},
        headers=initiator.headers,
    ).json
    client = m.app.test_client()
    sign_in(m, client, "school@example.nl")  # the school's account exists from here
    school = m.make.run(
        lambda: db.session.scalar(select(Account.id).where(Account.email == "school@example.nl"))
    )
    listed = m.client.patch(
        f"/api/v1/initiatives/{made['id']}",
        json={"partner_ids": [school]},
        headers=initiator.headers,
    )
    assert listed.json["invited_partner_ids"] == [school]
    m.deliver()
    (invitation,) = [
        mail for mail in m.mailbox.to("school@example.nl") if "Huiswerkklas" in str(mail["Subject"])
    ]
    assert "Uitnodiging" in str(invitation["Subject"]) and "/mijn" in mail_text(invitation)
    page = client.get("/mijn").get_data(as_text=True)
    assert "Uitnodigingen als partner" in page and "Uitgenodigd door Fatima" in page
    answered = client.post(
        f"/mijn/partnerschap/{made['id']}/ja", data={"csrf_token": csrf_of(page)}
    )
    assert answered.status_code == 303
    shown = m.client.get(f"/api/v1/initiatives/{made['id']}").json
    assert shown["partner_ids"] == [school]
    assert "Uitnodigingen als partner" not in client.get("/mijn").get_data(as_text=True)


def test_erasing_an_account_ends_its_sessions_webhooks_and_waiting_mail(
    mailing: MailingApp,
) -> None:
    m = mailing
    laptop, phone = m.app.test_client(), m.app.test_client()
    sign_in(m, laptop, "wis@example.nl")
    sign_in(m, phone, "wis@example.nl")
    token = m.client.post("/api/v1/auth/email-link", json={"email": "wis@example.nl"})
    assert token.status_code == 202
    m.deliver()
    code = re.search(
        r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", mail_text(m.mailbox.to("wis@example.nl")[-1])
    )
    assert code
    signed = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code.group(1)}).json
    headers = {"Authorization": f"Bearer {signed['token']}"}
    m.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    hook = m.client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["booking.confirmed"]},
        headers=headers,
    )
    assert hook.status_code == 201
    # One mail is refused (it waits for its retry), one is not even dispatched yet.
    m.client.post("/api/v1/auth/email-link", json={"email": "wis@example.nl"})
    m.mailbox.refuse_next = 1
    m.deliver()
    m.client.post("/api/v1/auth/email-link", json={"email": "wis@example.nl"})
    assert m.client.delete("/api/v1/accounts/me", headers=headers).status_code == 204
    assert laptop.get("/mijn").status_code == 303 and phone.get("/mijn").status_code == 303

    def left() -> tuple[int, list[tuple[str, str]]]:
        hooks = db.session.scalar(select(func.count()).select_from(WebhookSubscription))
        waiting = [
            (message.status, message.recipient)
            for message in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.last_error == "account erased")
            )
        ]
        return int(hooks or 0), waiting

    m.make_due()
    m.deliver()  # the last request's event now names no address: nothing goes out
    hooks, waiting = m.make.run(left)
    assert hooks == 0
    assert waiting == [("failed", "")]
    assert len(m.mailbox.to("wis@example.nl")) == 3  # two sign-ins and one code, no more


def test_mails_are_turned_off_on_my_page_as_the_mails_say(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = garden_with_host(m)
    booker = m.make.account(name="Ans")
    client = m.app.test_client()
    sign_in(m, client, booker.email)
    made = book(m.client, booker, room, upcoming(days=5), "10:00", "11:00")
    assert made.status_code == 201
    m.deliver()
    mail = m.mailbox.to(host.email)[-1]  # the request, to the host
    assert "uitzetten op Mijn Wijkruimte" in mail_text(
        mail
    ) and "email_notifications" not in mail_text(mail)
    page = client.get("/mijn").get_data(as_text=True)
    assert (
        'name="mails"' in page
        and "checked" in page.split('name="mails"')[0][-200:] + page.split('name="mails"')[1][:50]
    )
    assert client.post("/mijn/mails", data={"csrf_token": csrf_of(page)}).status_code == 303
    me = m.client.get("/api/v1/accounts/me", headers=booker.headers).json
    assert me["email_notifications"] is False


def test_an_admin_blocking_an_account_ends_its_sessions_and_sign_ins(
    mailing: MailingApp,
) -> None:
    m = mailing
    admin = m.make.account(admin=True)
    person = m.make.account(name="Lastig")
    laptop = m.app.test_client()
    sign_in(m, laptop, person.email)
    url = f"/api/v1/accounts/{person.id}"
    assert m.client.patch(url, json={"blocked": True}, headers=person.headers).status_code == 403
    blocked = m.client.patch(url, json={"blocked": True}, headers=admin.headers)
    assert blocked.status_code == 200 and blocked.json["blocked_at"]
    assert laptop.get("/mijn").status_code == 303  # the session ended
    refused = m.client.get("/api/v1/accounts/me", headers=person.headers)
    assert refused.status_code == 401 and refused.json["code"] == "account_blocked"
    # Signing in again does not work either.
    m.client.post("/api/v1/auth/email-link", json={"email": person.email})
    m.deliver()
    code = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", mail_text(m.mailbox.to(person.email)[-1]))
    assert code
    again = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code.group(1)})
    assert again.status_code == 403 and again.json["code"] == "account_blocked"
    # Unblocked, its tokens work again; its ended sessions stay ended.
    assert m.client.patch(url, json={"blocked": False}, headers=admin.headers).status_code == 200
    assert m.client.get("/api/v1/accounts/me", headers=person.headers).status_code == 200
    assert laptop.get("/mijn").status_code == 303
    own = m.client.patch(
        f"/api/v1/accounts/{admin.id}", json={"blocked": True}, headers=admin.headers
    )
    assert own.status_code == 409


def test_a_person_changes_their_name_on_my_page(mailing: MailingApp) -> None:
    """Web 4, item 7: /privacy promises a name change on /mijn; an account made by mail is
    named after its address until then."""
    m = mailing
    client = m.app.test_client()
    sign_in(m, client, "kees@example.nl")
    page = client.get("/mijn").get_data(as_text=True)
    assert 'name="naam"' in page and 'value="kees"' in page
    empty = client.post("/mijn/naam", data={"csrf_token": csrf_of(page), "naam": "  "})
    assert empty.status_code == 422 and "Mijn naam" in empty.get_data(as_text=True)
    saved = client.post("/mijn/naam", data={"csrf_token": csrf_of(page), "naam": " Kees  van Dam "})
    assert saved.status_code == 303
    after = client.get("/mijn").get_data(as_text=True)
    assert "Opgeslagen: je naam is nu Kees van Dam." in after and 'value="Kees van Dam"' in after


def test_my_data_reads_as_a_page_in_words_and_local_times(mailing: MailingApp) -> None:
    """Web 4, item 10: beside the JSON download, "Dit bewaren we over je"."""
    m = mailing
    _place, room, host = garden_with_host(m)
    resident = m.make.account(name="Ria")
    made = book(m.client, resident, room, upcoming(days=5), "19:00", "21:00", title="Taalcafé")
    assert made.status_code == 201
    m.client.post(
        "/api/v1/tokens", json={"name": "rooster", "scopes": ["read"]}, headers=resident.headers
    )
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    mine = client.get("/mijn").get_data(as_text=True)
    assert 'href="/mijn/gegevens/lezen"' in mine
    page = client.get("/mijn/gegevens/lezen")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Dit bewaren we over je" in text and "Taalcafé" in text
    assert "19:00\u201321:00" in text and "wacht op goedkeuring" in text  # local, in words
    assert "rooster" in text and "wk_" not in text  # the key's name, never the key
    assert re.search(r"\d{4}-\d{2}-\d{2}T", text) is None  # no ISO stamps for a person
    assert host.email not in text
