"""Every kind of feed, rendered from one hostile data set and read by real calendar parsers.

Mozilla ical.js (Thunderbird's parser, run with Node from package.json) and vobject must
both read every event at exactly the stored UTC times; UIDs are stable, SEQUENCE rises on
a move, cancelled events say so, and user text never adds a line, property or component.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from flask.testing import FlaskClient
from sqlalchemy import select, update

from booking.extensions import db
from booking.models import Booking
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.search.availability import AvailabilityFilter, find_availability
from booking.text import one_line
from tests.booking_helpers import AMSTERDAM, book, local, upcoming
from tests.factories import Caller, Factory
from tests.feeds.clients import libical

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "\r\nEND:VEVENT\r\nBEGIN:VEVENT",
    "Koffie, thee; en \\ koekjes",
    "Ω😀é" * 66 + "ab",  # 200 characters, 4-byte emoji among them
    "Taalcafé\nmet een tweede regel",
]


@dataclass
class DataSet:
    """The rows behind the feeds."""

    place: int
    neighbourhood: int
    a: int
    b: int
    hall: int
    host: Caller
    booker: Caller
    series_ids: list[int]
    moved: int
    cancelled: int
    private: int
    pending: int
    hostile: list[int]


@pytest.fixture
def data(client: FlaskClient, make: Factory) -> DataSet:
    neighbourhood = make.neighbourhood("Oude Noorden")
    policy = {**DEFAULT_POLICY, "max_days_ahead": 730, "max_active_bookings": 1000}
    place = make.place(
        name="Huiskamer; de \\ Buurt, 010",
        opening_hours="24/7",
        policy=policy,
        neighbourhood_id=neighbourhood,
        street="Zwart Janstraat 1",
        city="Rotterdam",
    )
    a, b = make.room(place, name="A"), make.room(place, name="B")
    hall = make.room(place, name="Zaal A+B", part_ids=[a, b])
    approval = make.room(place, name="Atelier", policy_overrides={"requires_approval": True})
    host = make.account(name="Host", hosts=[place])
    booker = make.account(name="Booker")
    # A weekly series for 52 weeks: both DST switches lie inside it.
    first = upcoming(2)
    series = client.post(
        "/api/v1/series",
        json={
            "room_id": hall,
            "start": local(first, "19:00"),
            "end": local(first, "21:00"),
            "title": "Wekelijks taalcafé",
            "rrule": "FREQ=WEEKLY;COUNT=52",
        },
        headers=host.headers,
    )
    assert series.status_code == 201, series.json
    day = upcoming(5)

    def made(response: Any) -> int:
        assert response.status_code == 201, response.json
        return int(response.json["id"])

    moved = made(book(client, booker, a, day, "09:00", "10:00", title="Verzet"))
    client.patch(
        f"/api/v1/bookings/{moved}", json={"start": local(day, "08:00")}, headers=booker.headers
    )
    cancelled = made(book(client, booker, a, day, "11:00", "12:00", title="Afgezegd"))
    client.post(f"/api/v1/bookings/{cancelled}/cancel", json={}, headers=booker.headers)
    private = made(
        book(client, booker, b, day, "13:00", "14:00", title="Geheim overleg", visibility="private")
    )
    pending = made(book(client, booker, approval, day, "15:00", "16:00", title="Aanvraag"))
    hostile = [
        made(book(client, booker, a, day, f"{16 + i}:00", f"{17 + i}:00", title=f"Titel {i}"))
        for i in range(len(HOSTILE))
    ]

    def hostile_titles() -> None:
        # Written as rows from before the API refused line breaks in titles would hold them.
        for booking_id, title in zip(hostile, HOSTILE, strict=True):
            db.session.execute(update(Booking).where(Booking.id == booking_id).values(title=title))
        db.session.commit()

    make.run(hostile_titles)
    return DataSet(
        place=place,
        neighbourhood=neighbourhood,
        a=a,
        b=b,
        hall=hall,
        host=host,
        booker=booker,
        series_ids=[item["id"] for item in series.json["created"]],
        moved=moved,
        cancelled=cancelled,
        private=private,
        pending=pending,
        hostile=hostile,
    )


def ical_js(raw: bytes, tmp_path: Path) -> dict[str, Any]:
    """What Thunderbird's parser reads."""
    if not (ROOT / "node_modules" / "ical.js").exists():
        pytest.fail("ical.js is not installed: run `npm ci` (make test does)")
    path = tmp_path / "feed.ics"
    path.write_bytes(raw)
    node = shutil.which("node")
    assert node, "Node.js is needed to run ical.js"
    done = subprocess.run(
        [node, str(ROOT / "tests" / "feeds" / "parse_ics.mjs"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def vobject_events(raw: bytes) -> dict[str, dict[str, Any]]:
    """What vobject reads: uid -> start, end, summary, sequence, status."""
    calendar = vobject.readOne(raw.decode("utf-8"))
    found = {}
    for event in getattr(calendar, "vevent_list", []):
        start, end = event.dtstart.value, event.dtend.value
        found[event.uid.value] = {
            "start": start.astimezone(UTC) if isinstance(start, datetime) else start,
            "end": end.astimezone(UTC) if isinstance(end, datetime) else end,
            "summary": event.summary.value,
            "sequence": int(event.sequence.value),
            "status": event.status.value if hasattr(event, "status") else None,
        }
    return found


def check_raw_lines(raw: bytes) -> None:
    """CRLF everywhere, every physical line at most 75 octets, valid UTF-8."""
    raw.decode("utf-8")
    assert raw.endswith(b"\r\n")
    lines = raw[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
    # Content lines (unfolded) start with a property name, never with user text.
    names = [line.split(b":")[0].split(b";")[0] for line in lines if not line.startswith(b" ")]
    assert all(name.replace(b"-", b"").isalnum() and name.isupper() for name in names), names


def stored(make: Factory) -> dict[int, Booking]:
    return {b.id: b for b in make.run(lambda: list(db.session.scalars(select(Booking))))}


def fetch(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    return response.data


def check_against_database(raw: bytes, rows: dict[int, Booking], tmp_path: Path) -> dict[str, Any]:
    check_raw_lines(raw)
    parsed = ical_js(raw, tmp_path)
    assert parsed["method"] == "PUBLISH" and parsed["timezone"] == "Europe/Amsterdam"
    by_vobject = vobject_events(raw)
    assert {e["uid"] for e in parsed["events"]} == set(by_vobject)
    by_icalendar = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")}
    assert set(by_icalendar) == set(by_vobject)
    by_libical = libical(raw, tmp_path)
    assert by_libical["errors"] == [] and by_libical["restrictions_hold"], by_libical["errors"]
    assert {e["uid"] for e in by_libical["events"]} == set(by_vobject)
    for event in by_libical["events"]:
        assert event["utc"] or event["all_day"], event
        if event["uid"].startswith("booking-"):
            row = rows[int(event["uid"].split("-")[1].split("@")[0])]
            assert event["start"] == row.start.strftime("%Y%m%dT%H%M%SZ")
    assert len(parsed["events"]) == len(by_vobject) == raw.split(b"\r\n").count(b"BEGIN:VEVENT")
    for event in parsed["events"]:
        assert event["startIsUtc"] or event["allDay"], event  # closures and holidays: all-day
        if not event["uid"].startswith("booking-"):
            continue
        row = rows[int(event["uid"].split("-")[1].split("@")[0])]
        assert event["organizer"].startswith("mailto:"), event  # iTIP PUBLISH needs one
        assert event["start"] == row.start.isoformat().replace("+00:00", ".000Z")
        assert event["end"] == row.end.isoformat().replace("+00:00", ".000Z")
        other = by_vobject[event["uid"]]
        assert (other["start"], other["end"]) == (row.start, row.end)
        third = by_icalendar[event["uid"]]
        assert (third.decoded("DTSTART"), third.decoded("DTEND")) == (row.start, row.end)
        assert str(third["SUMMARY"]) == event["summary"]
        assert event["sequence"] == other["sequence"] == row.sequence
    return parsed


def events_by_id(parsed: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        int(e["uid"].split("-")[1].split("@")[0]): e
        for e in parsed["events"]
        if e["uid"].startswith("booking-")
    }


def test_public_feeds_in_ical_js_and_vobject(
    client: FlaskClient, make: Factory, data: DataSet, tmp_path: Path
) -> None:
    rows = stored(make)
    for url in (
        f"/feeds/places/{data.place}.ics",
        f"/feeds/rooms/{data.a}.ics",
        f"/feeds/neighbourhoods/{data.neighbourhood}.ics",
    ):
        raw = fetch(client, url)
        parsed = check_against_database(raw, rows, tmp_path)
        events = events_by_id(parsed)
        # Stable: the same UIDs and bytes on a second render.
        assert fetch(client, url) == raw
        # The series, with its local time kept across both DST switches.
        series = [events[i] for i in data.series_ids]
        assert len(series) == 52
        local_times = {
            datetime.fromisoformat(e["start"].replace("Z", "+00:00"))
            .astimezone(AMSTERDAM)
            .strftime("%H:%M")
            for e in series
        }
        assert local_times == {"19:00"}
        assert len({e["start"][11:16] for e in series}) == 2  # 18:00Z in winter, 17:00Z in summer
        assert events[data.moved]["sequence"] == 1
        assert events[data.cancelled]["status"] == "CANCELLED"
        assert data.pending not in events  # a request is not public
        for booking_id, title in zip(data.hostile, HOSTILE, strict=True):
            assert events[booking_id]["summary"] == one_line(title)  # titles are one line
        assert b"Geheim" not in raw
        if "places" in url:
            busy = events[data.private]
            assert busy["summary"] == "Bezet" and not busy["description"]
        else:
            # In B, not A; and the neighbourhood feed has public activities only.
            assert data.private not in events


def test_the_room_feed_shows_what_occupies_the_room(
    client: FlaskClient, data: DataSet, tmp_path: Path
) -> None:
    parsed = ical_js(fetch(client, f"/feeds/rooms/{data.b}.ics"), tmp_path)
    ids = set(events_by_id(parsed))
    assert set(data.series_ids) <= ids  # the hall occupies B
    assert data.private in ids and data.moved not in ids  # the move was in A


def test_private_feeds(client: FlaskClient, make: Factory, data: DataSet, tmp_path: Path) -> None:
    rows = stored(make)
    created = client.post("/api/v1/feed-tokens", json={"name": "Agenda"}, headers=data.host.headers)
    assert created.status_code == 201 and created.json["include_hosted"] is True
    url = created.json["url"]
    assert url.startswith("http://localhost/feeds/private/wkf_")
    path = url.removeprefix("http://localhost")
    host_feed = check_against_database(fetch(client, path), rows, tmp_path)
    events = events_by_id(host_feed)
    assert events[data.pending]["status"] == "TENTATIVE"
    assert f"<{data.booker.email}>" in events[data.pending]["description"]
    assert events[data.private]["summary"] == "Geheim overleg"
    assert client.get(path).headers["Cache-Control"].startswith("private")

    mine = client.post("/api/v1/feed-tokens", json={}, headers=data.booker.headers).json
    own = check_against_database(
        fetch(client, mine["url"].removeprefix("http://localhost")), rows, tmp_path
    )
    own_ids = set(events_by_id(own))
    assert {data.moved, data.cancelled, data.private, data.pending, *data.hostile} == own_ids
    assert "Booked by" not in json.dumps(own)

    listed = client.get("/api/v1/feed-tokens", headers=data.host.headers).json
    assert [item["id"] for item in listed] == [created.json["id"]] and "token" not in listed[0]
    assert (
        client.delete(
            f"/api/v1/feed-tokens/{created.json['id']}", headers=data.booker.headers
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/feed-tokens/{created.json['id']}", headers=data.host.headers
        ).status_code
        == 204
    )
    assert client.get(path).status_code == 404
    assert client.get("/feeds/private/wkf_unknown.ics").status_code == 404
    assert client.post("/api/v1/feed-tokens", json={}).status_code == 401


def test_availability_feeds(
    client: FlaskClient, make: Factory, data: DataSet, tmp_path: Path
) -> None:
    for url, filters in (
        (f"/feeds/availability/places/{data.place}.ics?min_duration=90", {"place": (data.place,)}),
        (
            f"/feeds/availability/neighbourhoods/{data.neighbourhood}.ics?min_duration=90",
            {"neighbourhood": (data.neighbourhood,)},
        ),
    ):
        now = datetime.now(UTC)
        raw = fetch(client, url)
        parsed = check_against_database(raw, {}, tmp_path)
        events = parsed["events"]
        assert events and all(e["transp"] == "TRANSPARENT" and e["allDay"] for e in events)
        # One event per place and day, with a UID that stays.
        assert len({e["uid"] for e in events}) == len(events)
        assert all(e["uid"].startswith(f"free-{data.place}-") for e in events)
        assert fetch(client, url) == raw or now.second >= 58  # the same minute, the same feed
        minute = now.replace(second=0, microsecond=0)
        slots = make.run(
            lambda f=filters, minute=minute: find_availability(
                AvailabilityFilter(
                    from_=minute, to=minute + timedelta(days=56), min_duration=90, **f
                ),
                now=minute + timedelta(microseconds=1),
            )
        )
        # Every window in the feed is a window of /availability at this minute (a hall's
        # windows are not repeated for its parts), and the first is never before notice.
        listed = "\n".join(e["description"] for e in events)
        zone = AMSTERDAM
        for slot in slots:
            span = f"{slot.start.astimezone(zone):%H:%M}\u2013{slot.end.astimezone(zone):%H:%M}"
            if slot.room_id in (data.a, data.b):
                continue  # parts of the hall: shown only where the hall is not free
            assert span in listed, span
        assert all(s.end - s.start >= timedelta(minutes=90) for s in slots)
    assert (
        client.get(f"/feeds/availability/places/{data.place}.ics?min_duration=1").status_code == 422
    )
