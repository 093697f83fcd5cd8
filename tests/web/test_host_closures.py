"""Closures on the host page (issue 35 item 5): for one room or the whole place, whole days
without times, a preview naming the room and the booker of each hit, and a closure removed
with one button."""

from __future__ import annotations

import re

from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, place_with_host, sign_in


def test_a_host_closes_one_room_for_whole_days_and_opens_it_again(mailing: MailingApp) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    kitchen = m.make.room(place, name="Keuken", capacity=6)
    booker = m.make.account(name="Marieke Booker")
    day = upcoming(6)
    assert book(m.client, booker, room, day, "10:00", "12:00", title="Yoga").status_code == 201
    assert book(m.client, booker, kitchen, day, "10:00", "12:00", title="Koken").status_code == 201
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster").get_data(as_text=True)
    assert 'name="hele_dag"' in page and 'name="zalen"' in page
    form = {
        "csrf_token": csrf_of(page),
        "van_datum": day.isoformat(),
        "tot_datum": day.isoformat(),
        "hele_dag": "y",
        "zalen": [str(room)],
        "reden": "Schilderen",
        "stap": "preview",
    }
    preview = client.post("/beheer/de-ster/sluiting", data=form)
    assert preview.status_code == 200
    (text,) = re.findall(r'<div class="preview".*?</div>', preview.get_data(as_text=True), re.S)
    assert "Yoga" in text and "Koken" not in text and "Marieke Booker" in text and "Zaal" in text
    saved = client.post("/beheer/de-ster/sluiting", data={**form, "stap": "save", "annuleren": "0"})
    assert saved.status_code == 303
    (closure,) = m.client.get(f"/api/v1/places/{place}/closures").json
    assert closure["room_ids"] == [room]
    assert closure["start"].startswith(f"{day.isoformat()}T00:00")
    # No times and no whole day: the times are asked for.
    missing = client.post(
        "/beheer/de-ster/sluiting", data={**{k: v for k, v in form.items() if k != "hele_dag"}}
    )
    assert missing.status_code == 422
    page = client.get("/beheer/de-ster").get_data(as_text=True)
    removed = client.post(
        f"/beheer/de-ster/sluiting/{closure['id']}/weg", data={"csrf_token": csrf_of(page)}
    )
    assert removed.status_code == 303
    assert m.client.get(f"/api/v1/places/{place}/closures").json == []
