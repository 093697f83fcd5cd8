"""A feed is rendered once per version and process: the next client of the same version
gets the same bytes, a change renders anew, and the store stays within its budget."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient

from booking.extensions import db
from booking.feeds.rendered import RenderedFeeds
from tests.booking_helpers import book, upcoming
from tests.conftest import make_test_app
from tests.factories import Factory


def test_one_version_is_rendered_once_and_a_change_renders_anew(
    client: FlaskClient, make: Factory
) -> None:
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    booker = make.account()
    made = book(client, booker, room, upcoming(3), "10:00", "11:00", title="Koor")
    assert made.status_code == 201
    url = f"/feeds/places/{place}.ics"
    first, again = client.get(url), client.get(url)
    assert first.data == again.data and b"Koor" in first.data
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == first.data
    made = book(client, booker, room, upcoming(4), "10:00", "11:00", title="Breiclub")
    assert made.status_code == 201
    changed = client.get(url)
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert b"Breiclub" in changed.data and b"Koor" in changed.data
    assert b"Breiclub" in gzip.decompress(client.get(url, headers={"Accept-Encoding": "gzip"}).data)


def test_the_store_renders_each_key_once_and_keeps_to_its_budget() -> None:
    store = RenderedFeeds(budget=1000)
    renders: list[str] = []

    def render(name: str, size: int) -> bytes:
        renders.append(name)
        return name.encode().ljust(size, b".")

    def key(name: str) -> tuple[str, str, str, bool]:
        return ("here", "", name, False)

    assert store.body(key("a"), lambda: render("a", 200)) == store.body(
        key("a"), lambda: render("a", 200)
    )
    assert renders == ["a"]
    for name in "bcdef":
        store.body(key(name), lambda n=name: render(n, 200))
    assert store.size <= 1000
    store.body(key("a"), lambda: render("a", 200))  # the least recently used went first
    assert renders == ["a", "b", "c", "d", "e", "f", "a"]
    store.body(key("huge"), lambda: render("huge", 400))  # over a quarter: never kept
    store.body(key("huge"), lambda: render("huge", 400))
    assert renders[-2:] == ["huge", "huge"] and store.size <= 1000


def test_a_body_is_kept_per_installation(
    client: FlaskClient, make: Factory, database_url: str
) -> None:
    """Two installations' feeds of one version differ in their links: one process serving
    both (as the tests do) never answers one with the other's body."""
    place = make.place(opening_hours="24/7")
    room = make.room(place)
    made = book(client, make.account(), room, upcoming(3), "10:00", "11:00", title="Koor")
    assert made.status_code == 201
    url = f"/feeds/places/{place}.ics"
    here = client.get(url)
    other = make_test_app(database_url, PUBLIC_BASE_URL="https://elders.example")
    try:
        there = other.test_client().get(url)
    finally:
        with other.app_context():
            db.engine.dispose()
    assert there.headers["ETag"] == here.headers["ETag"]  # the same version...
    assert b"elders.example" in there.data and b"elders.example" not in here.data
