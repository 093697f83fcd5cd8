"""The per-day opening-hours editor on the host page: the demo's hours fill it, a week
filled in is previewed and saved as the same string, and wrong times are named beside
their fields in Dutch."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import update

from booking.demo.places import KIND_PROFILES
from booking.extensions import db
from booking.models import Place
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, garden_with_host, sign_in

PAGE = "/beheer/wijktuin-noord"


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return found.group(1) if found else ""


def _week_form(html: str) -> dict[str, str]:
    """What the per-day form would send as it stands, as a browser posts it."""
    form = html[html.index('<form class="week"') :]
    form = form[: form.index("</form>")]
    data = {
        name: value
        for name, value in re.findall(
            r'<input[^>]*name="([a-z]{2}_(?:van|tot)_\d)"[^>]*value="([^"]*)"', form
        )
    }
    data.update({"csrf_token": csrf_of(html), "bron": "dagen"})
    if re.search(
        r'<input[^>]*checked[^>]*name="feestdagen_dicht"|name="feestdagen_dicht"[^>]*checked', form
    ):
        data["feestdagen_dicht"] = "y"
    return data


def _empty_week(client: FlaskClient) -> dict[str, str]:
    """The per-day form with every day emptied (closed), closed on holidays, as sent."""
    html = client.get(PAGE).get_data(as_text=True)
    data = {k: "" for k in _week_form(html) if k[:2] in ("mo", "tu", "we", "th", "fr", "sa", "su")}
    data.update({"csrf_token": csrf_of(html), "bron": "dagen", "feestdagen_dicht": "y"})
    return data


def _set_hours(m: MailingApp, place: int, hours: str) -> None:
    def apply() -> None:
        db.session.execute(update(Place).where(Place.id == place).values(opening_hours=hours))
        db.session.commit()

    m.make.run(apply)


def test_the_week_form_round_trips_every_demo_string(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    for hours in sorted({profile["hours"] for profile in KIND_PROFILES.values()}):
        _set_hours(m, place, hours)
        html = client.get(PAGE).get_data(as_text=True)
        data = _week_form(html)
        shown = client.post(f"{PAGE}/openingstijden", data={**data, "stap": "preview"})
        assert shown.status_code == 200, hours
        saved = client.post(f"{PAGE}/openingstijden", data={**data, "stap": "save"})
        assert saved.status_code == 303, hours
        assert m.client.get(f"/api/v1/places/{place}").json["opening_hours"] == hours
        assert "De openingstijden zijn opgeslagen." in client.get(PAGE).get_data(as_text=True)


def test_a_week_filled_in_by_day_is_saved_as_its_string(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    data = _empty_week(client)
    data.update(
        {"tu_van_1": "09:00", "tu_tot_1": "12:00", "tu_van_2": "13:00", "tu_tot_2": "17:00"}
    )
    data.update(
        {"th_van_1": "09:00", "th_tot_1": "12:00", "th_van_2": "13:00", "th_tot_2": "17:00"}
    )
    data.update({"sa_van_1": "10:00", "sa_tot_1": "14:00"})
    shown = client.post(f"{PAGE}/openingstijden", data={**data, "stap": "preview"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "De komende vier weken" in text
    assert _value(text, "tu_van_2") == "13:00"  # the form keeps what was typed
    client.post(f"{PAGE}/openingstijden", data={**data, "stap": "save"})
    saved = m.client.get(f"/api/v1/places/{place}").json["opening_hours"]
    assert saved == "Tu,Th 09:00-12:00,13:00-17:00; Sa 10:00-14:00; PH off"


def test_wrong_times_are_named_beside_their_fields(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    html = client.get(PAGE).get_data(as_text=True)
    data = _week_form(html)
    data.update(
        {"mo_van_1": "9 uur", "tu_van_1": "17:00", "tu_tot_1": "09:00", "we_tot_2": "18:00"}
    )
    data.update({"th_van_2": "12:00", "th_tot_2": "13:00"})  # inside the first span
    shown = client.post(f"{PAGE}/openingstijden", data={**data, "stap": "preview"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 422
    assert 'id="mo_van_1-fout">Geef een tijd zoals 19:30.' in text
    assert 'id="tu_tot_1-fout">Het einde moet na het begin liggen.' in text
    assert 'id="we_van_2-fout">Vul beide tijden in.' in text
    assert 'id="th_van_2-fout">' in text
    assert _value(text, "mo_van_1") == "9 uur"
    assert m.client.get(f"/api/v1/places/{place}").json["opening_hours"] == "Mo-Su 08:00-22:00"
    # A summary at the top of the page links to each field, so nobody scrolls to find it.
    summary = text.index('class="error-summary"')
    assert summary < text.index('aria-labelledby="aanvragen"')
    assert 'href="#mo_van_1">Maandag, van: Geef een tijd zoals 19:30.' in text[summary:]
    assert 'href="#tu_tot_1"' in text[summary:]


def test_times_are_read_as_people_type_them(mailing: MailingApp) -> None:
    """Web 4, item 8: 9:00, 9.00, 9 and 0900 are all nine o'clock."""
    m = mailing
    place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    data = _empty_week(client)
    data.update({"mo_van_1": "9:00", "mo_tot_1": "17.00", "tu_van_1": "9", "tu_tot_1": "1730"})
    data.update({"we_van_1": "0900", "we_tot_1": "12u", "we_van_2": "13.30", "we_tot_2": "17"})
    shown = client.post(f"{PAGE}/openingstijden", data={**data, "stap": "preview"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200, re.findall(r'class="error"[^>]*>([^<]*)', text)
    assert _value(text, "tu_tot_1") == "17:30" and _value(text, "we_van_1") == "09:00"
    client.post(f"{PAGE}/openingstijden", data={**data, "stap": "save"})
    saved = m.client.get(f"/api/v1/places/{place}").json["opening_hours"]
    assert saved == ("Mo 09:00-17:00; Tu 09:00-17:30; We 09:00-12:00,13:30-17:00; PH off"), saved


def test_the_text_field_stays_for_who_knows_the_notation(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    _set_hours(m, place, "Mo-Fr 09:00-17:00; Dec 24 off")
    html = client.get(PAGE).get_data(as_text=True)
    assert "te gedetailleerd voor het formulier per dag" in html
    assert '<details class="advanced" open>' in html
    wrong = client.post(
        f"{PAGE}/openingstijden",
        data={"csrf_token": csrf_of(html), "bron": "tekst", "openingstijden": "ma-vr 09:00-17:00"},
    )
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Mo-Fr 09:00-17:00" in text
    assert "expected" not in text and "ma-vr 09:00-17:00" in text
