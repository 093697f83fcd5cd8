"""The pages over HTTP, on both databases: what they show, in which language, and that
they escape and hide what they must."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.i18n import LANGUAGE_COOKIE
from booking.models import Neighbourhood, utcnow
from tests.booking_helpers import book, book_weekly, local, upcoming
from tests.factories import Factory
from tests.statements import statements_of
from tests.venue import Venue

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    return response.get_data(as_text=True)


def _neighbourhood_with_a_place(make: Factory, **place: object) -> tuple[int, int, int]:
    west = make.neighbourhood("Oude Westen")
    place_id = make.place(
        name="Huiskamer Gaffel",
        slug="huiskamer-gaffel",
        neighbourhood_id=west,
        opening_hours="Mo-Su 08:00-22:00",
        step_free=True,
        description="Een huiskamer voor iedereen.",
        **place,
    )
    room = make.room(place_id, name="Grote kamer", capacity=25)
    return west, place_id, room


def test_every_page_answers_in_dutch_by_default(client: FlaskClient, make: Factory) -> None:
    west, _place, _room = _neighbourhood_with_a_place(make)
    slug = make.run(_slug_of_neighbourhood, west)
    pages = {
        "/": "Zoek vrije tijd",
        "/plekken": "Huiskamer Gaffel",
        "/plekken/huiskamer-gaffel": "Openingstijden deze week",
        f"/wijken/{slug}": "Plekken in Oude Westen",
        "/initiatieven": "Initiatieven",
        "/api": "/api/v1/docs",
    }
    for path, text in pages.items():
        html = _page(client, path)
        assert '<html lang="nl">' in html
        assert text in html, path


def test_english_on_request_and_remembered(client: FlaskClient, make: Factory) -> None:
    _neighbourhood_with_a_place(make)
    english = client.get("/plekken?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Places" in english.get_data(as_text=True)
    cookie = english.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The next page, without ?lang=, stays English; ?lang=nl switches back.
    assert '<html lang="en">' in client.get("/plekken/huiskamer-gaffel").get_data(as_text=True)
    assert '<html lang="nl">' in client.get("/?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in client.get("/initiatieven").get_data(as_text=True)
    # The switch links to the same page in the other language, keeping the search.
    html = client.get("/?dag=tu&lang=nl").get_data(as_text=True)
    assert 'href="/?dag=tu&amp;lang=en"' in html


def test_search_finds_free_slots_grouped_by_place(client: FlaskClient, make: Factory) -> None:
    _west, _place, room = _neighbourhood_with_a_place(make)
    tuesday = upcoming(days=3, weekday=1)
    host = make.account(name="Host")
    assert book(client, host, room, tuesday, "19:00", "21:00").status_code == 201
    html = _page(client, f"/?datum={tuesday.isoformat()}&personen=20&wijk=wijk-")
    assert "Controleer" in html  # an unknown neighbourhood is a message, not an error page
    html = _page(client, f"/?datum={tuesday.isoformat()}&personen=20&drempelvrij=1")
    assert "Huiskamer Gaffel" in html and "Grote kamer" in html
    # Dutch dates, "dinsdag 12 januari, 08:00-19:00" (an en dash); free again after it.
    day_name = WEEKDAYS_NL[tuesday.weekday()]
    assert re.search(rf"{day_name} {tuesday.day} \w+, 08:00\u201319:00", html), html
    assert f"{day_name} {tuesday.day}" in html and "21:00\u201322:00" in html
    assert "/aanvragen?ruimte=" in html and "&amp;van=" in html
    # Too many people: nothing fits.
    assert "Er is niets vrij" in _page(client, f"/?datum={tuesday.isoformat()}&personen=26")
    # Bad input gives messages in the form.
    html = _page(client, "/?datum=morgen&personen=-3&dag=xx")
    assert html.count('aria-invalid="true"') == 3
    for far in ("9999-12-31", "2001-01-01"):
        assert "Kies een datum van vandaag tot een jaar vooruit" in _page(client, f"/?datum={far}")
    assert "Kies een wijk uit de lijst" in _page(client, "/?wijk=bestaat-niet")


def test_the_kept_pages_follow_every_change(client: FlaskClient, make: Factory) -> None:
    """The front page's places and a place page's free slots are rendered once per version
    of their data: a booking, a rename of the place or of its neighbourhood, and the
    language each give the page that is now true, at once."""
    west, place_id, room = _neighbourhood_with_a_place(make)
    tuesday = upcoming(days=3, weekday=1)
    search = f"/?datum={tuesday.isoformat()}"
    day_name = WEEKDAYS_NL[tuesday.weekday()]
    before = _page(client, search)
    assert re.search(rf"{day_name} {tuesday.day} \w+, 08:00\u201322:00", before)
    assert "08:00\u201322:00" in _page(client, "/plekken/huiskamer-gaffel")
    host = make.account(name="Host", hosts=[place_id])
    assert book(client, host, room, tuesday, "08:00", "12:00").status_code == 201
    after = _page(client, search)
    assert re.search(rf"{day_name} {tuesday.day} \w+, 12:00\u201322:00", after), after
    place_page = _page(client, "/plekken/huiskamer-gaffel")
    assert f"vrij-{tuesday.isoformat()}" in place_page
    renamed = client.patch(
        f"/api/v1/places/{place_id}", json={"name": "Huiskamer Vork"}, headers=host.headers
    )
    assert renamed.status_code == 200, renamed.json
    assert "Huiskamer Vork" in _page(client, search)
    make.run(_rename_neighbourhood, west, "Nieuwe Westen")
    assert "Nieuwe Westen" in _page(client, search)
    client.set_cookie(LANGUAGE_COOKIE, "en")
    assert re.search(r"Tuesday \d+ \w+, 12:00\u201322:00", _page(client, search))


def test_the_kept_agenda_loads_nothing_again_and_follows_every_change(
    clean_app: Flask, client: FlaskClient, make: Factory
) -> None:
    """The coming activities on the front page and a place page are rendered once per what
    they show: a second visit loads no booking, and an edit of an activity, a sign-up (which
    stamps no place), a cancellation and the language each show at once."""
    _west, place_id, room = _neighbourhood_with_a_place(make)
    host = make.account(name="Host", hosts=[place_id])
    day = upcoming(days=2)
    made = book(
        client, host, room, day, "19:00", "21:00", title="Naaiatelier", signups={"capacity": 3}
    )
    assert made.status_code == 201, made.json
    other = book(client, host, room, day, "10:00", "11:00", title="Breicafé")
    assert other.status_code == 201, other.json
    for path in ("/", "/plekken/huiskamer-gaffel"):
        first = _page(client, path)
        assert "Naaiatelier" in first and "Breicafé" in first and "Nog 3 plekken" in first
        with statements_of(clean_app) as statements:
            assert _page(client, path) == first
        assert not [s for s in statements if s.startswith("SELECT bookings.")], statements
    renamed = client.patch(
        f"/api/v1/bookings/{made.json['id']}", json={"title": "Naaicafé"}, headers=host.headers
    )
    assert renamed.status_code == 200, renamed.json
    neighbour = make.account(name="Buur")
    signed_up = client.post(
        f"/api/v1/bookings/{made.json['id']}/signups",
        json={"party_size": 2},
        headers=neighbour.headers,
    )
    assert signed_up.status_code == 201, signed_up.json
    for path in ("/", "/plekken/huiskamer-gaffel"):
        html = _page(client, path)
        assert "Naaicafé" in html and "Naaiatelier" not in html
        assert "Nog 1 plek" in html and "Nog 3 plekken" not in html
    cancelled = client.post(
        f"/api/v1/bookings/{other.json['id']}/cancel", json={}, headers=host.headers
    )
    assert cancelled.status_code == 200, cancelled.json
    assert "Breicafé" not in _page(client, "/")
    client.set_cookie(LANGUAGE_COOKIE, "en")
    assert "1 place left" in _page(client, "/")


def _rename_neighbourhood(neighbourhood_id: int, name: str) -> None:
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id)
    assert neighbourhood is not None
    neighbourhood.name = name
    db.session.commit()


def test_weekday_and_part_of_the_day(client: FlaskClient, make: Factory) -> None:
    _neighbourhood_with_a_place(make)
    html = _page(client, "/?dag=th&dagdeel=evening")
    times = re.findall(r'<span class="when">(\w+) \d+ \w+, (\d\d:\d\d)\u2013(\d\d:\d\d)', html)
    assert times and all(day == "donderdag" for day, _s, _e in times)
    assert all(start >= "17:00" and end <= "22:00" for _d, start, end in times)


def test_place_page_shows_the_place(client: FlaskClient, make: Factory) -> None:
    _west, place_id, room = _neighbourhood_with_a_place(
        make,
        house_rules="Schoenen uit.",
        contact_email="gastvrouw@example.nl",
        target_groups=["ouderen", "buurtbewoners"],
    )
    now = utcnow()
    make.closure(place_id, now + timedelta(days=20), now + timedelta(days=21))
    host = make.account(name="Host")
    day = upcoming(days=2)
    assert book(client, host, room, day, "10:00", "11:00", title="Breicafé").status_code == 201
    secret = book(
        client, host, room, day, "14:00", "15:00", title="Schuldhulp Jansen", visibility="private"
    )
    assert secret.status_code == 201
    html = _page(client, "/plekken/huiskamer-gaffel")
    for text in (
        "Een huiskamer voor iedereen.",
        "Schoenen uit.",
        "gastvrouw@example.nl",
        "ouderen, buurtbewoners",
        "Drempelvrije ingang",
        "Grote kamer",
        "Breicafé",
        "Gesloten: test",
        "webcal://",
        "calendar.google.com",
        "outlook.live.com",
        f"/feeds/places/{place_id}.ics",
    ):
        assert text in html, text
    # A private booking is only "Bezet": no title, no description.
    assert "Bezet" in html and "Schuldhulp" not in html and "Jansen" not in html
    assert _page(client, "/plekken/bestaat-niet", status=404).count("Pagina niet gevonden") >= 1


def test_user_text_is_escaped_everywhere(client: FlaskClient, make: Factory) -> None:
    west = make.neighbourhood(HOSTILE)
    place_id = make.place(
        name=HOSTILE,
        slug="vijandig",
        description=HOSTILE,
        house_rules=HOSTILE,
        neighbourhood_id=west,
        opening_hours="Mo-Su 08:00-22:00",
        target_groups=[HOSTILE],
    )
    room = make.room(place_id, name=HOSTILE)
    host = make.account(name=HOSTILE)
    assert (
        book(client, host, room, upcoming(days=2), "10:00", "11:00", title=HOSTILE).status_code
        == 201
    )
    slug = make.run(_slug_of_neighbourhood, west)
    for path in (
        "/",
        "/plekken",
        "/plekken/vijandig",
        f"/wijken/{slug}",
        f"/aanvragen?ruimte={room}",
    ):
        html = _page(client, path)
        assert "<script>" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path


def _slug_of_neighbourhood(neighbourhood_id: int) -> str:
    from booking.extensions import db
    from booking.models import Neighbourhood

    found = db.session.get(Neighbourhood, neighbourhood_id)
    assert found is not None
    return found.slug


def test_error_pages_are_pages(client: FlaskClient) -> None:
    html = _page(client, "/bestaat/niet", status=404)
    assert "Pagina niet gevonden" in html and 'href="/plekken"' in html
    assert _page(client, "/initiatieven/999999", status=404)
    assert _page(client, "/aanvragen?ruimte=abc", status=404)
    # The API keeps its problem documents.
    api = client.get("/api/v1/bestaat-niet")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_pages_stay_small(client: FlaskClient, make: Factory) -> None:
    _neighbourhood_with_a_place(make)
    with client.get("/assets/wijkruimte.css") as stylesheet:
        assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"
        css = len(stylesheet.data)
    for path in ("/", "/plekken", "/plekken/huiskamer-gaffel", "/initiatieven"):
        size = len(client.get(path).data) + css
        assert size < 100_000, (path, size)


def test_times_are_local(client: FlaskClient, make: Factory) -> None:
    _west, _place, room = _neighbourhood_with_a_place(make)
    day = upcoming(days=2)
    host = make.account()
    assert book(client, host, room, day, "19:30", "20:45", title="Avondkoor").status_code == 201
    html = _page(client, "/plekken/huiskamer-gaffel")
    assert "19:30\u201320:45" in html  # booked in Amsterdam time, shown in it


def test_an_unexpected_error_is_a_page(database_url: str, app: object) -> None:
    from tests.conftest import discard_app, make_test_app

    broken = make_test_app(database_url, PROPAGATE_EXCEPTIONS=False)

    def fails() -> str:
        raise RuntimeError("a bug")

    broken.add_url_rule("/kapot", "kapot", fails)
    try:
        answer = broken.test_client().get("/kapot")
        html = answer.get_data(as_text=True)
        assert answer.status_code == 500 and answer.mimetype == "text/html"
        assert "Er ging iets mis" in html and "a bug" not in html
        api = broken.test_client().get("/api/v1/places/abc")
        assert api.mimetype == "application/problem+json"
    finally:
        discard_app(broken)


def test_the_privacy_page_tells_who_what_why_and_how_long(
    client: FlaskClient, clean_app: Flask
) -> None:
    clean_app.config.update(
        ORG_NAME="Stichting Buurtkracht",
        PRIVACY_CONTACT="privacy@buurtkracht.example",
        PRIVACY_URL="https://buurtkracht.example/privacy",
    )
    try:
        page = _page(client, "/privacy")
        assert "Stichting Buurtkracht is verantwoordelijk" in page
        assert "privacy@buurtkracht.example" in page
        assert 'href="https://buurtkracht.example/privacy"' in page
        assert "24 maanden" in page and "30 dagen" in page and "7 dagen" in page
        assert "Mijn gegevens downloaden" in page and "Account verwijderen" in page
        english = _page(client, "/privacy?lang=en")
        assert "is responsible for your data" in english and "24 months" in english
        # Every page's footer links to it.
        assert 'href="/privacy"' in _page(client, "/plekken?lang=nl")
    finally:
        clean_app.config.update(ORG_NAME="", PRIVACY_CONTACT="", PRIVACY_URL="")


def test_a_public_activity_has_a_page_with_its_event_for_search_engines(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(6)
    public = book(
        client, venue.booker, venue.a, day, "19:00", "21:00", title="Buurtkoor", visibility="public"
    )
    private = book(
        client, venue.booker, venue.b, day, "19:00", "21:00", title="Geheim", visibility="private"
    )
    assert public.status_code == private.status_code == 201
    page = _page(client, f"/activiteiten/{public.json['id']}")
    assert "Buurtkoor" in page and "Volg deze plek in je agenda" in page
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found
    event = json.loads(found.group(1))
    assert event["@type"] == "Event" and event["name"] == "Buurtkoor"
    assert event["startDate"] == public.json["start"]
    assert event["location"]["@type"] == "Place"
    # Not public, or not (yet) confirmed: not found, as for a stranger in the API.
    _page(client, f"/activiteiten/{private.json['id']}", status=404)
    _page(client, "/activiteiten/999999", status=404)
    # The place's page lists it with a link, and says where it is for search engines too.
    slug = client.get(f"/api/v1/places/{venue.place}").json["slug"]
    place_page = _page(client, f"/plekken/{slug}")
    assert f'href="/activiteiten/{public.json["id"]}"' in place_page
    place = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', place_page, re.S).group(1)  # type: ignore[union-attr]
    )
    assert place["@type"] == "Place"


def test_a_public_series_has_one_page_with_its_dates(client: FlaskClient, venue: Venue) -> None:
    first = upcoming(8, weekday=3)
    made = client.post(
        "/api/v1/series",
        json={
            "room_id": venue.small,
            "start": local(first, "10:00"),
            "end": local(first, "11:00"),
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "title": "Naaicafé",
            "visibility": "public",
        },
        headers=venue.booker.headers,
    )
    assert made.status_code == 201, made.json
    page = _page(client, f"/activiteiten/reeks/{made.json['series']['id']}")
    assert page.count('class="when"') >= 3 and "Naaicafé" in page


def test_an_unknown_neighbourhood_is_said_to_be_unknown(client: FlaskClient) -> None:
    page = _page(client, "/plekken?wijk=bestaatniet")
    assert "Die wijk kennen we niet" in page
    assert "Die wijk kennen we niet" not in _page(client, "/plekken")


def test_an_activity_cancelled_or_made_private_says_so_with_a_410(
    client: FlaskClient, venue: Venue
) -> None:
    """A link in an imported calendar explains itself (security 3, item 8)."""
    day = upcoming(6)
    kept = book(client, venue.booker, venue.a, day, "10:00", "11:00", title="Koffie")
    cancelled = book(client, venue.booker, venue.b, day, "10:00", "11:00", title="Koor")
    hidden = book(client, venue.booker, venue.small, day, "10:00", "11:00", title="Club")
    assert kept.status_code == cancelled.status_code == hidden.status_code == 201
    for made in (cancelled, hidden):
        _page(client, f"/activiteiten/{made.json['id']}")
    assert (
        client.post(
            f"/api/v1/bookings/{cancelled.json['id']}/cancel", json={}, headers=venue.booker.headers
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/bookings/{hidden.json['id']}",
            json={"visibility": "private"},
            headers=venue.booker.headers,
        ).status_code
        == 200
    )
    gone = _page(client, f"/activiteiten/{cancelled.json['id']}", status=410)
    assert "Deze activiteit is afgelast" in gone and "Koor" not in gone
    private = _page(client, f"/activiteiten/{hidden.json['id']}", status=410)
    assert "Deze activiteit is niet meer openbaar" in private and "Club" not in private
    slug = client.get(f"/api/v1/places/{venue.place}").json["slug"]
    assert f'href="/plekken/{slug}"' in private
    # Never public: still simply not found.
    never = book(client, venue.booker, venue.a, upcoming(7), "10:00", "11:00", visibility="private")
    _page(client, f"/activiteiten/{never.json['id']}", status=404)
    _page(client, f"/activiteiten/{kept.json['id']}")


def test_residents_read_dutch_labels_and_holiday_names(client: FlaskClient, make: Factory) -> None:
    """Web 4, item 6: the "Welkom voor" filter in words, each once; holidays by name."""
    make.place(name="Eén", target_groups=["everyone", "elderly", "spanish-speakers"])
    make.place(name="Twee", target_groups=["elderly", "youth"])
    page = _page(client, "/plekken?lang=nl")
    start = page.index('id="doelgroep"')
    options = re.findall(
        r"<option[^>]*>([^<]*)</option>", page[start : page.index("</select>", start)]
    )
    assert "spanish-speakers" not in options and "elderly" not in options
    assert options.count("iedereen") == 1 and "ouderen" in options
    assert len(options) == len(set(options)) == 5  # "maakt niet uit" and four groups
    holidays = make.place(name="Drie", opening_hours="Mo-Su 09:00-17:00; PH off")
    feed = client.get(f"/feeds/places/{holidays}.ics").get_data(as_text=True)
    assert "SUMMARY:Eerste Kerstdag" in feed and "SUMMARY:Nieuwjaarsdag" in feed
    assert "SUMMARY:Feestdag" not in feed
    english = client.get(f"/feeds/places/{holidays}.ics?lang=en").get_data(as_text=True)
    assert "SUMMARY:Christmas Day" in english


def test_privacy_as_shipped_says_what_is_missing(
    database_url: str, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Web 4, item 7: a production start without the controller's name and contact warns in
    the log, and /privacy shows the gap; complaints and feedback have their rows."""
    from tests.conftest import discard_app, make_test_app

    with caplog.at_level("WARNING"):
        shipped = make_test_app(
            database_url, ENV="production", SECRET_KEY="k" * 48, ORG_NAME="", PRIVACY_CONTACT=""
        )
    try:
        assert "BOOKING_ORG_NAME and BOOKING_PRIVACY_CONTACT not set" in caplog.text
        # Mail without SMTP reaches nobody in production: said too (web 4, item 14).
        assert "BOOKING_SMTP_URL not set" in caplog.text
        page = _page(shipped.test_client(), "/privacy?lang=nl")
        assert 'role="alert"' in page and "BOOKING_PRIVACY_CONTACT" in page
        assert "Een klacht of suggestie" in page and "Hoe het was (anoniem)" in page
        assert 'id="klacht"' in page
        shipped.config.update(ORG_NAME="Stichting Buurt", PRIVACY_CONTACT="privacy@example.nl")
        filled = _page(shipped.test_client(), "/privacy?lang=nl")
        assert 'role="alert"' not in filled and "privacy@example.nl" in filled
    finally:
        discard_app(shipped)


def test_activity_pages_describe_every_date_and_only_what_was_said(
    client: FlaskClient, venue: Venue
) -> None:
    """Web 4, item 11: a series page has an Event per coming date; no isAccessibleForFree
    unless the organiser said so; the organiser is never a resident's own name."""

    def json_ld(path: str) -> dict:  # type: ignore[type-arg]
        page = _page(client, path)
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert found
        return dict(json.loads(found.group(1)))

    unsaid = book(client, venue.booker, venue.a, upcoming(6), "10:00", "11:00", title="Koffie")
    free = client.post(
        "/api/v1/bookings",
        json={
            "room_id": venue.b,
            "start": local(upcoming(6), "10:00"),
            "end": local(upcoming(6), "11:00"),
            "title": "Soep",
            "free_of_charge": True,
        },
        headers=venue.booker.headers,
    )
    assert free.status_code == 201 and free.json["free_of_charge"] is True
    event = json_ld(f"/activiteiten/{unsaid.json['id']}")
    assert event["@type"] == "Event" and "isAccessibleForFree" not in event
    booker_name = client.get("/api/v1/accounts/me", headers=venue.booker.headers).json["name"]
    assert event["organizer"]["name"] != booker_name  # the place, not the resident
    assert json_ld(f"/activiteiten/{free.json['id']}")["isAccessibleForFree"] is True
    first = upcoming(8, weekday=3)
    made = book_weekly(
        client, venue.booker, venue.small, first, "10:00", "11:00", 4, free_of_charge=False
    )
    assert made.status_code == 201, made.json
    series = json_ld(f"/activiteiten/reeks/{made.json['series']['id']}")
    assert series["@type"] == "EventSeries" and len(series["subEvent"]) == 4
    starts = [item["startDate"] for item in series["subEvent"]]
    assert starts == sorted(starts) and len(set(starts)) == 4
    assert {item["isAccessibleForFree"] for item in series["subEvent"]} == {False}
