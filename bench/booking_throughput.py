"""Booking-create throughput against a read of a place (GET /api/v1/places/{id}, one real
read through the whole stack) and against /healthz, on gunicorn, SQLite and PostgreSQL.

Both are measured in one run on the same server (same worker count, same client
concurrency), so the ratio says what a booking costs beyond serving a request at all:
the rules, the calendar queries, the occupancy rows and the serialized write.

On PostgreSQL the same creates are measured again through a real PgBouncer in transaction
mode (BOOKING_DB_POOLER=pgbouncer), on the same database in the same run: the ratio of the
two is what the pooler costs a booking.

    .venv/bin/python bench/booking_throughput.py [--requests 1500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROUNDS,
    gunicorn,
    migrate,
    paired,
    postgres_database,
    request,
    sqlite_database,
    throughput,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOMS = 40


def prepare(url: str, accounts: int) -> tuple[list[int], list[str], int]:
    """Migrate, and create one always-open place with rooms and accounts with tokens."""
    migrate(url)
    from booking import create_app
    from booking.extensions import db
    from booking.models import Account, Place, Room
    from booking.services.booking.policy import DEFAULT_POLICY
    from booking.services.tokens import issue_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        policy = {**DEFAULT_POLICY, "max_active_bookings": 100_000, "max_days_ahead": 3650}
        place = Place(
            slug="bench", name="Bench", kind="buurthuis", opening_hours="24/7", policy=policy
        )
        rooms = [Room(place=place, name=f"Room {i}", capacity=20) for i in range(ROOMS)]
        db.session.add_all([place, *rooms])
        tokens = []
        for i in range(accounts):
            account = Account(name=f"Bench {i}", email=f"bench{i}@example.nl", kind="organisation")
            db.session.add(account)
            tokens.append(issue_token(account, "bench", ["read", "book"])[1])
        db.session.commit()
        room_ids = [room.id for room in rooms]
        place_id = place.id
        db.engine.dispose()
    return room_ids, tokens, place_id


def booking_body(index: int, rooms: list[int], first_day: date) -> bytes:
    """A distinct, free, one-hour slot per index: room, then hour, then day."""
    room = rooms[index % len(rooms)]
    hour = (index // len(rooms)) % 20 + 2
    day = first_day + timedelta(days=index // (len(rooms) * 20))
    start = datetime.combine(day, clock(hour), tzinfo=AMSTERDAM)
    return json.dumps(
        {
            "room_id": room,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "title": f"Bench {index}",
        }
    ).encode()


def measure(backend: str, url: str, args: argparse.Namespace) -> dict[str, float]:
    rooms, tokens, place_id = prepare(url, args.concurrency)
    place_path = f"/api/v1/places/{place_id}"
    first_day = datetime.now(AMSTERDAM).date() + timedelta(days=2)
    with gunicorn(url, args.workers) as port:
        throughput(50, args.concurrency, lambda i: request(port, "GET", "/healthz")[0])  # warm-up
        health, health_codes = throughput(
            args.requests, args.concurrency, lambda i: request(port, "GET", "/healthz")[0]
        )
        # The reference the operations issue asks for: one real read through the whole
        # stack, measured in pairs with the bookings.
        create, read, ratio, create_codes, read_codes = paired(
            args.requests,
            args.concurrency,
            lambda i: request(
                port,
                "POST",
                "/api/v1/bookings",
                booking_body(i, rooms, first_day),
                tokens[i % len(tokens)],
            )[0],
            lambda i: request(port, "GET", place_path)[0],
        )
    assert set(health_codes) == {200}, health_codes
    assert set(read_codes) == {200}, read_codes
    assert set(create_codes) == {201}, create_codes
    result = {
        "healthz": health,
        "read": read,
        "create": create,
        "paired": ratio,
        "ratio": create / health,
    }
    if backend == "postgresql":
        result.update(behind_pgbouncer(url, args, rooms, tokens, first_day))
    return result


def behind_pgbouncer(
    url: str, args: argparse.Namespace, rooms: list[int], tokens: list[str], first_day: date
) -> dict[str, float]:
    """Booking creates direct and through PgBouncer, in interleaved rounds on two servers
    side by side, each on slots of its own further ahead."""
    from sqlalchemy.engine import make_url

    from tests.pgbouncer import pgbouncer, through

    target = make_url(url)
    server = (target.host or "127.0.0.1", target.port or 5432)
    later = first_day + timedelta(days=400)
    # Every create of either server takes a slot of its own: one counter for both.
    slots = itertools.count()
    with (
        pgbouncer(server, target.username) as pooler_port,
        gunicorn(url, args.workers) as direct,
        gunicorn(through(url, pooler_port), args.workers, BOOKING_DB_POOLER="pgbouncer") as pooled,
    ):

        def create(port: int) -> Callable[[int], int]:
            return lambda i: request(
                port,
                "POST",
                "/api/v1/bookings",
                booking_body(next(slots), rooms, later),
                tokens[i % len(tokens)],
            )[0]

        for port in (direct, pooled):
            throughput(50, args.concurrency, lambda i, p=port: request(p, "GET", "/healthz")[0])
        plain, bounced, ratio, plain_codes, bounced_codes = paired(
            args.requests, args.concurrency, create(direct), create(pooled)
        )
    assert set(plain_codes) == {201}, plain_codes
    assert set(bounced_codes) == {201}, bounced_codes
    return {"create_direct": plain, "create_pgbouncer": bounced, "pgbouncer_ratio": 1 / ratio}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    databases = {"sqlite": sqlite_database, "postgresql": postgres_database}
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"{args.requests} requests per measurement"
    )
    for backend in args.backends.split(","):
        with databases[backend]() as url:
            result = measure(backend, url, args)
        print(
            f"{backend:>10}: /healthz {result['healthz']:7.0f} req/s | "
            f"GET /places/{{id}} {result['read']:6.0f} req/s | "
            f"POST /bookings {result['create']:6.0f} req/s | "
            f"create/read {result['paired']:.2f} (median of {ROUNDS} interleaved pairs) "
            f"(aim 0.30 on PostgreSQL, 0.20 on SQLite) | create/healthz {result['ratio']:.2f}"
        )
        if "pgbouncer_ratio" in result:
            print(
                f"{'pgbouncer':>10}: POST /bookings through PgBouncer (transaction mode) "
                f"{result['create_pgbouncer']:6.0f} req/s vs direct {result['create_direct']:6.0f}"
                f" req/s -> ratio {result['pgbouncer_ratio']:.2f} (median of {ROUNDS} "
                "interleaved pairs)"
            )


if __name__ == "__main__":
    main()
