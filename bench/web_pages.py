"""Server time of a place page against the API calls that give the same facts.

With 30,000 bookings in the database (the data set of feeds_and_availability.py), the page
`/plekken/<slug>` is timed against `GET /api/v1/places/{id}` plus `GET /api/v1/availability`
for the same place and 14 days, each request through the whole Flask stack in this process
(no network), in interleaved turns from a collected heap; the ratio of medians is printed.
The issue's bound: below 3.

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
    return {"bookings": bookings, "page": ours, "api": reference, "bytes": size}


def main() -> None:
    for backend, url in each_backend(__doc__):
        r = measure(url)
        print(
            f"{backend}: place page with {int(r['bookings'])} bookings in the database: "
            f"{r['page'] * 1000:.1f} ms ({r['bytes'] / 1024:.0f} KiB) vs GET /places/{{id}} + "
            f"/availability (14 days) {r['api'] * 1000:.1f} ms -> ratio "
            f"{r['page'] / r['api']:.2f} (bound: 3)"
        )


if __name__ == "__main__":
    main()
