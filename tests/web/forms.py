"""Helpers for the page tests: the CSRF token of a form, the text and links of a mail, a
place with a host, and the request form filled in as a resident would."""

from __future__ import annotations

import re
from email.message import EmailMessage

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from booking.services.booking.policy import DEFAULT_POLICY
from tests.factories import Caller
from tests.web.conftest import MailingApp

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def mail_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def mail_link(mail: EmailMessage, path: str) -> str:
    found = re.search(rf"https?://[^\s]+({path}[^\s]+)", mail_text(mail))
    assert found, mail_text(mail)
    return found.group(1)


def place_with_host(m: MailingApp, requires_approval: bool) -> tuple[int, int, Caller]:
    place = m.make.place(
        name="Buurthuis De Ster",
        slug="de-ster",
        opening_hours="Mo-Su 08:00-22:00",
        policy={**DEFAULT_POLICY, "requires_approval": requires_approval},
    )
    room = m.make.room(place, name="Zaal", capacity=30)
    host = m.make.account(name="Gastvrouw", hosts=[place])
    return place, room, host


def post_ask_form(
    client: FlaskClient, room: int, day: str, start: str, end: str, email: str, **fields: str
) -> TestResponse:
    """Send the request form as typed, without following the answer."""
    form = client.get(f"/aanvragen?ruimte={room}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_of(form),
        "ruimte": str(room),
        "datum": day,
        "van": start,
        "tot": end,
        "titel": "Buurtkoor",
        "zichtbaarheid": "public",
        "weken": "1",
        "naam": "Piet",
        "email": email,
        **fields,
    }
    return client.post("/aanvragen", data=data)


def ask_for_slot(
    client: FlaskClient, room: int, day: str, email: str, weeks: int = 1, **fields: str
) -> str:
    """Fill in and send the form as a resident would; returns the page answered."""
    form = client.get(f"/aanvragen?ruimte={room}&van={day}T19:00&tot={day}T22:00")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'value="19:00"' in html and 'value="21:00"' in html  # two hours of the slot
    data = {
        "csrf_token": csrf_of(html),
        "ruimte": str(room),
        "datum": day,
        "van": "19:00",
        "tot": "21:00",
        "titel": "Buurtkoor",
        "beschrijving": "Zingen met de buren.",
        "personen": "12",
        "zichtbaarheid": "public",
        "weken": str(weeks),
        "naam": "Anna de Vries",
        "email": email,
        **fields,
    }
    answer = client.post("/aanvragen", data=data, follow_redirects=True)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:2000]
    return answer.get_data(as_text=True)


def sign_in(m: MailingApp, client: FlaskClient, email: str) -> None:
    """Sign in on the pages with the mailed link, as a person would."""
    page = client.get("/inloggen").get_data(as_text=True)
    sent = client.post("/inloggen", data={"csrf_token": csrf_of(page), "email": email})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/inloggen/verstuurd")
    m.deliver()
    link = mail_link(m.mailbox.to(email)[-1], "/inloggen/code/")
    button = client.get(link)
    assert button.status_code == 200
    signed = client.post(link, data={"csrf_token": csrf_of(button.get_data(as_text=True))})
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/mijn")


def garden_with_host(m: MailingApp) -> tuple[int, int, Caller]:
    """A garden place that approves requests, its room and its host."""
    place = m.make.place(
        name="Wijktuin Noord",
        slug="wijktuin-noord",
        opening_hours="Mo-Su 08:00-22:00",
        policy={**DEFAULT_POLICY, "requires_approval": True},
    )
    room = m.make.room(place, name="Kas", capacity=15)
    host = m.make.account(name="Tuinman", hosts=[place])
    return place, room, host
