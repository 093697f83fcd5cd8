"""The host's photos page (issue 35 item 2): upload with alt text through the page's form,
a refusal said above the form with the text kept, reorder and remove with buttons."""

from __future__ import annotations

import io

from PIL import Image

from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, place_with_host, sign_in


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


def test_a_host_adds_orders_and_removes_photos_on_the_page(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = place_with_host(m, requires_approval=False)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster/fotos")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "herkenbaar" in html  # people only with their consent
    for colour, alt in (((200, 0, 0), "De zaal"), ((0, 0, 200), "De keuken")):
        sent = client.post(
            "/beheer/de-ster/fotos",
            data={
                "csrf_token": csrf_of(html),
                "alt": alt,
                "foto": (io.BytesIO(_png(colour)), "f.png"),
            },
            content_type="multipart/form-data",
        )
        assert sent.status_code == 303, sent.get_data(as_text=True)[:500]
    refused = client.post(
        "/beheer/de-ster/fotos",
        data={
            "csrf_token": csrf_of(html),
            "alt": "Een tekst",
            "foto": (io.BytesIO(b"tekst"), "t.txt"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert 'value="Een tekst"' in refused.get_data(as_text=True)
    photos = m.client.get(f"/api/v1/places/{place}/photos").json
    assert [p["alt"] for p in photos] == ["De zaal", "De keuken"]
    page = client.get("/beheer/de-ster/fotos").get_data(as_text=True)
    up = client.post(
        f"/beheer/de-ster/fotos/{photos[1]['id']}",
        data={"csrf_token": csrf_of(page), "actie": "omhoog"},
    )
    assert up.status_code == 303
    assert [p["alt"] for p in m.client.get(f"/api/v1/places/{place}/photos").json] == [
        "De keuken",
        "De zaal",
    ]
    gone = client.post(
        f"/beheer/de-ster/fotos/{photos[0]['id']}",
        data={"csrf_token": csrf_of(page), "actie": "verwijder"},
    )
    assert gone.status_code == 303
    assert [p["alt"] for p in m.client.get(f"/api/v1/places/{place}/photos").json] == ["De keuken"]
    # Someone who does not host the place gets no page.
    other = m.app.test_client()
    stranger = m.make.account(name="Buurman")
    sign_in(m, other, stranger.email)
    assert other.get("/beheer/de-ster/fotos").status_code == 403
