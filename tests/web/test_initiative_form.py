"""Starting an initiative on the pages: a start time and a neighbourhood, later starts in
the suggestions, trials already over refused, and bookings made earlier linked to it."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.booking_helpers import book, local, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, sign_in


def _form(**fields: str) -> dict[str, str]:
    first = upcoming(days=8, weekday=3)
    return {
        "titel": "Buurtbreiclub",
        "personen": "8",
        "duur": "90",
        "dag": "th",
        "dagdeel": "evening",
        "proef_van": first.isoformat(),
        "proef_tot": (first + timedelta(weeks=3)).isoformat(),
        **fields,
    }


def test_start_time_neighbourhood_and_later_starts(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = garden_with_host(m)
    wijk = m.make.neighbourhood(name="Oude Noorden")
    client = m.app.test_client()
    sign_in(m, client, "initiatiefnemer@example.nl")
    page = client.get("/initiatieven/nieuw").get_data(as_text=True)
    assert "Begintijd" in page and f'<option value="{wijk}">Oude Noorden</option>' in page
    made = client.post(
        "/initiatieven/nieuw", data={"csrf_token": csrf_of(page), **_form(wijk=str(wijk))}
    )
    assert made.status_code == 303
    initiative_id = int(made.headers["Location"].rsplit("/", 1)[1])
    stored = m.client.get(f"/api/v1/initiatives/{initiative_id}").json
    assert stored["neighbourhood_id"] == wijk
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    # The best start of the evening, and later ones in the same part of the day.
    assert "Ook mogelijk om:" in shown
    starts = re.findall(r'<span class="when">(\d\d:\d\d)</span>', shown)
    assert "17:30" in starts and "20:00" in starts and "20:30" not in starts  # 90 minutes to 22:00
    # With a start time, the suggestions start then.
    page = client.get("/initiatieven/nieuw").get_data(as_text=True)
    made = client.post(
        "/initiatieven/nieuw", data={"csrf_token": csrf_of(page), **_form(begintijd="19:30")}
    )
    stored = m.client.get(f"/api/v1/initiatives/{made.headers['Location'].rsplit('/', 1)[1]}").json
    assert stored["needs"]["start_time"] == "19:30"
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "19:30\u201321:00" in shown and "Ook mogelijk om:" not in shown
    assert f"ruimte={room}" in shown


def test_a_trial_already_over_is_refused_in_dutch(mailing: MailingApp) -> None:
    m = mailing
    client = m.app.test_client()
    sign_in(m, client, "initiatiefnemer@example.nl")
    page = client.get("/initiatieven/nieuw").get_data(as_text=True)
    ended = upcoming(days=-30)
    refused = client.post(
        "/initiatieven/nieuw",
        data={
            "csrf_token": csrf_of(page),
            **_form(
                proef_van=(ended - timedelta(weeks=4)).isoformat(), proef_tot=ended.isoformat()
            ),
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Die proef zou al voorbij zijn. Kies een einddatum vanaf vandaag." in text
    assert "Buurtbreiclub" in text  # what was typed stays
    assert str(ended.year) in text or ended.isoformat() in text
    wrong = client.post(
        "/initiatieven/nieuw",
        data={"csrf_token": csrf_of(page), **_form(duur="5", personen="veel")},
    )
    text = wrong.get_data(as_text=True)
    assert "Kies 15 tot 720 minuten." in text and "Geef een getal van 1 tot 5000." in text


def test_link_my_bookings_and_a_series_to_the_initiative(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=5)
    single = book(m.client, resident, room, day, "10:00", "11:00", title="Breien proberen").json
    first = upcoming(days=9, weekday=3)
    series = m.client.post(
        "/api/v1/series",
        json={
            "room_id": room,
            "start": local(first, "19:00"),
            "end": local(first, "20:30"),
            "title": "Breiavond",
            "rrule": "FREQ=WEEKLY;COUNT=4",
        },
        headers=resident.headers,
    ).json["series"]
    other = m.make.account(name="Ander")
    theirs = book(m.client, other, room, day, "12:00", "13:00", title="Niet van mij").json
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    page = client.get("/initiatieven/nieuw").get_data(as_text=True)
    made = client.post("/initiatieven/nieuw", data={"csrf_token": csrf_of(page), **_form()})
    url = made.headers["Location"]
    initiative_id = int(url.rsplit("/", 1)[1])
    shown = client.get(url).get_data(as_text=True)
    assert "Koppel mijn boekingen" in shown and "Breiavond: 4 komende datums" in shown
    assert "Niet van mij" not in shown
    # Someone else's booking cannot be slipped in.
    refused = client.post(
        f"{url}/koppelen", data={"csrf_token": csrf_of(shown), "boeking": str(theirs["id"])}
    )
    assert refused.status_code == 403
    linked = client.post(
        f"{url}/koppelen",
        data={
            "csrf_token": csrf_of(shown),
            "boeking": str(single["id"]),
            "reeks": str(series["id"]),
        },
    )
    assert linked.status_code == 303
    shown = client.get(url).get_data(as_text=True)
    assert "Gelukt: 5 datums zijn aan het initiatief gekoppeld." in shown
    assert "Koppel mijn boekingen" not in shown  # nothing left to link
    for booking_id in [single["id"], *series["booking_ids"]]:
        found = m.client.get(f"/api/v1/bookings/{booking_id}", headers=resident.headers).json
        assert found["initiative_id"] == initiative_id
    assert (
        m.client.get(f"/api/v1/series/{series['id']}", headers=resident.headers).json[
            "initiative_id"
        ]
        == initiative_id
    )
    assert (
        m.client.get(f"/api/v1/bookings/{theirs['id']}", headers=other.headers).json[
            "initiative_id"
        ]
        is None
    )
