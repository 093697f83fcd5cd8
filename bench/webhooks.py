"""Webhook delivery on PostgreSQL, in one run: delivery throughput to a local receiver, and
the p95 delay from commit to receipt with one and with two workers (poll 0.2 s).

    .venv/bin/python bench/webhooks.py [--backlog 300] [--samples 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BIN, ROOT, migrate, postgres_database

from tests.receiver import receiver


def _worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BOOKING_DATABASE_URL": url, "BOOKING_WEBHOOK_ALLOW_PRIVATE": "true"}
    return subprocess.Popen(
        [BIN / "booking", "worker", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


def main() -> None:
    """Print throughput and p95 figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    from booking import create_app
    from booking.extensions import db
    from booking.models import Account, OutboxEvent, WebhookSubscription
    from booking.services.outbox.subscriptions import encrypt_secret, new_secret

    with postgres_database() as url, receiver() as hook:
        migrate(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            account = Account(name="Partner", email="p@example.nl", kind="organisation")
            db.session.add(account)
            db.session.flush()
            subscription = WebhookSubscription(
                account_id=account.id,
                url=hook.url,
                events=["webhook.test"],
                secret_encrypted=encrypt_secret(new_secret()),
            )
            db.session.add(subscription)
            db.session.commit()
            subscription_id = subscription.id

        def queue(count: int) -> None:
            with app.app_context():
                for _ in range(count):
                    db.session.add(
                        OutboxEvent(
                            type="webhook.test",
                            payload={"subscription_id": subscription_id, "message": "ping"},
                        )
                    )
                db.session.commit()

        queue(args.backlog)
        started = time.perf_counter()
        _worker(url, "--once").wait()
        rate = len(hook.received) / (time.perf_counter() - started)
        print(f"delivery: {rate:.0f} webhooks/s from a backlog of {args.backlog} (one worker)")
        for workers in (1, 2):
            running = [_worker(url, "--poll", "0.2") for _ in range(workers)]
            delays = []
            try:
                for _ in range(args.samples):
                    hook.received.clear()
                    committed = time.monotonic()
                    queue(1)
                    hook.wait_for(1)
                    delays.append(time.monotonic() - committed)
                    time.sleep(0.05)
            finally:
                for process in running:
                    process.terminate()
                    process.wait()
            p95 = statistics.quantiles(delays, n=20)[-1]
            print(f"{workers} worker(s): commit-to-receipt p95 {p95 * 1000:.0f} ms")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
