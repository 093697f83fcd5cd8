"""What the biggest answers cost a worker in memory: a feed of about 1 MB, a page of 1,000
rows and a series of 365 dates, each asked five times of one gunicorn worker, whose RSS is
read before and after (bound: at most 50 MB more for each).

    .venv/bin/python bench/memory.py [--backends sqlite,postgresql]
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import feeds_and_availability
from common import each_backend, gunicorn, gunicorn_workers, migrate, request, rss_mb

BOUND_MB = 50
TIMES = 5
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def prepare(url: str) -> tuple[int, int, str, datetime]:
    """The bench's rooms and bookings, a feed place of 2,000 events, a place open day and
    night for the series, and a booking token: (feed place, series room, token, start)."""
    migrate(url)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    feeds_and_availability.FEED_EVENTS = 2_000
    _, feed_place = feeds_and_availability.populate(url, start)
    from booking import create_app
    from booking.extensions import db
    from booking.models import Account, Place, Room
    from booking.services.booking.policy import DEFAULT_POLICY
    from booking.services.tokens import issue_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        policy = {**DEFAULT_POLICY, "max_days_ahead": 400, "max_active_bookings": 10_000}
        place = Place(slug="series", name="Series", kind="buurthuis", opening_hours="24/7")
        place.policy = policy
        room = Room(place=place, name="Zaal", capacity=20)
        account = Account(name="Memory", email="memory@example.nl", kind="organisation")
        db.session.add_all([place, room, account])
        token = issue_token(account, "memory", ["read", "book"])[1]
        db.session.commit()
        found = (feed_place, room.id, token, start)
        db.engine.dispose()
    return found


def worker_rss(port: int) -> float:
    """The RSS of the one gunicorn worker serving `port`, in MB."""
    (worker,) = gunicorn_workers(port)
    return rss_mb(worker)


def measure(url: str) -> list[tuple[str, int, float, float]]:
    """(what, bytes answered, RSS before, RSS after) for each of the three."""
    feed_place, series_room, token, start = prepare(url)
    end = start + timedelta(days=30)
    window = f"from={start.isoformat().replace('+00:00', 'Z')}"
    window += f"&to={end.isoformat().replace('+00:00', 'Z')}"
    first = (start + timedelta(days=1)).astimezone(AMSTERDAM).replace(hour=19)
    found = []
    with gunicorn(url, 1) as port:
        for _ in range(20):  # the worker's own start-up, imports and pools settle first
            assert request(port, "GET", "/api/v1/places?page_size=5")[0] == 200
        cases = {
            "feed of 2,000 events": lambda n: request(
                port, "GET", f"/feeds/places/{feed_place}.ics"
            ),
            "page of 1,000 free intervals": lambda n: request(
                port, "GET", f"/api/v1/availability?{window}&page_size=1000&page=2"
            ),
            "series of 365 dates": lambda n: request(
                port,
                "POST",
                "/api/v1/series",
                json.dumps(
                    {
                        "room_id": series_room,
                        "start": (first + timedelta(minutes=n)).isoformat(),
                        "end": (first + timedelta(minutes=n, hours=1)).isoformat(),
                        "title": f"Elke dag {n}",
                        "rrule": "FREQ=DAILY;COUNT=365",
                    }
                ).encode(),
                token,
            ),
        }
        for name, ask in cases.items():
            before = worker_rss(port)
            size = 0
            for n in range(TIMES):
                status, body = ask(n * 60)
                assert status in (200, 201), (name, status, body[:300])
                size = len(body)
            found.append((name, size, before, worker_rss(port)))
    return found


def main() -> None:
    for backend, url in each_backend(__doc__):
        rows = measure(url)
        print(f"{backend}: one gunicorn worker, each asked {TIMES} times (bound {BOUND_MB} MB)")
        for name, size, before, after in rows:
            print(
                f"  {name}: {size / 1e6:.2f} MB answered, RSS {before:.0f} -> {after:.0f} MB "
                f"(+{after - before:.1f} MB)"
            )


if __name__ == "__main__":
    main()
