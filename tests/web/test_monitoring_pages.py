"""Monitoring on the pages, with real mail: the morning-after attendance link, anonymous
feedback behind its spam guard, a complaint through its whole life (receipt, reminder at
four weeks, escalation at six, answer, and its contact wiped a year on), and the report
with its charts, PDF (read back with pdftotext) and spreadsheet (read back with openpyxl)."""

from __future__ import annotations

import io
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from openpyxl import load_workbook

from booking.extensions import db
from booking.models import Booking
from booking.web.spam_guard import form_stamp
from tests.api.test_monitoring import WEEK, _past_booking, _report_data
from tests.conftest import discard_app, make_test_app
from tests.delivery.conftest import MailingApp
from tests.delivery.mailed_calendars import check_mailed_calendars
from tests.factories import Factory
from tests.smtp import smtp_server
from tests.web.forms import csrf_of, mail_link, sign_in

ORGANISATION = "klachten@organisatie.example"
# poppler-utils, installed by `make test` (the `pdf` target) like Chromium.
PDFTOTEXT = "/usr/bin/pdftotext"


@pytest.fixture
def monitored(database_url: str, app: Flask) -> Iterator[MailingApp]:
    """The mailing app with an organisation contact for complaints."""
    with smtp_server() as (mailbox, url):
        application = make_test_app(database_url, SMTP_URL=url, COMPLAINTS_EMAIL=ORGANISATION)
        yield MailingApp(application, application.test_client(), Factory(application), mailbox, url)
        try:
            check_mailed_calendars(application, list(mailbox.received))
        finally:
            discard_app(application)


def mail_text(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _stamp(m: MailingApp, seconds_ago: float = 10) -> str:
    with m.app.test_request_context():
        return form_stamp(time.time() - seconds_ago)


def _cli(m: MailingApp, *args: str) -> str:
    done = m.app.test_cli_runner().invoke(args=list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_the_morning_after_mail_asks_how_many_came(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place(
        name="Huiskamer", slug="huiskamer", monitoring={"attendance": "booker", "feedback": False}
    )
    room = m.make.room(place)
    booker = m.make.account(name="Fatima")
    booking = _past_booking(m.make, place, room, booker)
    # Before the morning after nothing is asked; after it, once.
    ended = m.make.run(lambda: db.session.get(Booking, booking).end)
    assert "attendance_asked: 0" in _cli(
        m, "monitoring", "follow-up", "--as-of", ended.strftime("%Y-%m-%dT%H:%M")
    )
    morning = (ended + timedelta(days=1)).replace(hour=9, minute=0).astimezone(UTC)
    assert "attendance_asked: 1" in _cli(
        m, "monitoring", "follow-up", "--as-of", morning.strftime("%Y-%m-%dT%H:%M")
    )
    assert "attendance_asked: 0" in _cli(
        m, "monitoring", "follow-up", "--as-of", morning.strftime("%Y-%m-%dT%H:%M")
    )
    m.deliver()
    (mail,) = m.mailbox.to(booker.email)
    assert mail["Subject"] == "Hoeveel mensen kwamen er? Breiclub"
    link = mail_link(mail, "/aanwezig/")
    client = m.app.test_client()  # not signed in: the link is enough
    page = client.get(link)
    assert page.status_code == 200 and "Hoeveel mensen kwamen er?" in page.get_data(as_text=True)
    wrong = client.post(
        link,
        data={
            "csrf_token": csrf_of(page.get_data(as_text=True)),
            "aantal": "5",
            "eerste_keer": "7",
        },
    )
    assert wrong.status_code == 422 and "Niet meer dan het aantal" in wrong.get_data(as_text=True)
    done = client.post(
        link,
        data={
            "csrf_token": csrf_of(page.get_data(as_text=True)),
            "aantal": "9",
            "eerste_keer": "2",
        },
    )
    assert done.status_code == 200 and "9 mensen" in done.get_data(as_text=True)
    shown = m.client.get(f"/api/v1/bookings/{booking}").json["attendance"]
    assert shown["count"] == 9 and shown["first_time"] == 2
    # The link opened again (a second host's does the same) says who entered it, and when.
    again = client.get(link).get_data(as_text=True)
    assert "Al ingevuld door Fatima" in again and ": 9 mensen." in again
    assert client.get(link[:-6] + "xxxxxx").status_code == 404  # a forged link
    # A blocked account's link no longer records anything.
    admin = m.make.account(admin=True)
    blocked = m.client.patch(
        f"/api/v1/accounts/{booker.id}", json={"blocked": True}, headers=admin.headers
    )
    assert blocked.status_code == 200
    # Its page refuses as its saving does (security 3, item 4).
    page = client.get(link)
    assert page.status_code == 404 and 'name="aantal"' not in page.get_data(as_text=True)
    again = client.post(link, data={"aantal": "3"})
    assert again.status_code == 404
    assert m.client.get(f"/api/v1/bookings/{booking}").json["attendance"]["count"] == 9


def test_feedback_behind_the_spam_guard(mailing: MailingApp) -> None:
    m = mailing
    quiet = m.make.place(name="Stil", slug="stil")
    place = m.make.place(
        name="Huiskamer", slug="huiskamer", monitoring={"attendance": "off", "feedback": True}
    )
    host = m.make.account(hosts=[place])
    client = m.app.test_client()
    assert client.get("/plekken/stil/hoe-was-het").status_code == 404
    assert "Hoe was het? Zeg het anoniem" in client.get("/plekken/huiskamer").get_data(as_text=True)
    page = client.get("/plekken/huiskamer/hoe-was-het").get_data(as_text=True)
    assert "Heel goed" in page and 'name="website"' in page
    answer = {"csrf_token": csrf_of(page), "score": "4", "opmerking": "Fijne middag"}
    # Posted at once: shown again with the face and the comment, never thanked and dropped.
    fresh = re.search(r'name="t"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="t"', page
    )
    assert fresh
    quick = client.post("/plekken/huiskamer/hoe-was-het", data={**answer, "t": fresh.group(1)})
    again = quick.get_data(as_text=True)
    assert quick.status_code == 422 and "Nog één keer versturen, alsjeblieft." in again
    assert "Dank je wel" not in again and re.search(r">\s*Fijne middag</textarea>", again)
    assert re.search(r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', again)
    # The hidden field filled: a bot, thanked and not kept.
    client.post(
        "/plekken/huiskamer/hoe-was-het",
        data={**answer, "t": _stamp(m), "website": "http://spam.example"},
    )
    listed = m.client.get(f"/api/v1/places/{place}/feedback", headers=host.headers).json
    assert listed == []
    # A quick person (1.5 s, measured in milliseconds) is kept, and one form is kept once
    # however often it is sent.
    stamp = _stamp(m, seconds_ago=1.5)
    for _ in range(3):
        kept = client.post("/plekken/huiskamer/hoe-was-het", data={**answer, "t": stamp})
        assert kept.status_code == 200 and "Dank je wel" in kept.get_data(as_text=True)
    listed = m.client.get(f"/api/v1/places/{place}/feedback", headers=host.headers).json
    assert [(f["score"], f["comment"]) for f in listed] == [(4, "Fijne middag")]
    missing = client.post(
        "/plekken/huiskamer/hoe-was-het", data={"csrf_token": csrf_of(page), "t": _stamp(m)}
    )
    assert missing.status_code == 422 and "Kies een van de vijf gezichten." in missing.get_data(
        as_text=True
    )
    # The host reads it and hides it.
    hosting = m.app.test_client()
    sign_in(m, hosting, host.email)
    comments = hosting.get("/beheer/huiskamer/reacties").get_data(as_text=True)
    assert "Fijne middag" in comments
    hidden = hosting.post(
        f"/beheer/huiskamer/reacties/{listed[0]['id']}/verberg",
        data={"csrf_token": csrf_of(comments)},
    )
    assert hidden.status_code == 303
    assert (
        m.client.get(f"/api/v1/places/{place}/feedback", headers=host.headers).json[0]["hidden"]
        is True
    )
    del quiet


def test_a_complaint_through_its_whole_life(monitored: MailingApp) -> None:
    m = monitored
    place = m.make.place(name="Huiskamer", slug="huiskamer")
    host = m.make.account(name="Gastvrouw", hosts=[place])
    client = m.app.test_client()
    page = client.get("/plekken/huiskamer/klacht").get_data(as_text=True)
    filed = client.post(
        "/plekken/huiskamer/klacht",
        data={
            "csrf_token": csrf_of(page),
            "soort": "complaint",
            "tekst": "De verwarming staat 's avonds uit.",
            "naam": "Ans",
            "email": "ans@example.nl",
            "t": _stamp(m),
        },
    )
    text = filed.get_data(as_text=True)
    assert filed.status_code == 200 and "Je nummer is" in text
    number = int(re.search(r"Je nummer is (\d+)", text).group(1))  # type: ignore[union-attr]
    m.deliver()
    (to_host,) = m.mailbox.to(host.email)
    assert to_host["Subject"] == "Nieuwe klacht over Huiskamer"
    assert "verwarming" in mail_text(to_host) and "ans@example.nl" in mail_text(to_host)
    assert [x["Subject"] for x in m.mailbox.to(ORGANISATION)] == ["Nieuwe klacht over Huiskamer"]
    (receipt,) = m.mailbox.to("ans@example.nl")
    assert receipt["Subject"] == "We hebben je klacht over Huiskamer ontvangen"
    # The receipt greets by name, gives the number and a Dutch date, and does not echo the
    # text to an address nobody proved (security 3, 5; web 4, 6).
    said = " ".join(mail_text(receipt).split())
    assert said.startswith("Hallo Ans,") and f"Nummer: #{number}" in said
    assert "verwarming" not in said and not re.search(r"\d{4}-\d{2}-\d{2}", said)
    assert re.search(r"Antwoord vóór: \d{1,2} \w+ \d{4}", said), said
    complaint = m.client.get(f"/api/v1/complaints/{number}", headers=host.headers).json
    received = datetime.fromisoformat(complaint["received_at"])
    assert datetime.fromisoformat(complaint["due_at"]) - received == timedelta(weeks=6)
    # Four weeks on: a reminder to the hosts; six weeks on: the organisation hears.
    at = (received + timedelta(weeks=4, hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert "reminded: 1" in _cli(m, "monitoring", "follow-up", "--as-of", at)
    m.deliver()
    assert (
        m.mailbox.to(host.email)[-1]["Subject"]
        == "Herinnering: een klacht over Huiskamer wacht op antwoord"
    )
    at = (received + timedelta(weeks=6, hours=1)).strftime("%Y-%m-%dT%H:%M")
    output = _cli(m, "monitoring", "follow-up", "--as-of", at)
    assert "escalated: 1" in output and "reminded: 0" in output
    m.deliver()
    assert (
        m.mailbox.to(ORGANISATION)[-1]["Subject"] == "Termijn verstreken: een klacht over Huiskamer"
    )
    # The host handles it on the pages: an answer is needed, and then mailed.
    hosting = m.app.test_client()
    sign_in(m, hosting, host.email)
    listed = hosting.get("/beheer/huiskamer/klachten").get_data(as_text=True)
    assert "verwarming" in listed and "Ans" in listed
    action = f"/beheer/huiskamer/klachten/{number}"
    hosting.post(action, data={"csrf_token": csrf_of(listed), "status": "in_progress"})
    refused = hosting.post(action, data={"csrf_token": csrf_of(listed), "status": "handled"})
    assert "Schrijf" in hosting.get(refused.headers["Location"]).get_data(as_text=True)
    hosting.post(
        action,
        data={
            "csrf_token": csrf_of(listed),
            "status": "handled",
            "antwoord": "De thermostaat is vervangen.",
        },
    )
    done = m.client.get(f"/api/v1/complaints/{number}", headers=host.headers).json
    # Handled now, within six weeks of its receipt (the follow-ups only pretended later).
    assert done["status"] == "handled" and done["on_time"] is True
    m.deliver()
    answer = m.mailbox.to("ans@example.nl")[-1]
    assert answer["Subject"] == "Antwoord op je klacht over Huiskamer"
    assert "thermostaat" in mail_text(answer)
    # A year after it was handled, the name and address are wiped; the complaint stays.
    later = (datetime.now(UTC) + timedelta(days=400)).strftime("%Y-%m-%d")
    assert "complaint_contacts: 1" in _cli(m, "privacy", "purge", "--as-of", later)
    wiped = m.client.get(f"/api/v1/complaints/{number}", headers=host.headers).json
    assert wiped["name"] is None and wiped["email"] is None and wiped["text"]


HEADINGS = (
    "In één oogopslag",
    "Per maand",
    "De cijfers per maand",
    "Wie het bereikte, en wat er begon",
    "Hoe we tellen",
)


def _fit_to_file(plain: str) -> None:
    """Web 4, item 4: the period has its year, every page says when it was made, the summary
    and the first chart open page 1, no page holds only a heading, and the appendix says
    how we count."""
    pages = [page for page in plain.split("\f") if page.strip()]
    assert re.search(r"\d{1,2} \w+ \d{4} tot en met \d{1,2} \w+ \d{4}", pages[0]), pages[0]
    assert "In één oogopslag" in pages[0] and "Per maand" in pages[0]
    for number, page in enumerate(pages, 1):
        assert re.search(r"Gemaakt op \d{1,2} \w+ \d{4} met Wijkruimte", page), number
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith("Gemaakt op")]
        body = [line for line in body if not re.fullmatch(r"\d+ ?/ ?\d+", line)]
        assert body and not all(line in HEADINGS for line in body), (number, body)
        assert body[-1] not in HEADINGS, f"page {number} ends with a heading: {body[-1]}"
    assert "Hoe we tellen" in pages[-1] and "de documentatie" not in plain


def test_the_report_page_its_charts_pdf_and_spreadsheet(mailing: MailingApp) -> None:
    m = mailing
    data = _report_data(m.make)
    slug = m.client.get(f"/api/v1/places/{data['place']}").json["slug"]
    client = m.app.test_client()
    sign_in(m, client, data["host"].email)  # type: ignore[union-attr]
    url = f"/beheer/{slug}/rapport?van={WEEK[0]}&tot={WEEK[6]}"
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bezoekers" in text and "<td>16</td>" in text and "<td>56,0</td>" in text
    assert "Activiteiten van initiatieven, per doelgroep" in text
    # A year before nothing was recorded: a dash and a note, never zeros (web 4, item 5).
    assert "<td>\u2014</td>" in text and "de vergelijking begint toen de plek meedeed" in text
    charts = re.findall(r'<img src="(/beheer/[^"]+\.svg[^"]*)"', text)
    assert len(charts) == 3
    for chart in charts:
        svg = client.get(chart.replace("&amp;", "&"))
        assert svg.mimetype == "image/svg+xml" and b"<script" not in svg.data
        assert b"<svg" in svg.data and b"mrt 2026" in svg.data
        # The pages' CSP: no script, even opened on its own.
        policy = svg.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        if "waardering" in chart:  # each month says how many answers its average is of
            assert b"mrt 2026 (3)" in svg.data
    pdf = client.get(f"{url}&formaat=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    plain = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "Rapport van Huiskamer" in plain
    _fit_to_file(plain)
    visitors = next(line for line in plain.splitlines() if line.strip().startswith("Bezoekers"))
    assert visitors.split()[1:] == ["16", "\u2014"]
    hours = next(line for line in plain.splitlines() if line.strip().startswith("Open uren"))
    assert hours.split()[2:] == ["56,0", "\u2014"]
    sheet = client.get(f"{url}&formaat=xlsx")
    assert sheet.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(sheet.data))
    assert book.sheetnames == ["Samenvatting", "Per maand", "Doelgroepen", "Initiatieven"]
    rows = {
        row[0]: row[1:]
        for row in book["Samenvatting"].iter_rows(values_only=True)
        if row and row[0]
    }
    assert rows["Bezoekers"][:2] == (16, "\u2014") and rows["Activiteiten gehouden"][:2] == (
        3,
        "\u2014",
    )
    assert rows["Binnen zes weken afgehandeld"][:2] == (1, "\u2014")
    months = list(book["Per maand"].iter_rows(values_only=True))
    assert months[1][0] == "mrt 2026" and months[1][4] == 16
    assert list(book["Doelgroepen"].iter_rows(values_only=True))[1] == ("jongeren", 2)
    # The poster: an A4 SVG and PDF with the place's name and a QR code to its page.
    poster = client.get(f"/beheer/{slug}/poster")
    assert poster.mimetype == "image/svg+xml" and b"Huiskamer" in poster.data
    assert "default-src 'none'" in poster.headers["Content-Security-Policy"]
    assert f"/plekken/{slug}/hoe-was-het".encode() in poster.data
    printed = client.get(f"/beheer/{slug}/poster?formaat=pdf")
    assert printed.data.startswith(b"%PDF")
    # Admins download the same for a neighbourhood through the API; anyone else may not.
    admin = m.make.account(admin=True)
    api = f"/api/v1/reports/impact?from={WEEK[0]}&to={WEEK[6]}&neighbourhood={data['north']}"
    wide = m.client.get(f"{api}&format=xlsx", headers={**admin.headers, "Accept-Language": "nl"})
    assert wide.status_code == 200 and wide.mimetype.endswith("spreadsheetml.sheet")
    rows = {
        r[0]: r[1:]
        for r in load_workbook(io.BytesIO(wide.data))["Samenvatting"].iter_rows(values_only=True)
        if r and r[0]
    }
    assert rows["Bezoekers"][:2] == (16, "\u2014")
    printed = m.client.get(f"{api}&format=pdf", headers=admin.headers)
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")
    refused = m.client.get(f"{api}&format=pdf")
    assert refused.status_code == 403 and refused.json["code"] == "not_a_host"
    # Someone else is refused.
    other = m.app.test_client()
    sign_in(m, other, "vreemde@example.nl")
    assert other.get(url).status_code == 403
