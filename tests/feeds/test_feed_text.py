"""Every TEXT value in a feed is cleaned and escaped the same way, the calendar's own names
included: a line break of any kind in a name or title can never break a feed."""

from __future__ import annotations

import icalendar
import pytest
import vobject
from flask.testing import FlaskClient
from sqlalchemy import update

from booking.extensions import db
from booking.feeds.render import FeedEvent, FeedInfo, render_feed
from booking.models import Booking, FeedToken, Place, Room
from tests.booking_helpers import book, upcoming
from tests.venue import Venue

# (Other C0 controls are refused on input; the renderer test below covers them.)
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085"]


def bookings_in(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    """The bookings of a feed (it also has closures and public holidays)."""
    return [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("booking-")]


def _raw_lines_are_sound(raw: bytes) -> None:
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n")[:-1]:
        assert b"\n" not in line and b"\r" not in line, line
        text = line.decode()
        assert not any(mark in text for mark in ("\u2028", "\u2029", "\u0085")), line
        assert len(line) <= 75


@pytest.mark.parametrize("mark", BREAKS)
def test_a_line_break_in_a_room_or_place_name_keeps_the_feeds_whole(
    client: FlaskClient, venue: Venue, mark: str
) -> None:
    renamed = client.patch(
        f"/api/v1/rooms/{venue.a}", json={"name": f"Zaal A{mark}boven"}, headers=venue.host.headers
    )
    assert renamed.status_code == 422  # refused now; rows written before may still hold one

    def written_before() -> None:
        db.session.execute(update(Room).where(Room.id == venue.a).values(name=f"Zaal A{mark}boven"))
        db.session.execute(
            update(Place).where(Place.id == venue.place).values(name=f"Huis{mark}van de wijk")
        )
        db.session.commit()

    venue.make.run(written_before)
    made = book(client, venue.booker, venue.a, upcoming(5), "10:00", "11:00", visibility="public")
    assert made.status_code in (200, 201), made.json
    for url in (f"/feeds/rooms/{venue.a}.ics", f"/feeds/places/{venue.place}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        _raw_lines_are_sound(response.data)
        calendar = icalendar.Calendar.from_ical(response.data)
        name = str(calendar["X-WR-CALNAME"])
        assert "\n" not in name and "Huis van de wijk" in name
        (event,) = bookings_in(calendar)
        assert "Zaal A boven" in str(event["LOCATION"])
        assert len(list(vobject.readComponents(response.data.decode()))) == 1


@pytest.mark.parametrize("mark", ["\u2028", "\u2029", "\u0085", "\r\n"])
def test_titles_are_one_line_and_descriptions_keep_their_lines(
    client: FlaskClient, venue: Venue, mark: str
) -> None:
    made = book(
        client,
        venue.booker,
        venue.a,
        upcoming(6),
        "10:00",
        "11:00",
        title="Taalcafé",
        description=f"Eerste regel{mark}tweede regel",
        visibility="public",
    )
    assert made.status_code == 201, made.json
    # A title with a line break is refused now; one written before still renders on one line.
    refused = client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={"title": f"Taal{mark}café"},
        headers=venue.booker.headers,
    )
    assert refused.status_code == 422

    def written_before() -> None:
        db.session.execute(
            update(Booking).where(Booking.id == made.json["id"]).values(title=f"Taal{mark}café")
        )
        db.session.commit()

    venue.make.run(written_before)
    raw = client.get(f"/feeds/rooms/{venue.a}.ics").data
    _raw_lines_are_sound(raw)
    (event,) = bookings_in(icalendar.Calendar.from_ical(raw))
    assert str(event["SUMMARY"]) == "Taal café"
    assert str(event["DESCRIPTION"]).startswith("Eerste regel\ntweede regel")
    (parsed,) = vobject.readComponents(raw.decode())
    titles = [e.summary.value for e in parsed.vevent_list if e.uid.value.startswith("booking-")]
    assert titles == ["Taal café"]


def test_a_private_feed_named_with_line_breaks(client: FlaskClient, venue: Venue) -> None:
    refused = client.post(
        "/api/v1/feed-tokens",
        json={"name": "Mijn\u2028agenda\nthuis"},
        headers=venue.booker.headers,
    )
    assert refused.status_code == 422
    created = client.post(
        "/api/v1/feed-tokens", json={"name": "Mijn agenda"}, headers=venue.booker.headers
    )
    assert created.status_code == 201

    def written_before() -> None:
        db.session.execute(update(FeedToken).values(name="Mijn\u2028agenda\nthuis"))
        db.session.commit()

    venue.make.run(written_before)
    path = created.json["url"].removeprefix("http://localhost")
    raw = client.get(path).data
    _raw_lines_are_sound(raw)
    icalendar.Calendar.from_ical(raw)


def test_the_renderer_cleans_every_text_of_the_calendar_itself() -> None:
    from datetime import UTC, datetime

    at = datetime(2027, 3, 1, 10, tzinfo=UTC)
    raw = render_feed(
        FeedInfo(name="Naam\nmet\u2028breuk", timezone="Europe/Amsterdam", description="a\u0085b"),
        [FeedEvent(uid="u@x", start=at, end=at, summary="T\x0bitel", stamp=at, location="L\rM")],
    )
    _raw_lines_are_sound(raw)
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["X-WR-CALNAME"]) == "Naam met breuk"
    assert b"X-WR-CALDESC:a\\nb\r\n" in raw  # an escaped newline (TEXT, RFC 5545 3.3.11)
    (event,) = calendar.walk("VEVENT")
    assert (str(event["SUMMARY"]), str(event["LOCATION"])) == ("T itel", "L M")
