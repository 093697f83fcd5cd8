"""Photos of a place (DESIGN §16, issue 35 item 2): what a host uploads is turned upright,
stripped of EXIF, XMP and GPS and re-encoded at two widths; refusals cost nothing; served
with a strong ETag and a year's cache; on the place page with srcset, on the cards, and in
schema.org. Images are made with Pillow here and read back with it."""

from __future__ import annotations

import io
import json
import re

from flask.testing import FlaskClient
from PIL import Image

from tests.factories import Caller
from tests.venue import Venue

GPS_TAG, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def _jpeg(size: tuple[int, int] = (800, 600), orientation: int | None = None) -> bytes:
    """A phone-like JPEG: GPS coordinates, a camera make, an orientation tag, and XMP."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[MAKE] = "Telefoon"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (52.0, 5.0, 1.0), 3: "E", 4: (4.0, 28.0, 2.0)})
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>Huis van de gastvrouw</rdf:RDF></x:xmpmeta>'
    )
    image.save(out, "JPEG", exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def _upload(
    client: FlaskClient, place: int, who: Caller | None, data: bytes, alt: str = "De zaal"
) -> object:
    headers = who.headers if who else {}
    return client.post(
        f"/api/v1/places/{place}/photos",
        data={"file": (io.BytesIO(data), "foto.jpg"), "alt": alt},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_phone_photo_is_upright_and_carries_no_location(
    client: FlaskClient, venue: Venue
) -> None:
    raw = _jpeg((800, 600), orientation=6)  # stored on its side, as phones do
    assert b"Exif" in raw and b"Huis van de gastvrouw" in raw
    made = _upload(client, venue.place, venue.host, raw, "De grote zaal met de lange tafel")
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["width"], body["height"]) == (600, 800) and body["position"] == 1
    assert body["alt"] == "De grote zaal met de lange tafel"
    for name, width in (("small", 480), ("large", 1280)):
        served = client.get(body["urls"][name])
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert b"Exif" not in served.data and b"Huis van de gastvrouw" not in served.data
        image = Image.open(io.BytesIO(served.data))
        assert not image.getexif() and "xmp" not in image.info
        # Upright and never enlarged: 600 wide at most, the height four thirds of it.
        assert image.size == (min(width, 600), min(width, 600) * 4 // 3)
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        etag = served.headers["ETag"]
        again = client.get(body["urls"][name], headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
    listed = client.get(f"/api/v1/places/{venue.place}/photos").json
    assert [p["id"] for p in listed] == [body["id"]]


def test_refusals_say_why_and_keep_nothing(client: FlaskClient, venue: Venue) -> None:
    stranger = _upload(client, venue.place, venue.stranger, _jpeg())
    assert stranger.status_code == 403
    assert _upload(client, venue.place, None, _jpeg()).status_code == 401
    text = _upload(client, venue.place, venue.host, b"geen foto, maar tekst")
    assert text.status_code == 422 and text.json["code"] == "not_an_image"
    broken = _upload(client, venue.place, venue.host, _jpeg()[:600])
    assert broken.status_code == 422 and broken.json["code"] == "not_an_image"
    no_alt = _upload(client, venue.place, venue.host, _jpeg(), alt=" ")
    assert no_alt.status_code == 422 and "alt" in no_alt.json["errors"]
    # 50 megapixels in a few kilobytes: refused from its header, never decoded.
    bomb = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 200_000
    too_large = _upload(client, venue.place, venue.host, bomb.getvalue())
    assert too_large.status_code == 422 and too_large.json["code"] == "image_too_large"
    # Over 10 MB: 413 from the length alone.
    boundary = "grens"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\xff" * (11 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    huge = client.post(
        f"/api/v1/places/{venue.place}/photos",
        data=body,
        headers=venue.host.headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert huge.status_code == 413
    assert client.get(f"/api/v1/places/{venue.place}/photos").json == []


def test_twelve_photos_in_the_order_the_host_sets(client: FlaskClient, venue: Venue) -> None:
    ids = []
    for n in range(12):
        png = io.BytesIO()
        Image.new("RGBA", (300, 200), (n * 20, 0, 0, 128)).save(png, "PNG")
        made = _upload(client, venue.place, venue.host, png.getvalue(), f"Foto {n + 1}")
        assert made.status_code == 201, made.json
        ids.append(made.json["id"])
    thirteenth = _upload(client, venue.place, venue.host, _jpeg())
    assert thirteenth.status_code == 409 and thirteenth.json["code"] == "too_many_photos"
    moved = client.patch(
        f"/api/v1/photos/{ids[11]}", json={"position": 1}, headers=venue.host.headers
    )
    assert moved.status_code == 200 and moved.json["position"] == 1
    order = [p["id"] for p in client.get(f"/api/v1/places/{venue.place}/photos").json]
    assert order == [ids[11], *ids[:11]]
    assert client.delete(f"/api/v1/photos/{ids[0]}", headers=venue.host.headers).status_code == 204
    listed = client.get(f"/api/v1/places/{venue.place}/photos").json
    assert [p["position"] for p in listed] == list(range(1, 12))
    assert (
        client.delete(f"/api/v1/photos/{ids[1]}", headers=venue.stranger.headers).status_code == 403
    )


def test_the_place_page_cards_and_schema_org_show_the_photos(
    client: FlaskClient, venue: Venue
) -> None:
    made = _upload(client, venue.place, venue.host, _jpeg(), "De keuken met koffie").json
    slug = client.get(f"/api/v1/places/{venue.place}").json["slug"]
    page = client.get(f"/plekken/{slug}").get_data(as_text=True)
    assert f'srcset="{made["urls"]["small"]} 480w, {made["urls"]["large"]} 1280w"' in page
    assert 'loading="lazy"' in page and 'alt="De keuken met koffie"' in page
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert any(url.endswith(made["urls"]["large"]) for url in json.loads(raw)["image"])
    cards = client.get("/plekken").get_data(as_text=True)
    assert made["urls"]["small"] in cards
