"""The place's own page to edit (issue 35 item 1): every host edits the profile with the
same rules as the API; a typo keeps what was typed; the slug and neighbourhood are shown,
not edited; the public page shows the result."""

from __future__ import annotations

from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, place_with_host, sign_in


def test_a_host_edits_the_places_profile_on_the_page(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = place_with_host(m, requires_approval=False)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster/plek")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/plekken/de-ster" in html and 'name="slug"' not in html
    form = {
        "csrf_token": csrf_of(html),
        "beschrijving": "Een huiskamer in de wijk.\n\nIedereen is welkom voor koffie.",
        "doelgroepen": ["elderly", "neighbours"],
        "drempelvrij": "y",
        "huisregels": "Geen alcohol.",
        "straat": "Lindelaan 4",
        "postcode": "3012 AB",
        "plaats": "Rotterdam",
        "email": "info@deSter.nl",
        "telefoon": "nul-tien",
        "website": "",
        "aanwezigheid": "hosts",
        "feedback": "y",
    }
    wrong = client.post("/beheer/de-ster/plek", data=form)
    assert wrong.status_code == 422
    kept = wrong.get_data(as_text=True)
    assert 'value="nul-tien"' in kept and "Lindelaan 4" in kept and "Geen alcohol." in kept
    saved = client.post("/beheer/de-ster/plek", data={**form, "telefoon": "010 123 45 67"})
    assert saved.status_code == 303
    shown = m.client.get(f"/api/v1/places/{place}").json
    assert shown["target_groups"] == ["elderly", "neighbours"]
    assert shown["accessibility"]["step_free"] is True
    assert shown["phone"] == "010 123 45 67" and shown["address"]["city"] == "Rotterdam"
    public = m.client.get("/plekken/de-ster").get_data(as_text=True)
    assert "Iedereen is welkom voor koffie." in public and "Geen alcohol." in public
    stranger = m.make.account(name="Buurman")
    other = m.app.test_client()
    sign_in(m, other, stranger.email)
    assert other.get("/beheer/de-ster/plek").status_code == 403
