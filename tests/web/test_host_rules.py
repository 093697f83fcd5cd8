"""The rules in plain Dutch (issue 35 item 4): the place's policy and a room's own, saved
through the same checks as the API; a typo keeps what was typed."""

from __future__ import annotations

from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, place_with_host, sign_in


def test_a_host_sets_the_rules_of_the_place_and_of_a_room(mailing: MailingApp) -> None:
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster/regels")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Aanvragen eerst goedkeuren" in html
    form = {
        "csrf_token": csrf_of(html),
        "goedkeuren": "y",
        "vooruit": "60",
        "van_tevoren": "24",
        "langst": "abc",
        "tussen": "15",
    }
    wrong = client.post("/beheer/de-ster/regels", data=form)
    assert wrong.status_code == 422 and 'value="24"' in wrong.get_data(as_text=True)
    saved = client.post("/beheer/de-ster/regels", data={**form, "langst": "4"})
    assert saved.status_code == 303
    policy = m.client.get(f"/api/v1/places/{place}").json["policy"]
    assert policy["requires_approval"] is True and policy["max_days_ahead"] == 60
    assert policy["min_notice_minutes"] == 24 * 60 and policy["max_duration_minutes"] == 240
    assert policy["buffer_minutes"] == 15
    own = client.post(
        f"/beheer/de-ster/regels/zaal/{room}",
        data={
            f"zaal-{room}-csrf_token": csrf_of(html),
            f"zaal-{room}-goedkeuren": "nee",
            f"zaal-{room}-langst": "2",
        },
    )
    assert own.status_code == 303, own.get_data(as_text=True)[-3000:]
    shown = m.client.get(f"/api/v1/rooms/{room}").json
    assert shown["policy"] == {"requires_approval": False, "max_duration_minutes": 120}
    assert shown["effective_policy"]["max_days_ahead"] == 60
