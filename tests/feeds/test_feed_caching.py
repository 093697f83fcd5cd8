"""Conditional requests, the 1 MB cap, and the feed rate limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.feeds import sources
from booking.feeds.render import FeedEvent, FeedInfo, render_feed
from booking.models import Booking, BookingEvent
from tests.booking_helpers import book, upcoming
from tests.conftest import _empty_all_tables, make_test_app
from tests.factories import Factory
from tests.feeds.clients import libical


def test_etag_and_last_modified_give_304(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    booker = make.account()
    book(client, booker, room, upcoming(3), "10:00", "11:00")
    url = f"/feeds/places/{place}.ics"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    # The validator is known from a cheap query, without rendering the feed.
    assert make.run(lambda: f'W/"{sources.place_feed(place).etag}"') == etag
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=2), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # A change gives a new validator.
    book(client, booker, room, upcoming(4), "10:00", "11:00")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_cancellation_changes_the_feed(client: FlaskClient, make: Factory) -> None:
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    booker = make.account()
    booking = book(client, booker, room, upcoming(3), "10:00", "11:00").json
    url = f"/feeds/rooms/{room}.ics"
    etag = client.get(url).headers["ETag"]
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=booker.headers)
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and b"STATUS:CANCELLED" in after.data
    assert b"SEQUENCE:1" in after.data


def test_over_1_mb_the_far_end_gives_way_and_the_coming_weeks_stay(
    client: FlaskClient, make: Factory, tmp_path: Path
) -> None:
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    booker = make.account()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    def fill() -> None:
        for n in range(2800):
            booking = Booking(
                room_id=room,
                place_id=place,
                booked_by_id=booker.id,
                start=start + timedelta(hours=3 * n),
                end=start + timedelta(hours=3 * n, minutes=30),
                title=f"Activiteit {n}",
                description="Lange beschrijving. " * 40,
                status="confirmed",
                visibility="public",
            )
            booking.events.append(BookingEvent(action="created", to_status="confirmed"))
            db.session.add(booking)
        db.session.commit()

    make.run(fill)
    raw = client.get(f"/feeds/places/{place}.ics").data
    assert len(raw) <= 1_000_000
    unfolded = raw.replace(b"\r\n ", b"")
    # Tomorrow's activity is there with its description; the far end went first.
    assert b"SUMMARY:Activiteit 0\r\n" in raw
    assert b"DESCRIPTION:Lange beschrijving." in unfolded
    kept = [n for n in range(2800) if f"SUMMARY:Activiteit {n}\r\n".encode() in raw]
    assert kept == list(range(len(kept))) and 200 < len(kept) < 2800
    assert unfolded.count(b"DESCRIPTION:Lange") == len(kept)  # the far end went, not details
    # The last kept day says what is missing, in an all-day transparent event with a link.
    assert b"SUMMARY:Meer activiteiten: zie de pagina van deze agenda" in unfolded
    # (the total counts the public holidays of the year too)
    assert re.search(rb"\d+ van de 28\d\d activiteiten passen in deze agenda", unfolded)
    assert b"http://localhost/plekken/" in unfolded  # the place's page, for people
    checked = libical(raw, tmp_path)  # Evolution's parser takes the capped feed whole
    assert checked["errors"] == [] and checked["restrictions_hold"]
    assert len(checked["events"]) == raw.count(b"BEGIN:VEVENT")


def test_render_keeps_every_event_under_the_cap() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    events = [
        FeedEvent(f"e{n}", now + timedelta(hours=n), now + timedelta(hours=n + 1), "x", now)
        for n in range(10)
    ]
    whole = render_feed(FeedInfo("Test", "Europe/Amsterdam"), events)
    assert whole.split(b"\r\n").count(b"BEGIN:VEVENT") == 10 and b"X-WR-CALDESC" not in whole
    capped = render_feed(FeedInfo("Test", "Europe/Amsterdam"), events, max_bytes=len(whole) - 1)
    assert len(capped) <= len(whole) - 1
    assert b"UID:e0\r\n" in capped and b"UID:e9\r\n" not in capped  # the near ones stay
    assert b"UID:truncated-2027-01-01@wijkruimte\r\n" in capped


def test_descriptions_go_before_the_coming_weeks_do() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    long = "Veel tekst. " * 400
    events = [
        FeedEvent(
            f"e{n}",
            now + timedelta(days=n),
            now + timedelta(days=n, hours=1),
            "x",
            now,
            description=long,
        )
        for n in range(120)
    ]
    capped = render_feed(FeedInfo("Test", "Europe/Amsterdam"), events, max_bytes=200_000)
    assert len(capped) <= 200_000
    kept = [n for n in range(120) if f"UID:e{n}\r\n".encode() in capped]
    assert kept == list(range(len(kept))) and len(kept) > 56  # eight weeks stay...
    unfolded = capped.replace(b"\r\n ", b"")
    with_text = [
        n
        for n in kept
        if f"UID:e{n}\r\n".encode() in capped
        and b"Veel tekst" in unfolded.split(f"UID:e{n}\r\n".encode())[1].split(b"END:VEVENT")[0]
    ]
    assert with_text and with_text == list(range(len(with_text)))  # ...the nearest with text


def test_the_nearest_keep_their_descriptions_when_bare_events_would_fill_the_feed() -> None:
    """Many events: bare, they alone would fill the cap. The eight weeks ahead still come
    first, and the nearest of them keep their descriptions (docs/feeds.md)."""
    now = datetime(2027, 1, 1, tzinfo=UTC)
    long = "Lange beschrijving. " * 100
    events = [
        FeedEvent(
            f"e{n}",
            now + timedelta(hours=2 * n),
            now + timedelta(hours=2 * n + 1),
            "x",
            now,
            description=long,
        )
        for n in range(4000)
    ]
    capped = render_feed(FeedInfo("Test", "Europe/Amsterdam"), events, max_bytes=600_000)
    assert len(capped) <= 600_000
    unfolded = capped.replace(b"\r\n ", b"")
    first = unfolded.split(b"UID:e0\r\n")[1].split(b"END:VEVENT")[0]
    assert b"Lange beschrijving" in first
    eight_weeks = 8 * 7 * 12  # events two hours apart
    assert f"UID:e{eight_weeks}\r\n".encode() in capped


def test_feeds_are_rate_limited(database_url: str, app: Flask) -> None:
    limited = make_test_app(database_url, FEED_RATE_LIMIT="2 per minute")
    try:
        place = Factory(limited).place()
        client = limited.test_client()
        codes = [client.get(f"/feeds/places/{place}.ics").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
    finally:
        _empty_all_tables(limited)
        with limited.app_context():
            db.engine.dispose()
