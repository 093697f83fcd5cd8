"""A neighbourhood's mixed load for five minutes, with locust, on PostgreSQL.

One host as deployed: gunicorn with 4 sync workers sharing computed answers in Redis,
`booking worker` sending the mail to a real SMTP server (aiosmtpd's sink), and the bench
data of feeds_and_availability.py (50 places, 300 rooms, 30,000 bookings in a month). The
users (bench/locustfile.py): subscribed calendars polling their place's feed every 2 s
(mostly 304), residents on the front page, its search and the place pages, partners on
availability and the recurring search, and bookers who book a room and cancel it; they
arrive over the first ten seconds. Every kind's throughput, p50, p95, p99
and errors; the RSS of each gunicorn worker and of the mail worker at the start and end;
then what one such host serves on paper.

    .venv/bin/python bench/mixed_load.py [--seconds 300] [--users 60]

locust runs on the same two cores as the service, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BIN,
    ROOT,
    etag,
    free_port,
    gunicorn,
    gunicorn_workers,
    postgres_database,
    rss_mb,
)
from feeds_and_availability import REDIS, migrate, populate

PAGES = ("front page", "front-page search", "place page", "place list")
BOOKER_TOKENS, PARTNER_TOKENS = 8, 4


def prepare(url: str, folder: Path) -> Path:
    """The bench data, tokens for bookers and partners, and the file the users read."""
    migrate(url)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    populate(url, start)
    from sqlalchemy import select

    from booking import create_app
    from booking.extensions import db
    from booking.models import Account, Place, Room
    from booking.services.tokens import issue_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        tokens: dict[str, list[str]] = {"booker_tokens": [], "partner_tokens": []}
        for kind, count, scopes in (
            ("booker_tokens", BOOKER_TOKENS, ["read", "book"]),
            ("partner_tokens", PARTNER_TOKENS, ["read"]),
        ):
            for n in range(count):
                account = Account(
                    name=f"{kind} {n}", email=f"{kind}{n}@example.nl", kind="organisation"
                )
                db.session.add(account)
                tokens[kind].append(issue_token(account, "load", scopes)[1])
        # The bookers may hold many bookings at once (they cancel each right away).
        for place in db.session.scalars(select(Place)):
            place.policy = {**place.policy, "max_active_bookings": 10_000}
        db.session.commit()
        places = list(db.session.scalars(select(Place).order_by(Place.id)))
        data = {
            **tokens,
            "places": [p.id for p in places],
            "slugs": [p.slug for p in places],
            "rooms": [r.id for r in db.session.scalars(select(Room).order_by(Room.id))],
            "first_day": start.date().isoformat(),
        }
        db.engine.dispose()
    path = folder / "data.json"
    path.write_text(json.dumps(data))
    return path


def delivered(url: str) -> dict[str, int]:
    """Outbox messages per status."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM outbox_messages GROUP BY 1"))
        found = {status: count for status, count in rows}
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--users", type=int, default=60)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mixed-load-"))
    smtp_port = free_port()
    with postgres_database() as url:
        data = prepare(url, folder)
        sink = subprocess.Popen(
            [
                BIN / "python",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{smtp_port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker_log = (folder / "worker.log").open("w")
        mailer = subprocess.Popen(
            [BIN / "booking", "worker", "--poll", "1"],
            cwd=ROOT,
            env={
                **os.environ,
                "BOOKING_DATABASE_URL": url,
                "BOOKING_ENV": "development",
                "BOOKING_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            },
            stdout=subprocess.DEVNULL,
            stderr=worker_log,
        )
        try:
            # As deployed with more than one process (README): the workers share computed
            # answers (the front page's summaries, availability) in Redis.
            with gunicorn(url, 4, BOOKING_RATELIMIT_STORAGE_URL=REDIS) as port:
                result = run(args, port, data, folder, psutil.Process(mailer.pid))
            time.sleep(3)  # the mail of the last bookings
            result["mail"] = delivered(url)
        finally:
            for process in (mailer, sink):
                process.terminate()
                process.wait(timeout=20)
            worker_log.close()
    report(result, args)


def run(
    args: argparse.Namespace, port: int, data: Path, folder: Path, mailer: psutil.Process
) -> dict[str, object]:
    """Warm up, then the timed run with RSS read at its start, every minute, and its end."""
    workers = gunicorn_workers(port)
    command = [
        BIN / "locust",
        *("-f", str(ROOT / "bench" / "locustfile.py")),
        "--headless",
        *("--host", f"http://127.0.0.1:{port}"),
        "--only-summary",
        "--skip-log-setup",
    ]
    # The calendars subscribed before the run: each has its place's feed and ETag.
    known = json.loads(data.read_text())
    known["etags"] = {
        str(place): etag(port, f"/feeds/places/{place}.ics") for place in known["places"]
    }
    data.write_text(json.dumps(known))
    env = {**os.environ, "BENCH_LOAD_DATA": str(data), "BENCH_SLOT_OFFSET": "0"}
    warm = [*command, "-u", str(args.users), "-r", str(args.users), "-t", "20s"]
    # locust exits with 1 when any request failed: the failures are in the CSV and the log.
    with (folder / "warm-up.log").open("w") as log:
        subprocess.run(warm, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    before = [rss_mb(w) for w in workers] + [rss_mb(mailer)]
    timed = [*command, "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"]
    log = (folder / "run.log").open("w")
    env["BENCH_SLOT_OFFSET"] = "100000"
    locust = subprocess.Popen(
        [*timed, "--csv", str(folder / "mixed")], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    samples = []
    while locust.poll() is None:
        time.sleep(min(60, args.seconds / 5))
        samples.append([rss_mb(w) for w in workers] + [rss_mb(mailer)])
    after = [rss_mb(w) for w in workers] + [rss_mb(mailer)]
    log.close()
    print(f"locust's log and CSV: {folder}")
    with (folder / "mixed_stats.csv").open() as sheet:
        rows = list(csv.DictReader(sheet))
    return {"rows": rows, "before": before, "after": after, "samples": samples}


def report(result: dict[str, object], args: argparse.Namespace) -> None:
    """The table per kind, memory, and the capacity on paper."""
    rows = result["rows"]
    assert isinstance(rows, list)
    print(
        f"{args.users} users for {args.seconds} s, gunicorn 4 sync workers sharing answers "
        "in Redis, PostgreSQL"
    )
    print("| kind | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    kinds = {}
    for row in rows:
        name = row["Name"]
        kinds[name] = row
        print(
            f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | "
            f"{row['50%']} | {row['95%']} | {row['99%']} | {row['Failure Count']} |"
        )
    before, after = result["before"], result["after"]
    assert isinstance(before, list) and isinstance(after, list)
    print(
        "RSS (MB) at start -> end: gunicorn workers "
        + ", ".join(f"{b:.0f} -> {a:.0f}" for b, a in zip(before[:-1], after[:-1], strict=True))
        + f"; mail worker {before[-1]:.0f} -> {after[-1]:.0f}"
    )
    print(f"RSS samples during the run: {result['samples']}")
    print(f"outbox after the run: {result['mail']}")
    capacity(kinds)
    failed = int(kinds["Aggregated"]["Failure Count"])
    if failed:
        raise SystemExit(f"{failed} requests failed: see locust's CSV and log")


# On paper: the host's CPU is the limit (two cores for the service and PostgreSQL), kept
# at most this busy so that waiting stays short and the pages' p95 under 300 ms.
CORES, UTILISATION = 2, 0.6
# The busiest hour has this many times the average hour's bookings.
PEAK = 3


def capacity(kinds: dict[str, dict[str, str]]) -> None:
    """What one 4-worker host serves, from what each kind cost in this run (its average
    time; at this load nearly all of it is work, not waiting)."""

    def cost(name: str) -> float:
        return float(kinds[name]["Average Response Time"]) / 1000

    budget = CORES * UTILISATION  # seconds of work per second
    feed = cost("feed poll")
    calendars = 0.5 * budget * 3600 / feed
    booking = cost("booking create") + cost("booking cancel") / 4  # one in four is cancelled
    bookings = 0.25 * budget * 86_400 / booking / PEAK
    page = sum(cost(name) for name in PAGES) / len(PAGES)
    views = 0.25 * budget * 3600 / page
    print(
        f"On paper, with {CORES} cores at most {UTILISATION:.0%} busy: half of it serves "
        f"{calendars:,.0f} calendars polling hourly ({feed * 1000:.1f} ms a poll); a quarter "
        f"serves {bookings:,.0f} bookings a day with a peak hour {PEAK}x the average "
        f"({booking * 1000:.1f} ms a booking); a quarter serves {views:,.0f} page views an "
        f"hour ({page * 1000:.1f} ms a page)."
    )
    worst = max(float(kinds[name]["95%"]) for name in PAGES)
    print(f"pages' worst p95 in this run: {worst:.0f} ms (aim under 300)")


if __name__ == "__main__":
    main()
