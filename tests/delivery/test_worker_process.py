"""`booking worker` as a real process: killed mid-delivery it loses nothing, SIGTERM lets it
finish what it is sending, and two workers on PostgreSQL never send one message twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from booking.extensions import db
from booking.models import OutboxMessage
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, upcoming
from tests.delivery.conftest import MailingApp
from tests.gunicorn import BIN, ROOT
from tests.receiver import receiver


@contextmanager
def worker(
    m: MailingApp, lease_seconds: int = 2, **settings: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`booking worker` on the test database and SMTP server; killed at the end if alive.
    `settings` are more BOOKING_ variables (BOOKING_DATABASE_URL to reach it otherwise)."""
    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": m.app.config["SQLALCHEMY_DATABASE_URI"],
        "BOOKING_ENV": "development",
        "BOOKING_SMTP_URL": m.smtp_url,
        "BOOKING_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "BOOKING_WEBHOOK_ALLOW_PRIVATE": "true",
        **settings,
    }
    process = subprocess.Popen(
        [BIN / "booking", "worker", "--poll", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def statuses(app: Flask) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))
        db.session.remove()
        return found


def a_booking(m: MailingApp, count: int = 1) -> None:
    place = m.make.place(
        opening_hours="24/7", policy={**DEFAULT_POLICY, "max_active_bookings": 100}
    )
    room = m.make.room(place)
    booker = m.make.account()
    for hour in range(count):
        made = book(m.client, booker, room, upcoming(5), f"{hour:02d}:00", f"{hour:02d}:30")
        assert made.status_code == 201


def test_a_worker_killed_mid_delivery_loses_nothing(mailing: MailingApp) -> None:
    m = mailing
    a_booking(m)
    m.mailbox.stall_seconds, m.mailbox.accept_after_stall = 30, False
    with worker(m) as first:
        assert m.mailbox.in_data.wait(20), "the worker never reached DATA"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert statuses(m.app) == ["pending"]  # sent, but never marked delivered
    m.mailbox.stall_seconds = 0
    with worker(m) as second:
        (mail,) = m.mailbox.wait_for(1, seconds=30)  # after the first worker's lease ran out
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
    assert str(mail["Message-ID"]) == m.mailbox.stalled[0]  # the same message, recognisably
    assert statuses(m.app) == ["delivered"]


def test_sigterm_finishes_the_delivery_under_way(mailing: MailingApp) -> None:
    m = mailing
    a_booking(m)
    m.mailbox.stall_seconds, m.mailbox.accept_after_stall = 1.5, True
    with worker(m) as running:
        assert m.mailbox.in_data.wait(20)
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=15) == 0
    assert len(m.mailbox.received) == 1
    assert statuses(m.app) == ["delivered"]


def test_workers_side_by_side_send_each_message_once(mailing: MailingApp) -> None:
    m = mailing
    a_booking(m, count=24)
    side_by_side = 2 if m.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 1
    with worker(m, lease_seconds=60) as one, worker(m, lease_seconds=60) as two:
        workers = [one, two][:side_by_side]
        if side_by_side == 1:
            two.kill()
        m.mailbox.wait_for(24, seconds=60)
        time.sleep(0.5)  # nothing more should come
        for process in workers:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
    ids = Counter(str(mail["Message-ID"]) for mail in m.mailbox.received)
    assert len(ids) == 24 and set(ids.values()) == {1}
    assert statuses(m.app) == ["delivered"] * 24


def test_a_webhook_cut_off_by_a_killed_worker_comes_again_with_its_id(
    mailing: MailingApp,
) -> None:
    m = mailing
    m.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    owner = m.make.account()
    with receiver() as hook:
        made = m.client.post(
            "/api/v1/webhooks",
            json={"url": hook.url, "events": ["webhook.test"]},
            headers=owner.headers,
        ).json
        m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
        hook.stall_seconds = 4  # the worker waits for the answer...
        with worker(m) as first:
            hook.wait_for(1)
            first.send_signal(signal.SIGKILL)  # ...and dies before it comes
            first.wait(timeout=10)
        hook.stall_seconds = 0
        with worker(m) as second:
            received = hook.wait_for(2, seconds=30)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=10) == 0
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    Webhook(made["secret"]).verify(received[1].body, received[1].headers)
    assert statuses(m.app) == ["delivered"]


def attempts(app: Flask) -> list[int]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage.attempts).order_by(OutboxMessage.id)))
        db.session.remove()
        return found


def test_a_killed_worker_costs_only_the_attempt_it_had_started(mailing: MailingApp) -> None:
    """It claimed all three mails, began the first and died: the other two keep every
    attempt they had, and go out in order once its lease has run out."""
    m = mailing
    a_booking(m, count=3)
    m.mailbox.stall_seconds, m.mailbox.accept_after_stall = 30, False
    with worker(m) as first:
        assert m.mailbox.in_data.wait(20), "the worker never reached DATA"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert sorted(attempts(m.app)) == [0, 0, 1]
    m.mailbox.stall_seconds = 0
    with worker(m) as second:
        m.mailbox.wait_for(3, seconds=30)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
    assert statuses(m.app) == ["delivered"] * 3
    assert sorted(attempts(m.app)) == [1, 1, 2]


def test_a_slow_webhook_receiver_never_holds_up_the_api(mailing: MailingApp) -> None:
    """No transaction is open while a message is sent: with a receiver that holds each
    request for 10 s (the worker gives up after 5), bookings are answered at once, on
    SQLite too, where an open worker transaction would hold the write lock."""
    m = mailing
    m.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    place = m.make.place(
        opening_hours="24/7", policy={**DEFAULT_POLICY, "max_active_bookings": 100}
    )
    room = m.make.room(place)
    booker = m.make.account()
    with receiver() as hook:
        hook.stall_seconds = 10
        subscribed = m.client.post(
            "/api/v1/webhooks",
            json={"url": hook.url, "events": ["booking.confirmed"]},
            headers=booker.headers,
        )
        assert subscribed.status_code == 201
        assert book(m.client, booker, room, upcoming(5), "08:00", "08:30").status_code == 201
        with worker(m):
            hook.wait_for(1, seconds=30)  # the worker is now waiting for the answer
            slowest = 0.0
            for hour in range(9, 13):
                started = time.monotonic()
                made = book(m.client, booker, room, upcoming(5), f"{hour:02d}:00", f"{hour:02d}:30")
                slowest = max(slowest, time.monotonic() - started)
                assert made.status_code == 201
        assert slowest < 1.0, f"a booking waited {slowest:.1f} s behind the worker"
