"""The rooms page (issue 35 item 3): add a room, change it, make a combined hall of two, and
a removal refused while bookings are ahead, with those bookings listed."""

from __future__ import annotations

from tests.booking_helpers import book, upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, place_with_host, sign_in


def test_a_host_adds_changes_combines_and_removes_rooms(mailing: MailingApp) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    html = client.get("/beheer/de-ster/zalen").get_data(as_text=True)
    token = csrf_of(html)
    typo = client.post(
        "/beheer/de-ster/zalen",
        data={"nieuw-csrf_token": token, "nieuw-naam": "Keuken", "nieuw-capaciteit": "veel"},
    )
    assert typo.status_code == 422 and 'value="Keuken"' in typo.get_data(as_text=True)
    added = client.post(
        "/beheer/de-ster/zalen",
        data={
            "nieuw-csrf_token": token,
            "nieuw-naam": "Keuken",
            "nieuw-capaciteit": "8",
            "nieuw-voorzieningen": ["kitchen", "coffee"],
            "nieuw-boekbaar": "y",
        },
    )
    assert added.status_code == 303
    listed = {r["name"]: r for r in m.client.get(f"/api/v1/places/{place}/rooms").json}
    kitchen = listed["Keuken"]
    assert kitchen["capacity"] == 8 and sorted(kitchen["facilities"]) == ["coffee", "kitchen"]
    hall = client.post(
        "/beheer/de-ster/zalen",
        data={
            "nieuw-csrf_token": token,
            "nieuw-naam": "Zaal en keuken",
            "nieuw-capaciteit": "38",
            "nieuw-delen": [str(room), str(kitchen["id"])],
            "nieuw-boekbaar": "y",
        },
    )
    assert hall.status_code == 303
    combined = {r["name"]: r for r in m.client.get(f"/api/v1/places/{place}/rooms").json}
    assert sorted(combined["Zaal en keuken"]["part_ids"]) == sorted([room, kitchen["id"]])
    renamed = client.post(
        f"/beheer/de-ster/zalen/{kitchen['id']}",
        data={
            f"zaal-{kitchen['id']}-csrf_token": token,
            f"zaal-{kitchen['id']}-naam": "Grote keuken",
            f"zaal-{kitchen['id']}-capaciteit": "10",
            f"zaal-{kitchen['id']}-voorzieningen": ["kitchen"],
        },
    )
    assert renamed.status_code == 303
    shown = m.client.get(f"/api/v1/rooms/{kitchen['id']}").json
    assert (shown["name"], shown["capacity"], shown["bookable"]) == ("Grote keuken", 10, False)
    # A room with a booking ahead stays, and the page says which booking.
    assert (
        book(m.client, host, room, upcoming(4), "10:00", "11:00", title="Yoga").status_code == 201
    )
    kept = client.post(f"/beheer/de-ster/zalen/{room}/weg", data={"csrf_token": token})
    assert kept.status_code == 409
    assert "Yoga" in kept.get_data(as_text=True)
