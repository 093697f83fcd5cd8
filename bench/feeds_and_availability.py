"""Availability search, feed rendering and conditional feed requests, in one run.

(a) availability of 300 rooms in 50 places over 30 days with about 30,000 bookings,
    against the bare SQL query that fetches those occupancies (ratio of times);
(b) rendering a 1,000-event feed (milliseconds, through the whole feed path and the
    pure renderer alone);
    and against a bare icalendar serialisation of the same events (a ratio);
(c) a conditional feed request answered with 304, and a HEAD of the feed, against a read of
    the place (GET /api/v1/places/{id}), /healthz, and each other, as throughput ratios on
    gunicorn with 4 workers;
(e) fetching every page of (a) over HTTP, grouped by room (100 rooms a page; bound 1.5),
    and the flat list (100 intervals a page, pinned with If-Match, each round after a change
    of the data so that its first page computes the answer; the rest fetched by 8 client
    threads, bound 2, and one after another), against computing (a)
    once in-process, with the floor that HTTP alone puts under them (as many requests to
    /healthz, fetched the same way); the gunicorn workers share computed answers in Redis,
    as deployed;
(f) one page (300 rooms) of the recurring search "every day 10:00-12:00 for 30 days" over
    HTTP, against the bare fetch of the window's occupancies in-process (bound: 0.4).

    .venv/bin/python bench/feeds_and_availability.py [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROUNDS,
    etag,
    get_with_headers,
    gunicorn,
    migrate,
    paired,
    postgres_database,
    request,
    sqlite_database,
    throughput,
)

PLACES, ROOMS_PER_PLACE, DAYS, BOOKINGS = 50, 6, 30, 30_000
# The computed answers' store the workers share, as deployed (docs/search.md).
REDIS = "redis://127.0.0.1:6379/0"
FEED_EVENTS = 1_000


def interleaved(
    runs: int, ours: Callable[[], object], reference: Callable[[], object]
) -> tuple[float, float]:
    """Medians of `ours` and `reference` timed in turns, each from a collected heap.

    Alternating keeps drift (caches, other load) from favouring either; collecting first
    gives both the same garbage-collector state, so neither pays for the other's garbage.
    """
    ours(), reference()  # warm caches and prepared statements
    mine, theirs = [], []
    for _ in range(runs):
        for work, times in ((ours, mine), (reference, theirs)):
            gc.collect()
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
    return statistics.median(mine), statistics.median(theirs)


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The median of several timings of `work`, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def populate(url: str, start: datetime) -> tuple[int, int]:
    """50 places x 6 rooms open 08:00-22:00, 30,000 bookings; a place with 1,000 more."""
    from sqlalchemy import insert, text

    from booking import create_app
    from booking.extensions import db
    from booking.models import Account, Booking, Occupancy, Place, Room
    from booking.services.booking.policy import DEFAULT_POLICY

    rng = random.Random(7)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        account = Account(name="Bench", email="bench@example.nl", kind="organisation")
        policy = {**DEFAULT_POLICY, "max_days_ahead": 365, "min_notice_minutes": 0}
        places = [
            Place(
                slug=f"p{i}",
                name=f"Place {i}",
                kind="buurthuis",
                opening_hours="Mo-Su 08:00-22:00; PH off",
                policy=policy,
            )
            for i in range(PLACES + 1)
        ]
        rooms = [Room(place=p, name=f"R{j}", capacity=20) for p in places[:-1] for j in range(6)]
        feed_room = Room(place=places[-1], name="Feed room", capacity=20)
        db.session.add_all([account, *places, *rooms, feed_room])
        db.session.commit()
        now = datetime.now(UTC)
        bookings, occupancies = [], []
        # Per room and day, non-overlapping bookings: about 30,000 in all.
        per_room_day = BOOKINGS // (len(rooms) * DAYS) + 1
        next_id = 1
        for room in rooms:
            for day in range(DAYS):
                hour = 8
                for _ in range(per_room_day):
                    if next_id > BOOKINGS:
                        break
                    hour += rng.randint(0, 1)
                    length = rng.choice([1, 2])
                    if hour + length > 22:
                        break
                    b_start = start + timedelta(days=day, hours=hour - 8)
                    b_end = b_start + timedelta(hours=length)
                    bookings.append(_booking(next_id, room, account.id, b_start, b_end, now))
                    occupancies.append(_occupancy(next_id, room.id, b_start, b_end))
                    next_id += 1
                    hour += length
        for n in range(FEED_EVENTS):
            b_start = start + timedelta(hours=n)
            bookings.append(
                _booking(
                    next_id, feed_room, account.id, b_start, b_start + timedelta(minutes=45), now
                )
            )
            occupancies.append(
                _occupancy(next_id, feed_room.id, b_start, b_start + timedelta(minutes=45))
            )
            next_id += 1
        db.session.execute(insert(Booking), bookings)
        db.session.execute(insert(Occupancy), occupancies)
        if url.startswith("postgresql"):
            # The bookings were given their ids here: new ones must follow them.
            db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('bookings', 'id'), max(id)) FROM bookings"
                )
            )
        db.session.commit()
        feed_place = places[-1].id
        db.engine.dispose()
    return next_id - 1 - FEED_EVENTS, feed_place


def _booking(
    booking_id: int, room: object, account_id: int, start: datetime, end: datetime, now: datetime
) -> dict[str, object]:
    return {
        "id": booking_id,
        "room_id": room.id,  # type: ignore[attr-defined]
        "place_id": room.place_id,  # type: ignore[attr-defined]
        "booked_by_id": account_id,
        "start": start,
        "end": end,
        "title": f"Activiteit {booking_id}, met; tekens \\ erin",
        "description": "Een beschrijving van de activiteit.",
        "visibility": "public",
        "status": "confirmed",
        "buffer_minutes": 0,
        "outside_opening_hours": False,
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }


def _occupancy(booking_id: int, room_id: int, start: datetime, end: datetime) -> dict[str, object]:
    return {
        "booking_id": booking_id,
        "room_id": room_id,
        "start": start,
        "end": end,
        "active": True,
    }


def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    from sqlalchemy import select

    from booking import create_app
    from booking.extensions import db
    from booking.feeds.render import FeedInfo, render_feed
    from booking.feeds.sources import place_feed
    from booking.models import Occupancy
    from booking.models.base import epoch_seconds
    from booking.services.search.availability import AvailabilityFilter, find_availability

    migrate(url)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    bookings, feed_place = populate(url, start)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    result: dict[str, float] = {"bookings": bookings}
    with app.app_context():
        # The reference fetches the same rows as Python values (instants, not SQLite's
        # text), which any search must have before it can compute anything.
        def bare(until: datetime) -> Callable[[], object]:
            stmt = select(Occupancy.room_id, Occupancy.start, Occupancy.end).where(
                Occupancy.active, Occupancy.start < until, Occupancy.end > start
            )
            return lambda: db.session.connection().execute(stmt).all()

        # The same rows as the integers our search now asks the database for: a second,
        # stricter reference (the search's own fetch is most of that).
        def bare_seconds(until: datetime) -> Callable[[], object]:
            stmt = select(
                Occupancy.room_id, epoch_seconds(Occupancy.start), epoch_seconds(Occupancy.end)
            ).where(Occupancy.active, Occupancy.start < until, Occupancy.end > start)
            return lambda: db.session.connection().execute(stmt).all()

        end = start + timedelta(days=DAYS)
        result["rows"] = len(bare(end)())  # type: ignore[arg-type]
        filters = AvailabilityFilter(from_=start, to=end)
        slots = find_availability(filters, now=start - timedelta(days=1))
        result["slots"] = len(slots)
        # As a gunicorn worker does after start-up (gunicorn.conf.py): what the app loaded
        # is never scanned by the collector again. Ours and the references alike.
        gc.collect()
        gc.freeze()
        result["availability"], result["sql"] = interleaved(
            5, lambda: find_availability(filters, now=start - timedelta(days=1)), bare(end)
        )
        result["availability_again"], result["sql_seconds"] = interleaved(
            5, lambda: find_availability(filters, now=start - timedelta(days=1)), bare_seconds(end)
        )
        # (d) the recurring search: Tuesdays and Thursdays 19:00-21:00 for 13 weeks.
        from booking.services.search.recurring import Pattern, recurring_availability

        first = start.date()
        pattern = Pattern((1, 3), clock(19), timedelta(hours=2), first, first + timedelta(weeks=13))
        recurring_end = datetime.combine(pattern.last, clock(0), tzinfo=UTC) + timedelta(days=2)
        everything = AvailabilityFilter()
        result["recurring"], result["recurring_sql"] = interleaved(
            5,
            lambda: recurring_availability(everything, pattern, now=start - timedelta(days=1)),
            bare(recurring_end),
        )
        feed = place_feed(feed_place)
        result["feed_path"] = best_of(5, lambda: render_feed(feed.info, feed.events()))
        events = feed.events()
        result["feed_events"] = len(events)
        result["render_only"] = best_of(
            5, lambda: render_feed(FeedInfo("B", "Europe/Amsterdam"), events)
        )
        result["feed_bytes"] = len(render_feed(feed.info, events))
        result["bare_icalendar"] = best_of(5, lambda: bare_icalendar(events))
        db.session.remove()
        db.engine.dispose()
    gc.unfreeze()
    with gunicorn(url, 4, BOOKING_RATELIMIT_STORAGE_URL=REDIS) as port:
        feed_etag = etag(port, f"/feeds/places/{feed_place}.ics")
        throughput(50, args.concurrency, lambda i: request(port, "GET", "/healthz")[0])
        health, codes = throughput(
            args.requests, args.concurrency, lambda i: request(port, "GET", "/healthz")[0]
        )
        assert codes == {200: args.requests}, codes
        # The 304 in interleaved pairs with the reference read of the place.
        conditional, read, paired_ratio, codes, read_codes = paired(
            args.requests,
            args.concurrency,
            lambda i: request(
                port, "GET", f"/feeds/places/{feed_place}.ics", headers={"If-None-Match": feed_etag}
            )[0],
            lambda i: request(port, "GET", f"/api/v1/places/{feed_place}")[0],
        )
        assert set(codes) == {304}, codes
        assert set(read_codes) == {200}, read_codes
        result["read"], result["paired"] = read, paired_ratio
        head, codes = throughput(
            args.requests,
            args.concurrency,
            lambda i: request(port, "HEAD", f"/feeds/places/{feed_place}.ics")[0],
        )
        assert codes == {200: args.requests}, codes
        result["healthz"], result["conditional"], result["head"] = health, conditional, head
        window = (
            f"from={start.isoformat().replace('+00:00', 'Z')}"
            f"&to={end.isoformat().replace('+00:00', 'Z')}"
        )
        # Every page over HTTP and one search in-process, timed in turns (as (a) is).
        with app.app_context():
            once = lambda: find_availability(filters, now=start - timedelta(days=1))  # noqa: E731
            for key, path in (
                ("pages_by_room", f"/api/v1/availability?{window}&group=room&page_size=100"),
                ("pages_one", f"/api/v1/availability?{window}&group=room&page_size=1000"),
            ):
                fetch_all, result[f"{key}_count"] = every_page(port, path)
                result[key], result[f"{key}_once"] = interleaved(5, fetch_all, once)
            flat = f"/api/v1/availability?{window}&page_size=100"
            for key, threads in (("pages_flat", args.concurrency), ("pages_flat_one", 1)):
                (
                    result[key],
                    result[f"{key}_once"],
                    result[f"{key}_count"],
                    result[f"{key}_healthz"],
                ) = flat_rounds(port, flat, once, threads)
            db.session.remove()
        first = start.date()
        recurring_path = (
            "/api/v1/availability/recurring?weekdays=mo,tu,we,th,fr,sa,su&start_time=10:00"
            f"&duration=120&from={first}&until={first + timedelta(days=DAYS - 1)}&page_size=300"
        )

        def recurring_page() -> None:
            status, body = request(port, "GET", recurring_path)
            assert status == 200, (status, body[:200])

        # Every worker answers it a few times first, as a server has after its first
        # minutes: its statements compiled, and prepared on its connection (psycopg
        # prepares a statement at its sixth execution there: the probe took about 48 ms
        # before and 27 after, measured here). Nothing of the answer is kept between
        # requests.
        throughput(40, 4, lambda i: recurring_page() or 200)
        with app.app_context():
            result["recurring_page"], result["recurring_bare"] = interleaved(
                5, recurring_page, bare(end)
            )
            db.session.remove()
            db.engine.dispose()
    return result


def flat_rounds(
    port: int, path: str, once: Callable[[], object], threads: int, rounds: int = 5
) -> tuple[float, float, int, float]:
    """Medians of fetching every page of the flat list after a change of the data (its first
    page computes the answer, the next ones are pinned to it with If-Match, fetched by
    `threads` client threads) and of one computation in-process, in turns; how many pages;
    and the median of as many requests to /healthz, fetched the same way: the floor that
    HTTP alone puts under the pages."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import update

    from booking.extensions import db
    from booking.models import Place, utcnow

    def fetch_all() -> int:
        status, body, headers = get_with_headers(port, path + "&page=1")
        assert status == 200, (status, body[:200])
        pages = int(json.loads(headers["X-Pagination"])["total_pages"])
        pinned = {"If-Match": headers["ETag"]}

        def fetch(page: int) -> None:
            status, body = request(port, "GET", f"{path}&page={page}", headers=pinned)
            assert status == 200, (status, body[:200])

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fetch, range(2, pages + 1)))
        return pages

    def nothing(_page: int) -> None:
        status, body = request(port, "GET", "/healthz")
        assert status == 200, (status, body[:200])

    def healthz_all() -> None:
        nothing(1)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(nothing, range(2, pages + 1)))

    pages = fetch_all()
    ours, reference, floor = [], [], []
    for _ in range(rounds):
        # A booking's write to one place: a new version, so the next page 1 computes.
        db.session.execute(update(Place).where(Place.id == 1).values(feed_changed_at=utcnow()))
        db.session.commit()
        for work, times in ((fetch_all, ours), (once, reference), (healthz_all, floor)):
            gc.collect()
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
    return (
        statistics.median(ours),
        statistics.median(reference),
        pages,
        statistics.median(floor),
    )


def every_page(port: int, path: str) -> tuple[Callable[[], object], int]:
    """A function that fetches every page of a list over HTTP, and how many pages it has."""
    import json

    def fetch(page: int) -> bool:
        status, body = request(port, "GET", f"{path}&page={page}")
        assert status == 200, (status, body[:200])
        return bool(json.loads(body))

    pages = 1
    while fetch(pages + 1):  # count the pages once (the timed runs fetch only those)
        pages += 1
    return (lambda: [fetch(page) for page in range(1, pages + 1)]), pages


def bare_icalendar(events: list[object]) -> bytes:
    """The same events through icalendar with nothing of ours: the floor for rendering."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//bench//")
    for item in events:
        event = Event()
        for name in ("uid", "summary", "description", "location", "status", "url"):
            value = getattr(item, name)
            if value:
                event.add(name, value)
        event.add("dtstamp", item.stamp)  # type: ignore[attr-defined]
        event.add("dtstart", item.day or item.start)  # type: ignore[attr-defined]
        event.add("dtend", item.end)  # type: ignore[attr-defined]
        event.add("sequence", item.sequence)  # type: ignore[attr-defined]
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    databases = {"sqlite": sqlite_database, "postgresql": postgres_database}
    for backend in args.backends.split(","):
        with databases[backend]() as url:
            r = measure(url, args)
        print(f"{backend}:")
        print(
            f"  (a) availability, {PLACES * ROOMS_PER_PLACE} rooms x {DAYS} days, "
            f"{int(r['bookings'])} bookings ({int(r['rows'])} rows): "
            f"{r['availability'] * 1000:.0f} ms for {int(r['slots'])} free intervals vs bare SQL "
            f"{r['sql'] * 1000:.0f} ms -> ratio {r['availability'] / r['sql']:.1f} (aim 2); "
            f"vs the same rows as epoch seconds {r['sql_seconds'] * 1000:.0f} ms -> ratio "
            f"{r['availability_again'] / r['sql_seconds']:.1f}"
        )
        print(
            f"  (d) recurring search, {PLACES * ROOMS_PER_PLACE} rooms x 13 weeks (tu, th "
            f"19:00-21:00): {r['recurring'] * 1000:.0f} ms vs bare SQL of those occupancies "
            f"{r['recurring_sql'] * 1000:.0f} ms -> ratio "
            f"{r['recurring'] / r['recurring_sql']:.1f} "
            f"(single window search above: {r['availability'] / r['sql']:.1f})"
        )
        print("  (e) every page over HTTP against one search in-process, timed in turns:")
        for key, label in (
            ("pages_by_room", "by room, pages of 100 rooms (bound 1.5)"),
            ("pages_one", "by room, page_size=1000 (bound 1.5)"),
            (
                "pages_flat",
                f"flat, pages of 100 after a change, {args.concurrency} client threads (bound 2)",
            ),
            ("pages_flat_one", "flat, the same one page after another"),
        ):
            print(
                f"      {label}: {int(r[f'{key}_count'])} pages {r[key] * 1000:.0f} ms vs "
                f"{r[f'{key}_once'] * 1000:.0f} ms -> ratio {r[key] / r[f'{key}_once']:.2f}"
            )
            if f"{key}_healthz" in r:
                # What HTTP alone costs so many requests, beside the one computation that
                # page 1 cannot avoid: the lowest ratio any page could reach here.
                floor = r[f"{key}_healthz"]
                print(
                    f"        the same {int(r[f'{key}_count'])} requests to /healthz: "
                    f"{floor * 1000:.0f} ms -> one computation plus that, "
                    f"{(r[f'{key}_once'] + floor) / r[f'{key}_once']:.2f}"
                )
        print(
            f"  (f) recurring search over HTTP, one page of 300 rooms (every day 10:00-12:00 for "
            f"{DAYS} days): {r['recurring_page'] * 1000:.0f} ms vs the bare fetch of the "
            f"window's {int(r['rows'])} occupancies {r['recurring_bare'] * 1000:.0f} ms -> ratio "
            f"{r['recurring_page'] / r['recurring_bare']:.2f} (bound 0.4)"
        )
        print(
            f"  (b) feed of {int(r['feed_events'])} events ({r['feed_bytes'] / 1024:.0f} KiB): "
            f"{r['feed_path'] * 1000:.0f} ms with its query, "
            f"{r['render_only'] * 1000:.0f} ms rendering alone, bare icalendar "
            f"{r['bare_icalendar'] * 1000:.0f} ms -> ratio "
            f"{r['render_only'] / r['bare_icalendar']:.2f}"
        )
        print(
            f"  (c) 304 on If-None-Match {r['conditional']:.0f} req/s vs GET /places/{{id}} "
            f"{r['read']:.0f} req/s -> ratio {r['paired']:.2f} (median of {ROUNDS} interleaved "
            f"pairs; aim 0.8); "
            f"vs /healthz {r['healthz']:.0f} req/s -> {r['conditional'] / r['healthz']:.2f}; "
            f"HEAD {r['head']:.0f} req/s -> HEAD/304 {r['head'] / r['conditional']:.2f}"
        )


if __name__ == "__main__":
    main()
