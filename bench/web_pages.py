"""Server time of a place page and of the front page against API calls.

With 30,000 bookings in the database (the data set of feeds_and_availability.py), each
request through the whole Flask stack in this process (no network), in interleaved turns
from a collected heap; the ratio of medians is printed:
- the page `/plekken/<slug>` against `GET /api/v1/places/{id}` plus `GET /api/v1/availability`
  for the same place and 14 days (bound: below 3);
- the front page, idle (nothing changed since the last visit), against the one-row read
  `GET /api/v1/places/{id}` (bound: at most 3); and just after a booking at one place.

    .venv/bin/python bench/web_pages.py [--backends sqlite,postgresql]
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import each_backend, migrate
from feeds_and_availability import interleaved, populate

RUNS = 15


def measure(url: str) -> dict[str, float]:
    """Medians of the page and of the two API calls, in seconds, and the page's size."""
    from booking import create_app

    migrate(url)
    start = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    bookings, _feed_place = populate(url, start)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    place = client.get("/api/v1/places?page_size=1").json[0]
    today = datetime.now(UTC).date()
    last = today + timedelta(days=13)

    def page() -> None:
        response = client.get(f"/plekken/{place['slug']}")
        assert response.status_code == 200, response.status_code

    def api() -> None:
        one = client.get(f"/api/v1/places/{place['id']}")
        two = client.get(
            f"/api/v1/availability?place={place['id']}&from={today}&to={last}&page_size=100"
        )
        assert one.status_code == two.status_code == 200

    ours, reference = interleaved(RUNS, page, api)
    size = len(client.get(f"/plekken/{place['slug']}").data)

    def front() -> None:
        response = client.get("/")
        assert response.status_code == 200, response.status_code

    def one_row() -> None:
        assert client.get(f"/api/v1/places/{place['id']}").status_code == 200

    idle, read = interleaved(RUNS, front, one_row)
    changed = after_a_booking(app, url, front)
    return {
        "bookings": bookings,
        "page": ours,
        "api": reference,
        "bytes": size,
        "front": idle,
        "read": read,
        "front_changed": changed,
    }


def after_a_booking(app: object, url: str, front: object) -> float:
    """The median front page just after a booking at one place changed its data."""
    import statistics
    import time

    from sqlalchemy import select, update

    from booking.extensions import db
    from booking.models import Place, utcnow

    times = []
    with app.app_context():  # type: ignore[attr-defined]
        first = db.session.scalar(select(Place.id).order_by(Place.id).limit(1))
        for _ in range(RUNS):
            # What a booking's write does to the place (booking_writes.STAMP).
            db.session.execute(
                update(Place).where(Place.id == first).values(feed_changed_at=utcnow())
            )
            db.session.commit()
            started = time.perf_counter()
            front()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        db.session.remove()
    return statistics.median(times)


def main() -> None:
    for backend, url in each_backend(__doc__):
        r = measure(url)
        print(
            f"{backend}: place page with {int(r['bookings'])} bookings in the database: "
            f"{r['page'] * 1000:.1f} ms ({r['bytes'] / 1024:.0f} KiB) vs GET /places/{{id}} + "
            f"/availability (14 days) {r['api'] * 1000:.1f} ms -> ratio "
            f"{r['page'] / r['api']:.2f} (bound: 3)"
        )
        print(
            f"{backend}: front page, idle: {r['front'] * 1000:.1f} ms vs GET /places/{{id}} "
            f"{r['read'] * 1000:.1f} ms -> ratio {r['front'] / r['read']:.2f} (bound: 3); "
            f"just after a booking at one place: {r['front_changed'] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
