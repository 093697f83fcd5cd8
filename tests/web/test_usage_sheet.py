"""The usage CSV from the host page is a Dutch spreadsheet's: `;`, a decimal comma, Dutch
headers and occupancy as a percentage; the API's CSV stays as programs read it."""

from __future__ import annotations

import csv
import io

from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import garden_with_host, sign_in


def test_the_host_page_csv_is_dutch_and_the_api_csv_is_not(mailing: MailingApp) -> None:
    m = mailing
    place, room, host = garden_with_host(m)  # open 08:00-22:00 every day: 14 hours
    resident = m.make.account(name="Bewoner")
    day = upcoming(days=5)
    made = book(m.client, resident, room, day, "10:00", "13:30", title="Zaaiochtend").json
    m.client.post(f"/api/v1/bookings/{made['id']}/confirm", json={}, headers=host.headers)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    got = client.get(f"/beheer/wijktuin-noord/gebruik?van={day}&tot={day}&formaat=csv")
    assert got.mimetype == "text/csv"
    text = got.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    header, whole, kas = rows
    assert header[:3] == ["Niveau", "Plek-nummer", "Plek"]
    assert "Bezetting (%)" in header and "Geboekte uren" in header
    cells = dict(zip(header, kas, strict=True))
    assert cells["Niveau"] == "ruimte" and cells["Ruimte"] == "Kas"
    # An activity of no initiative with target groups, in words (web 4, item 6).
    assert cells["Activiteiten per doelgroep"] == "zonder doelgroep: 1"
    assert cells["Open uren"] == "14,0" and cells["Geboekte uren"] == "3,5"
    assert cells["Bezetting (%)"] == "25,0"
    assert cells["Van"] == day.strftime("%d-%m-%Y")
    assert dict(zip(header, whole, strict=True))["Niveau"] == "plek"
    # The page in English writes the English way; the API keeps its own CSV.
    english = client.get(f"/beheer/wijktuin-noord/gebruik?van={day}&tot={day}&formaat=csv&lang=en")
    rows = list(csv.reader(io.StringIO(english.get_data(as_text=True)[1:])))
    assert rows[0][9] == "Occupancy (%)" and rows[2][9] == "25.0"
    api = m.client.get(
        f"/api/v1/reports/usage?from={day}&to={day}&place={place}&format=csv", headers=host.headers
    ).get_data(as_text=True)
    api_rows = list(csv.reader(io.StringIO(api)))
    assert api_rows[0][9] == "occupancy" and api_rows[2][9] == "0.25"
    # The table on the page shows occupancy the Dutch way too.
    page = client.get(f"/beheer/wijktuin-noord/gebruik?van={day}&tot={day}&lang=nl").get_data(
        as_text=True
    )
    assert "Bezetting: 25,0%" in page
    # Hours the Dutch way on the page as well: 14,0, not 14.0.
    assert "<td>14,0</td>" in page and "<td>14.0</td>" not in page


def test_swapped_dates_on_the_usage_page_are_a_field_error(mailing: MailingApp) -> None:
    """Web 4, item 8: not the generic error page."""
    m = mailing
    _place, _room, host = garden_with_host(m)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    swapped = client.get("/beheer/wijktuin-noord/gebruik?van=2026-03-31&tot=2026-03-01")
    text = swapped.get_data(as_text=True)
    assert swapped.status_code == 422
    assert 'id="tot-fout">De einddatum mag niet voor de begindatum liggen.' in text
    assert 'value="2026-03-31"' in text and 'value="2026-03-01"' in text
