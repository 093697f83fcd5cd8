"""Every calendar file the mail tests send is read back by three more clients: Mozilla
ical.js (Thunderbird), libical (Evolution) and node-ical. Each must read every event, all
three must agree, every time must be UTC, and for a booking unchanged since its mail the
times must be the API's."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
from flask import Flask

from booking.extensions import db
from booking.models import Booking
from booking.schemas.booking import BookingSchema
from tests.feeds.clients import ROOT, SYSTEM_PYTHON


def calendar_files(mails: list[EmailMessage]) -> list[bytes]:
    """Every text/calendar attachment of the mails."""
    return [
        bytes(part.get_payload(decode=True))
        for mail in mails
        for part in mail.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_mailed_calendars(app: Flask, mails: list[EmailMessage]) -> int:
    """Read every mailed file with the three parsers and compare; how many files."""
    files = calendar_files(mails)
    if not files:
        return 0
    node = shutil.which("node")
    assert node, "Node.js reads the mailed files with ical.js and node-ical"
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, raw in enumerate(files):
            path = Path(folder) / f"mail-{index}.ics"
            path.write_bytes(raw)
            paths.append(str(path))
        read = subprocess.run(
            [node, str(ROOT / "tests" / "delivery" / "parse_mailed.mjs"), *paths],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert read.returncode == 0, read.stderr
        clients = json.loads(read.stdout)
        checked = subprocess.run(
            [SYSTEM_PYTHON, str(ROOT / "tests" / "feeds" / "libical_check.py"), *paths],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        libical = json.loads(checked.stdout)
        if len(paths) == 1:
            libical = {paths[0]: libical}
        for path, raw in zip(paths, files, strict=True):
            _compare(app, raw, clients[path], libical[path])
    return len(files)


def _compare(
    app: Flask, raw: bytes, clients: dict[str, list[dict[str, Any]]], libical: dict[str, Any]
) -> None:
    assert b"TZID" not in raw, "a mailed file writes every time in UTC"
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}
    assert libical["errors"] == [] and libical["restrictions_hold"], libical["errors"]
    assert {e["uid"] for e in libical["events"]} == set(events)
    assert all(e["utc"] for e in libical["events"] if not e["all_day"])
    for name in ("icaljs", "nodeical"):
        seen = {str(e["uid"]): e for e in clients[name]}
        assert set(seen) == set(events), name
        for uid, event in seen.items():
            assert _instant(str(event["start"])) == events[uid].decoded("DTSTART"), (name, uid)
            assert _instant(str(event["end"])) == events[uid].decoded("DTEND"), (name, uid)
            assert int(str(event["sequence"])) == int(events[uid]["SEQUENCE"]), (name, uid)
    assert all(e["utc"] and e["organizer"] for e in clients["icaljs"])
    with app.app_context():
        for uid, event in events.items():
            booking = db.session.get(Booking, int(uid.split("-")[1].split("@")[0]))
            if booking is None:
                continue
            revisions = booking.place.feed_revision + booking.room.feed_revision
            if int(event["SEQUENCE"]) - revisions != booking.sequence:
                continue  # changed since this mail: a later one carries the new times
            shown = BookingSchema().dump(booking)  # as the API answers it now
            assert event.decoded("DTSTART") == _instant(shown["start"]), uid
            assert event.decoded("DTEND") == _instant(shown["end"]), uid
        db.session.remove()
