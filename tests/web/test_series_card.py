"""A series on /mijn is one card: its coming dates, "annuleer deze en alle volgende" and
"annuleer de hele reeks"; every change says it worked, and a move that needs the hosts'
approval again says so before it is saved."""

from __future__ import annotations

import re
from datetime import timedelta

from booking.models.booking import PENDING
from tests.booking_helpers import book, book_weekly, local, upcoming
from tests.factories import Caller
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, sign_in


def _series(m: MailingApp, weeks: int) -> tuple[int, list[int], Caller]:
    _place_id, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    first = upcoming(8, weekday=1)
    made = m.client.post(
        "/api/v1/series",
        json={
            "room_id": room,
            "start": local(first, "19:00"),
            "end": local(first, "21:00"),
            "title": "Taalcafé",
            "rrule": f"FREQ=WEEKLY;COUNT={weeks}",
        },
        headers=resident.headers,
    )
    assert made.status_code == 201, made.json
    series_id = made.json["series"]["id"]
    confirmed = m.client.post(f"/api/v1/series/{series_id}/confirm", json={}, headers=host.headers)
    assert confirmed.status_code == 200
    return series_id, made.json["series"]["booking_ids"], resident


def _statuses(m: MailingApp, ids: list[int], resident: Caller) -> list[str]:
    return [
        m.client.get(f"/api/v1/bookings/{i}", headers=resident.headers).json["status"] for i in ids
    ]


def test_a_series_is_one_card_cancelled_from_a_date_then_whole(mailing: MailingApp) -> None:
    m = mailing
    series_id, ids, resident = _series(m, 6)
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    page = client.get("/mijn").get_data(as_text=True)
    assert page.count("<h3>Taalcafé</h3>") == 1  # one card, not six
    assert "6 komende datums" in page
    # Seven choices: the dates after an empty first one, so no button means "everything".
    options = re.findall(r"<option[^>]*>", page)
    assert len(options) == 7 and options[0] == '<option value="">' and "selected" not in page
    assert "Annuleer deze en alle volgende" in page and "Annuleer de hele reeks" in page
    action = f"/mijn/reeksen/{series_id}/annuleren"
    done = client.post(
        action,
        data={
            "csrf_token": csrf_of(page),
            "vanaf": str(ids[3]),
            "wat": "volgende",
            "reden": "Zomer",
        },
    )
    assert done.status_code == 303
    assert _statuses(m, ids, resident) == ["confirmed"] * 3 + ["cancelled"] * 3
    page = client.get("/mijn").get_data(as_text=True)
    assert "Gelukt: 3 datums zijn geannuleerd." in page and "3 komende datums" in page
    client.post(action, data={"csrf_token": csrf_of(page), "vanaf": str(ids[0]), "wat": "alles"})
    assert _statuses(m, ids, resident) == ["cancelled"] * 6
    page = client.get("/mijn").get_data(as_text=True)
    assert "Gelukt: 3 datums zijn geannuleerd." in page and "Taalcafé" not in page
    # Someone else's series, or a date outside it, is refused.
    stranger = m.app.test_client()
    sign_in(m, stranger, "vreemde@example.nl")
    other = stranger.get("/mijn").get_data(as_text=True)
    refused = stranger.post(action, data={"csrf_token": csrf_of(other), "wat": "alles"})
    assert refused.status_code in (403, 404)


def test_one_date_of_a_series_is_cancelled_on_its_own(mailing: MailingApp) -> None:
    m = mailing
    series_id, ids, resident = _series(m, 5)
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    page = client.get("/mijn").get_data(as_text=True)
    assert page.count("Annuleer alleen deze datum") == 5
    # The third date alone, from the button beside it.
    forms = re.findall(r'<form class="inline" method="post" action="([^"]+)">', page)
    assert f"/mijn/boekingen/{ids[2]}/annuleren" in forms
    done = client.post(f"/mijn/boekingen/{ids[2]}/annuleren", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303
    assert _statuses(m, ids, resident) == ["confirmed"] * 2 + ["cancelled"] + ["confirmed"] * 2
    page = client.get("/mijn").get_data(as_text=True)
    assert "4 komende datums" in page
    # "This date and all after it" without a date chosen cancels nothing and says why,
    # keeping the reason typed.
    refused = client.post(
        f"/mijn/reeksen/{series_id}/annuleren",
        data={"csrf_token": csrf_of(page), "vanaf": "", "wat": "volgende", "reden": "Kerst"},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Kies de eerste datum" in text
    assert re.search(r">\s*Kerst</textarea>", text) and "<details open>" in text
    assert _statuses(m, ids, resident).count("cancelled") == 1


def test_a_move_that_needs_approval_again_says_so(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=6)
    made = book(m.client, resident, room, day, "10:00", "11:00", title="Zaaiochtend")
    booking_id = made.json["id"]
    m.client.post(f"/api/v1/bookings/{booking_id}/confirm", json={}, headers=host.headers)
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    form = client.get(f"/mijn/boekingen/{booking_id}/verplaatsen").get_data(as_text=True)
    assert "wacht je boeking weer op de gastheren en gastvrouwen" in form
    moved = client.post(
        f"/mijn/boekingen/{booking_id}/verplaatsen",
        data={
            "csrf_token": csrf_of(form),
            "datum": day.isoformat(),
            "van": "12:00",
            "tot": "13:00",
        },
    )
    assert moved.status_code == 303
    assert (
        m.client.get(f"/api/v1/bookings/{booking_id}", headers=resident.headers).json["status"]
        == PENDING
    )
    page = client.get("/mijn").get_data(as_text=True)
    assert "Gelukt: de boeking is verplaatst. Ze wacht nu" in page
    # Pending now: a second move asks nothing new, and says so plainly.
    form = client.get(f"/mijn/boekingen/{booking_id}/verplaatsen").get_data(as_text=True)
    assert "wacht je boeking weer" not in form
    wrong = client.post(
        f"/mijn/boekingen/{booking_id}/verplaatsen",
        data={"csrf_token": csrf_of(form), "datum": "24-13-2027", "van": "25:00", "tot": "13:00"},
    )
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Geef een datum zoals 24-03-2027." in text and "Geef een tijd zoals 19:30." in text
    assert "Dit veld is vereist" not in text
    assert re.search(r'name="van"[^>]*value="25:00"|value="25:00"[^>]*name="van"', text)


def test_host_decisions_and_closures_say_they_worked(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=6)
    first = book(m.client, resident, room, day, "10:00", "11:00", title="Eerste").json["id"]
    second = book(m.client, resident, room, day, "12:00", "13:00", title="Tweede").json["id"]
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/wijktuin-noord").get_data(as_text=True)
    decide = "/beheer/wijktuin-noord/besluit"
    client.post(decide, data={"csrf_token": csrf_of(page), "boeking": first, "besluit": "approve"})
    page = client.get("/beheer/wijktuin-noord").get_data(as_text=True)
    assert "Gelukt: de aanvraag is goedgekeurd." in page
    client.post(decide, data={"csrf_token": csrf_of(page), "boeking": second, "besluit": "decline"})
    page = client.get("/beheer/wijktuin-noord").get_data(as_text=True)
    assert "Gelukt: de aanvraag is afgewezen." in page
    later = upcoming(days=20)
    closure = {
        "csrf_token": csrf_of(page),
        "van_datum": later.isoformat(),
        "van_tijd": "08:00",
        "tot_datum": later.isoformat(),
        "tot_tijd": "22:00",
        "reden": "Schilderen",
        "stap": "save",
    }
    assert client.post("/beheer/wijktuin-noord/sluiting", data=closure).status_code == 303
    assert "Gelukt: de plek is dan dicht." in client.get("/beheer/wijktuin-noord").get_data(
        as_text=True
    )
    assert m.client.get(f"/api/v1/bookings/{first}", headers=resident.headers).json["status"] == (
        "confirmed"
    )


def test_the_hosts_card_lists_a_series_whose_dates_were_moved(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    first = upcoming(8, weekday=1)
    made = book_weekly(m.client, resident, room, first, "19:00", "21:00", 3)
    assert made.status_code == 201
    ids = made.json["series"]["booking_ids"]
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/wijktuin-noord").get_data(as_text=True)
    assert "3 datums, wekelijks, vanaf" in page and "niet elke week" not in page
    second = first + timedelta(days=8)  # a Wednesday instead of the Tuesday
    moved = m.client.patch(
        f"/api/v1/bookings/{ids[1]}",
        json={"start": local(second, "20:00"), "end": local(second, "22:00")},
        headers=resident.headers,
    )
    assert moved.status_code == 200, moved.json
    page = client.get("/beheer/wijktuin-noord").get_data(as_text=True)
    assert "3 datums, niet elke week:" in page and "wekelijks, vanaf" not in page
    card = page[page.index("niet elke week:") :]
    listed = re.findall(r"<li>([^<]+) · Kas</li>", card)
    assert len(listed) == 3 and "20:00" in listed[1] and "19:00" in listed[0]


def test_a_move_to_an_earlier_end_is_an_error_not_overnight(mailing: MailingApp) -> None:
    """Web 4, item 8: 17:00 to 15:00 on one day is refused beside the field."""
    m = mailing
    _place_id, room, _host = garden_with_host(m)
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=6)
    made = book(m.client, resident, room, day, "10:00", "11:00", title="Zaaien")
    client = m.app.test_client()
    sign_in(m, client, resident.email)
    url = f"/mijn/boekingen/{made.json['id']}/verplaatsen"
    form = client.get(url).get_data(as_text=True)
    moved = client.post(
        url,
        data={
            "csrf_token": csrf_of(form),
            "datum": day.isoformat(),
            "van": "17:00",
            "tot": "15:00",
        },
    )
    assert moved.status_code == 422
    assert 'id="tot-fout">Het einde moet na het begin liggen.' in moved.get_data(as_text=True)
    shown = m.client.get(f"/api/v1/bookings/{made.json['id']}", headers=resident.headers).json
    assert shown["start"] == made.json["start"] and shown["end"] == made.json["end"]
