"""A sign-up against a booking create, over HTTP on gunicorn, in one run (issue 34's bound:
a sign-up with a token costs at most 1.2x a booking create on PostgreSQL).

Both write under a lock (a sign-up locks the activity's row, a booking its room's quota) and
both answer with the object written; they are measured in interleaved pairs on the same
server with the same client concurrency. Sign-ups spread over many activities, as they do
in life, with accounts of their own per activity (one sign-up per account and activity).

    .venv/bin/python bench/signups.py [--requests 1200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking_throughput import AMSTERDAM, booking_body, prepare
from common import ROUNDS, gunicorn, paired, postgres_database, request, sqlite_database

ACCOUNTS = 64
PLACES_PER_ACTIVITY = 1000


def _roomy(url: str) -> None:
    """Rooms large enough for an activity that takes a thousand sign-ups."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE rooms SET capacity = :n"), {"n": PLACES_PER_ACTIVITY})
    engine.dispose()


def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    rooms, tokens, _place = prepare(url, ACCOUNTS)
    _roomy(url)
    activities_needed = args.requests // len(tokens) + 2
    assert activities_needed * len(tokens) > args.requests + 10
    first_day = datetime.now(AMSTERDAM).date() + timedelta(days=2)
    with gunicorn(url, args.workers) as port:
        activities = []
        for index in range(activities_needed):
            day = first_day + timedelta(days=500 + index // len(rooms))
            start = datetime.combine(day, clock(10), tzinfo=AMSTERDAM)
            body = {
                "room_id": rooms[index % len(rooms)],
                "start": start.isoformat(),
                "end": (start + timedelta(hours=2)).isoformat(),
                "title": f"Activity {index}",
                "signups": {"capacity": PLACES_PER_ACTIVITY},
            }
            status, answer = request(
                port, "POST", "/api/v1/bookings", json.dumps(body).encode(), tokens[0]
            )[:2]
            assert status == 201, answer
            activities.append(json.loads(answer)["id"])

        # Each call takes a slot (and an account for an activity) of its own; `paired` gives
        # only its subject a running index, so both count for themselves.
        signed, created = itertools.count(), itertools.count()

        def sign_up(_: int) -> int:
            # Neighbouring calls go to different activities, as sign-ups for a town's
            # activities do (a rush on one is the race test's); each activity sees each
            # account once.
            i = next(signed)
            activity = activities[i % len(activities)]
            return request(
                port,
                "POST",
                f"/api/v1/bookings/{activity}/signups",
                b'{"party_size": 1}',
                tokens[i // len(activities)],
            )[0]

        def create(_: int) -> int:
            i = next(created)
            status, body = request(
                port,
                "POST",
                "/api/v1/bookings",
                booking_body(i, rooms, first_day),
                tokens[i % len(tokens)],
            )
            if status != 201:
                print(body[:300])
            return status

        for _ in range(2):  # warm-up
            create(0)
        signups, creates, ratio, signup_codes, create_codes = paired(
            args.requests, args.concurrency, sign_up, create
        )
    assert set(signup_codes) == {201}, signup_codes
    assert set(create_codes) == {201}, create_codes
    return {"signup": signups, "create": creates, "cost": 1 / ratio}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args()
    databases = {"sqlite": sqlite_database, "postgresql": postgres_database}
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"{args.requests} requests per measurement"
    )
    for backend in args.backends.split(","):
        with databases[backend]() as url:
            result = measure(url, args)
        print(
            f"{backend:>10}: POST /bookings/{{id}}/signups {result['signup']:6.0f} req/s | "
            f"POST /bookings {result['create']:6.0f} req/s | sign-up cost / create cost "
            f"{result['cost']:.2f} (median of {ROUNDS} interleaved pairs; bound 1.20 on "
            "PostgreSQL)"
        )


if __name__ == "__main__":
    main()
