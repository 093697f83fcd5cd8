"""One Dutch voice: every rule code the services raise has a page text, Dutch and English, and
a page that is refused says it in the page's language, never in the API's English."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_babel import force_locale

from booking.page_texts import TEXTS
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
RAISED = (
    re.compile(r'code="([a-z_]+)"'),  # DomainError(..., code="...")
    re.compile(r'^\s+code = "([a-z_]+)"', re.M),  # a DomainError subclass's own code
    re.compile(r'Violation\(\s*"([a-z_]+)"'),  # a broken booking rule
    re.compile(r'^\s+"(nonexistent_local_time|wrong_utc_offset)",', re.M),
)


def _raised_codes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "booking").rglob("*.py"):
        text = path.read_text()
        for pattern in RAISED:
            found.update(pattern.findall(text))
    return found


def test_every_rule_code_has_a_dutch_and_an_english_page_text(app: Flask) -> None:
    codes = _raised_codes()
    assert len(codes) > 50  # the walk itself works
    missing = sorted(codes - TEXTS.keys())
    assert not missing, f"add a page text to booking/page_texts.py for: {missing}"
    with app.test_request_context():
        with force_locale("en"):
            english = {code: str(text) for code, text in TEXTS.items()}
        with force_locale("nl"):
            dutch = {code: str(text) for code, text in TEXTS.items()}
    untranslated = [code for code in TEXTS if dutch[code] == english[code]]
    assert not untranslated, f"no Dutch text (make translations): {untranslated}"


def test_a_refused_move_says_why_in_dutch(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place(opening_hours="Mo-Su 09:00-17:00", policy=dict(DEFAULT_POLICY))
    room = m.make.room(place)
    client = m.app.test_client()
    sign_in(m, client, "verzetter@example.nl")
    token = m.client.post("/api/v1/auth/email-link", json={"email": "verzetter@example.nl"})
    assert token.status_code == 202
    from tests.delivery.test_sign_in import mailed_code
    from tests.factories import Caller

    m.deliver()
    code = mailed_code(
        type("Box", (), {"to": lambda self, a: m.mailbox.to(a)[-1:]})(), "verzetter@example.nl"
    )  # type: ignore[call-arg]
    signed = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code}).json
    me = Caller(
        id=signed["account"]["id"],
        token=signed["token"],
        email="verzetter@example.nl",
        scopes=["read", "book"],
    )
    day = upcoming(5)
    made = book(m.client, me, room, day, "10:00", "11:00")
    assert made.status_code == 201
    url = f"/mijn/boekingen/{made.json['id']}/verplaatsen"
    form = client.get(url).get_data(as_text=True)
    moved = client.post(
        url,
        data={
            "csrf_token": csrf_of(form),
            "datum": day.isoformat(),
            "van": "18:00",
            "tot": "19:00",
        },
    )
    page = moved.get_data(as_text=True)
    assert moved.status_code == 422
    assert "De plek is dan dicht. Kies een tijd binnen de openingstijden." in page
    assert "opening hours" not in page  # not the API's English
    past = client.post(
        url,
        data={
            "csrf_token": csrf_of(form),
            "datum": (day - timedelta(days=30)).isoformat(),
            "van": "10:00",
            "tot": "11:00",
        },
    )
    assert "Die tijd is al voorbij" in past.get_data(as_text=True)
    assert "already passed" not in past.get_data(as_text=True)
