"""What notifications cost, measured in one run on SQLite and PostgreSQL:

(a) the outbox's share of a booking: bookings per second in-process with event rows written,
    against the same bookings with the outbox switched off (no event row), as a ratio;
(b) delivery throughput: mails per second from `booking worker` to a local SMTP server;
(c) the p95 delay from commit to receipt with one worker running (poll 0.2 s).

    .venv/bin/python bench/outbox.py [--bookings 300] [--mails 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from booking_throughput import booking_body, prepare
from common import BIN, ROOT, migrate, postgres_database, sqlite_database

from tests.smtp import smtp_server


def _bookings_per_second(app: Any, rooms: list[int], token: str, count: int, offset: int) -> float:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    first = datetime.now(UTC).date() + timedelta(days=2)
    started = time.perf_counter()
    for index in range(offset, offset + count):
        response = client.post(
            "/api/v1/bookings", data=booking_body(index, rooms, first), headers=headers
        )
        assert response.status_code == 201, response.json
    return count / (time.perf_counter() - started)


def outbox_share(url: str, count: int) -> tuple[float, float]:
    """Bookings per second with the outbox, and with emit switched off (interleaved halves)."""
    from booking import create_app
    from booking.services.booking import bookings
    from booking.services.outbox import events

    rooms, tokens, _place = prepare(url, 1)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    real_emit, real_insert = events.emit, bookings.insert_booking

    def insert_without_event(*args: Any) -> None:
        # A new booking writes its event in the same statement as its rows: leave it out.
        booking, atoms, until, history, _event, now = args
        real_insert(booking, atoms, until, history, None, now)

    with_outbox, without = [], []
    _bookings_per_second(app, rooms, tokens[0], 30, 10**6)  # warm-up
    for round_no in range(10):
        offset = round_no * count
        if round_no % 2 == 0:
            with_outbox.append(_bookings_per_second(app, rooms, tokens[0], count // 2, offset))
        else:
            events.emit = lambda *args, **kwargs: None  # type: ignore[assignment]
            bookings.insert_booking = insert_without_event  # type: ignore[assignment]
            try:
                without.append(_bookings_per_second(app, rooms, tokens[0], count // 2, offset))
            finally:
                events.emit = real_emit  # type: ignore[assignment]
                bookings.insert_booking = real_insert  # type: ignore[assignment]
    return statistics.median(with_outbox), statistics.median(without)


def _worker(url: str, smtp_url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BOOKING_DATABASE_URL": url, "BOOKING_SMTP_URL": smtp_url}
    return subprocess.Popen(
        [BIN / "booking", "worker", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


def delivery(url: str, mails: int) -> tuple[float, float]:
    """Mails per second for a backlog, and the p95 seconds from commit to receipt."""
    from booking import create_app
    from booking.extensions import db
    from booking.models import OutboxEvent
    from booking.services.privacy.sealing import MAILED_CODES, seal

    migrate(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})

    def backlog(count: int) -> None:
        with app.app_context():
            for n in range(count):
                db.session.add(
                    OutboxEvent(
                        type="auth.email_link",
                        payload={
                            "email": f"p{n}@example.nl",
                            # Mailed codes are kept sealed (docs/privacy.md).
                            "code_sealed": seal(MAILED_CODES, "AAAAA-BBBBB"),
                            "expires_at": "",
                            "locale": "nl",
                            "account_id": None,
                        },
                    )
                )
            db.session.commit()

    with smtp_server() as (mailbox, smtp_url):
        backlog(mails)
        started = time.perf_counter()
        done = _worker(url, smtp_url, "--once")
        done.wait()
        rate = len(mailbox.received) / (time.perf_counter() - started)
        mailbox.received.clear()
        delays = []
        running = _worker(url, smtp_url, "--poll", "0.2")
        try:
            for _ in range(60):
                committed = time.monotonic()
                backlog(1)
                mailbox.wait_for(1, seconds=20)
                delays.append(time.monotonic() - committed)
                mailbox.received.clear()
                time.sleep(0.05)
        finally:
            running.terminate()
            running.wait()
    with app.app_context():
        db.engine.dispose()
    return rate, statistics.quantiles(delays, n=20)[-1]


def main() -> None:
    """Print the figures per backend."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--mails", type=int, default=300)
    args = parser.parse_args()
    for backend, database in (("sqlite", sqlite_database), ("postgresql", postgres_database)):
        with database() as url:
            with_outbox, without = outbox_share(url, args.bookings)
        with database() as url:
            rate, p95 = delivery(url, args.mails)
        print(
            f"{backend:>10}: bookings/s with outbox {with_outbox:6.0f}, without {without:6.0f}, "
            f"ratio {with_outbox / without:.2f} (outbox cost {1 - with_outbox / without:+.0%}) | "
            f"delivery {rate:5.0f} mails/s | commit-to-receipt p95 {p95 * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
