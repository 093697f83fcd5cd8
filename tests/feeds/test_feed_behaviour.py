"""What the feeds promise beyond parsing: validators that never go back, weak ETags, gzip,
HEAD, LOCATION changes clients notice, richer events, closures and holidays, one-click
subscribe links, and Dutch first."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import icalendar
from flask.testing import FlaskClient
from sqlalchemy import update

from booking.extensions import db
from booking.models import Booking
from tests.booking_helpers import book, local, upcoming
from tests.factories import Factory
from tests.venue import Venue


def bookings_in(raw: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(raw)
    return {
        str(e["UID"]): e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("booking-")
    }


def last_modified(response: object) -> datetime:
    return parsedate_to_datetime(response.headers["Last-Modified"])  # type: ignore[attr-defined]


def test_last_modified_never_goes_back_when_an_event_leaves(
    client: FlaskClient, venue: Venue
) -> None:
    url = f"/feeds/places/{venue.place}.ics"
    made = book(client, venue.booker, venue.a, upcoming(4), "10:00", "11:00", visibility="public")
    first = client.get(url)
    time.sleep(1.1)  # Last-Modified has whole seconds
    hidden = client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={"visibility": "private"},
        headers=venue.booker.headers,
    )
    assert hidden.status_code == 200
    second = client.get(url)
    assert last_modified(second) > last_modified(first)
    again = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200 and b"Taalcaf" not in again.data
    cancelled = client.post(
        f"/api/v1/bookings/{made.json['id']}/cancel", json={}, headers=venue.booker.headers
    )
    assert cancelled.status_code == 200
    assert last_modified(client.get(url)) >= last_modified(second)


def test_weak_etags_match_and_gzip_is_served(client: FlaskClient, venue: Venue) -> None:
    url = f"/feeds/places/{venue.place}.ics"
    book(client, venue.booker, venue.a, upcoming(4), "10:00", "11:00", visibility="public")
    plain = client.get(url)
    etag = plain.headers["ETag"]
    assert etag.startswith('W/"')
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": etag[2:]}).status_code == 304
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert "Accept-Encoding" in zipped.headers["Vary"]
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag
    # The GET's length, or none (RFC 9110 8.6): never a false 0.
    assert head.headers.get("Content-Length") in (None, str(len(plain.data)))


def _homework(client: FlaskClient, venue: Venue) -> tuple[dict[str, Any], Any]:
    """An initiative for young people, and a public booking of it."""
    initiative = client.post(
        "/api/v1/initiatives",
        json={"title": "Huiswerkklas", "target_groups": ["youth"]},
        headers=venue.booker.headers,
    ).json
    made = book(
        client,
        venue.booker,
        venue.a,
        upcoming(4),
        "10:00",
        "11:00",
        visibility="public",
        initiative_id=initiative["id"],
    )
    assert made.status_code == 201
    return initiative, made


def test_categories_are_in_the_feeds_language(client: FlaskClient, venue: Venue) -> None:
    _initiative, made = _homework(client, venue)
    assert made.status_code == 201
    uid = f"booking-{made.json['id']}@localhost"
    url = f"/feeds/places/{venue.place}.ics"
    dutch = icalendar.Calendar.from_ical(client.get(url).data)
    english = icalendar.Calendar.from_ical(client.get(url + "?lang=en").data)
    for calendar, expected in (
        (dutch, {"buurthuis", "jongeren"}),
        (english, {"community centre", "young people"}),
    ):
        (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
        assert set(event.categories) == expected


def test_a_new_name_raises_sequence_and_last_modified(client: FlaskClient, venue: Venue) -> None:
    made = book(client, venue.booker, venue.a, upcoming(4), "10:00", "11:00", visibility="public")
    url = f"/feeds/rooms/{venue.a}.ics"
    uid = f"booking-{made.json['id']}@localhost"
    before = bookings_in(client.get(url).data)[uid]
    time.sleep(1.1)
    client.patch(
        f"/api/v1/rooms/{venue.a}", json={"name": "Zaal Noord"}, headers=venue.host.headers
    )
    client.patch(
        f"/api/v1/places/{venue.place}",
        json={"name": "Buurthuis Noord"},
        headers=venue.host.headers,
    )
    after = bookings_in(client.get(url).data)[uid]
    assert "Zaal Noord, Buurthuis Noord" in str(after["LOCATION"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 2
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_a_request_that_expired_unwritten_is_cancelled_with_a_higher_sequence(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(requires_approval=True)
    made = book(client, venue.booker, venue.a, upcoming(4), "10:00", "11:00")
    feed = client.post("/api/v1/feed-tokens", json={}, headers=venue.booker.headers).json
    path = feed["url"].removeprefix("http://localhost")
    uid = f"booking-{made.json['id']}@localhost"
    before = bookings_in(client.get(path).data)[uid]
    assert str(before["STATUS"]) == "TENTATIVE"

    def start_passed() -> None:
        past = datetime.now(UTC) - timedelta(hours=2)
        db.session.execute(
            update(Booking)
            .where(Booking.id == made.json["id"])
            .values(start=past, end=past + timedelta(hours=1))
        )
        db.session.commit()

    venue.make.run(start_passed)
    after = bookings_in(client.get(path).data)[uid]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def test_events_say_who_where_and_what(client: FlaskClient, venue: Venue, make: Factory) -> None:
    client.patch(
        f"/api/v1/places/{venue.place}",
        json={"contact_email": "info@oost.example.nl", "latitude": 51.92, "longitude": 4.48},
        headers=venue.host.headers,
    )
    start = upcoming(6, weekday=1)
    series = client.post(
        "/api/v1/series",
        json={
            "room_id": venue.a,
            "start": local(start, "19:00"),
            "end": local(start, "21:00"),
            "title": "Taalcafé",
            "visibility": "public",
            "rrule": "FREQ=WEEKLY;COUNT=2",
        },
        headers=venue.booker.headers,
    )
    assert series.status_code == 201, series.json
    events = bookings_in(client.get(f"/feeds/places/{venue.place}.ics").data)
    assert len(events) == 2
    series_id = series.json["series"]["id"]
    for event in events.values():
        assert str(event["ORGANIZER"]) == "mailto:info@oost.example.nl"
        # A page for people, not the API's JSON: the series' public page.
        assert str(event["URL"]) == f"http://localhost/activiteiten/reeks/{series_id}"
        assert str(event["URL"]) in str(event["DESCRIPTION"])  # Google hides URL
        page = client.get(str(event["URL"]).removeprefix("http://localhost"))
        assert page.status_code == 200 and "Taalcafé" in page.get_data(as_text=True)
        assert "buurthuis" in [str(c) for c in event["CATEGORIES"].cats]
        assert event.decoded("CREATED") <= datetime.now(UTC)
        assert str(event["RELATED-TO"]) == f"series-{series.json['series']['id']}@localhost"
        assert (event["GEO"].latitude, event["GEO"].longitude) == (51.92, 4.48)
        assert "info@oost.example.nl" in str(event["CONTACT"])


def test_closures_and_holidays_are_all_day_and_transparent(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(9)
    client.post(
        f"/api/v1/places/{venue.place}/closures",
        json={"start": local(day, "00:00"), "end": local(day, "23:59"), "reason": "Schilders"},
        headers=venue.host.headers,
    )
    for url in (f"/feeds/places/{venue.place}.ics", f"/feeds/rooms/{venue.hall}.ics"):
        calendar = icalendar.Calendar.from_ical(client.get(url).data)
        others = [e for e in calendar.walk("VEVENT") if not str(e["UID"]).startswith("booking-")]
        closure = next(e for e in others if str(e["UID"]).startswith("closure-"))
        assert closure.decoded("DTSTART") == day
        assert str(closure["SUMMARY"]) == "Gesloten: Schilders"
        assert str(closure["TRANSP"]) == "TRANSPARENT"
        # The venue is open on public holidays: none of them is in its way.
        assert not [e for e in others if str(e["UID"]).startswith("holiday-")]


def test_every_day_of_a_holiday_shows_where_the_place_closes_on_it(
    client: FlaskClient, venue: Venue
) -> None:
    closing = client.patch(
        f"/api/v1/places/{venue.place}",
        json={"opening_hours": "Mo-Su 08:00-22:00; PH off"},
        headers=venue.host.headers,
    )
    assert closing.status_code == 200, closing.json
    for url in (f"/feeds/places/{venue.place}.ics", f"/feeds/rooms/{venue.hall}.ics"):
        calendar = icalendar.Calendar.from_ical(client.get(url).data)
        holidays = {
            e.decoded("DTSTART"): e
            for e in calendar.walk("VEVENT")
            if str(e["UID"]).startswith("holiday-")
        }
        christmas = [day for day in holidays if (day.month, day.day) in ((12, 25), (12, 26))]
        assert len(christmas) == 2, sorted(holidays)  # the second day too
        names = {day: str(event["SUMMARY"]) for day, event in holidays.items()}
        assert {names[day] for day in christmas} == {"Eerste Kerstdag", "Tweede Kerstdag"}
        for event in holidays.values():
            # Named by the holidays library; a day it does not name stays "Feestdag".
            assert str(event["SUMMARY"]) and str(event["TRANSP"]) == "TRANSPARENT"
            assert event.decoded("DTSTAMP").year >= 2026  # a real stamp, not a made-up one


def test_cancelled_events_say_so_and_texts_are_dutch_or_english(
    client: FlaskClient, venue: Venue
) -> None:
    made = book(client, venue.booker, venue.a, upcoming(4), "10:00", "11:00", visibility="public")
    client.post(f"/api/v1/bookings/{made.json['id']}/confirm", json={}, headers=venue.host.headers)
    client.post(f"/api/v1/bookings/{made.json['id']}/cancel", json={}, headers=venue.host.headers)
    secret = book(
        client, venue.booker, venue.b, upcoming(4), "10:00", "11:00", visibility="private"
    )
    assert secret.status_code == 201
    url = f"/feeds/places/{venue.place}.ics"
    dutch = bookings_in(client.get(url).data)
    cancelled = dutch[f"booking-{made.json['id']}@localhost"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["TRANSP"]) == "TRANSPARENT"
    assert str(cancelled["SUMMARY"]) == "Afgelast: Taalcafé"
    assert str(dutch[f"booking-{secret.json['id']}@localhost"]["SUMMARY"]) == "Bezet"
    english = bookings_in(client.get(url + "?lang=en").data)
    assert str(english[f"booking-{made.json['id']}@localhost"]["SUMMARY"]) == "Cancelled: Taalcafé"
    assert str(english[f"booking-{secret.json['id']}@localhost"]["SUMMARY"]) == "Busy"
    assert client.get(url).headers["ETag"] != client.get(url + "?lang=en").headers["ETag"]
    mine = client.post("/api/v1/feed-tokens", json={}, headers=venue.booker.headers).json
    private = bookings_in(client.get(mine["url"].removeprefix("http://localhost")).data)
    assert str(private[f"booking-{secret.json['id']}@localhost"]["CLASS"]) == "PRIVATE"


def test_every_object_with_a_feed_says_how_to_subscribe(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    place = client.get(f"/api/v1/places/{venue.place}").json
    assert place["feeds"]["ics"] == f"http://localhost/feeds/places/{venue.place}.ics"
    assert place["feeds"]["webcal"] == f"webcal://localhost/feeds/places/{venue.place}.ics"
    assert place["feeds"]["google"].startswith("https://calendar.google.com/calendar/render?cid=")
    assert "webcal%3A%2F%2Flocalhost" in place["feeds"]["google"]
    assert place["feeds"]["outlook"].startswith("https://outlook.live.com/calendar/0/addfromweb?")
    assert place["free_slot_feeds"]["ics"].endswith(f"/feeds/availability/places/{venue.place}.ics")
    room = client.get(f"/api/v1/rooms/{venue.a}").json
    assert room["feeds"]["ics"].endswith(f"/feeds/rooms/{venue.a}.ics")
    neighbourhood = make.neighbourhood("Oost")
    shown = client.get(f"/api/v1/neighbourhoods/{neighbourhood}").json
    assert shown["feeds"]["ics"].endswith(f"/feeds/neighbourhoods/{neighbourhood}.ics")
    created = client.post("/api/v1/feed-tokens", json={}, headers=venue.booker.headers).json
    assert created["feeds"]["ics"] == created["url"]
    assert created["feeds"]["webcal"] == created["url"].replace("http://", "webcal://")


def test_the_free_room_feed_filters_on_duration_and_keeps_its_uids(
    client: FlaskClient, venue: Venue
) -> None:
    url = f"/feeds/availability/places/{venue.place}.ics"
    short = icalendar.Calendar.from_ical(client.get(url + "?min_duration=30").data)
    long = icalendar.Calendar.from_ical(client.get(url + "?min_duration=600").data)
    day = upcoming(3)
    # Fill the day but for two hours: with min_duration=600 the day drops out.
    for start, end in (("08:00", "13:00"), ("15:00", "22:00")):
        made = book(client, venue.host, venue.hall, day, start, end)
        assert made.status_code == 201, made.json
        made = book(client, venue.host, venue.small, day, start, end)
        assert made.status_code == 201, made.json
    uid = f"free-{venue.place}-{day.isoformat()}@localhost"
    after_short = {
        str(e["UID"]): e
        for e in icalendar.Calendar.from_ical(client.get(url + "?min_duration=30").data).walk(
            "VEVENT"
        )
    }
    after_long = {
        str(e["UID"])
        for e in icalendar.Calendar.from_ical(client.get(url + "?min_duration=600").data).walk(
            "VEVENT"
        )
    }
    assert uid in after_short and uid not in after_long
    assert len(long.walk("VEVENT")) <= len(short.walk("VEVENT"))
    text = str(after_short[uid]["DESCRIPTION"])
    assert "13:00\u201315:00" in text
    # The hall is taken, so its parts are listed; where the hall is free they are not.
    assert text.count("A:") <= 1


def _revised(client: FlaskClient, url: str, uid: str, change: Any, **headers: str) -> None:
    """After `change`, the feed answers a revalidation with the new body, and the event has
    a higher SEQUENCE and a later LAST-MODIFIED."""
    first = client.get(url, headers=headers)
    before = bookings_in(first.data)[uid]
    time.sleep(1.1)
    change()
    again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200, "a changed body must not be a 304"
    after = bookings_in(again.data)[uid]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_what_events_show_of_other_rows_revises_them(client: FlaskClient, venue: Venue) -> None:
    initiative, made = _homework(client, venue)
    uid = f"booking-{made.json['id']}@localhost"
    place_feed = f"/feeds/places/{venue.place}.ics"
    # The initiative's target groups are the events' CATEGORIES.
    _revised(
        client,
        place_feed,
        uid,
        lambda: client.patch(
            f"/api/v1/initiatives/{initiative['id']}",
            json={"target_groups": ["youth", "elderly"]},
            headers=venue.booker.headers,
        ),
    )
    # The place's contact, position and kind are in every event.
    for change in (
        {"contact_email": "nieuw@example.nl"},
        {"latitude": 51.9, "longitude": 4.5},
        {"kind": "huiskamer"},
    ):
        _revised(
            client,
            place_feed,
            uid,
            lambda body=change: client.patch(
                f"/api/v1/places/{venue.place}", json=body, headers=venue.host.headers
            ),
        )
    # The booker's name is in the host's private feed.
    token = client.post("/api/v1/feed-tokens", json={"name": "host"}, headers=venue.host.headers)
    private = token.json["url"].removeprefix("http://localhost")
    _revised(
        client,
        private,
        uid,
        lambda: client.patch(
            "/api/v1/accounts/me", json={"name": "Nieuwe naam"}, headers=venue.booker.headers
        ),
    )
    assert "Nieuwe naam" in client.get(private).data.decode()


def test_the_free_room_feed_lists_a_free_hall_with_its_parts(
    client: FlaskClient, venue: Venue
) -> None:
    """A, B, the hall of A+B and Small are all free on a far day: four rooms, the hall's
    parts named with it; on a day A is taken, the hall is not free either, B still is."""
    day = upcoming(10)
    assert book(client, venue.booker, venue.a, day, "12:00", "13:00").status_code == 201
    calendar = icalendar.Calendar.from_ical(
        client.get(f"/feeds/availability/places/{venue.place}.ics").data
    )
    days = {e.decoded("DTSTART"): e for e in calendar.walk("VEVENT")}
    free_day = days[day + timedelta(days=1)]
    assert "4 ruimtes" in str(free_day["SUMMARY"])
    text = str(free_day["DESCRIPTION"])
    assert "A, B (ook samen als Hall), Small: 08:00\u201322:00" in text  # same times, one line
    busy_day = str(days[day]["DESCRIPTION"])
    assert "4 ruimtes" in str(days[day]["SUMMARY"])
    assert "A, Hall: 08:00\u201312:00, 13:00\u201322:00" in busy_day  # the hall waits for A
    assert "B, Small: 08:00\u201322:00" in busy_day
