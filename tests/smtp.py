"""A real SMTP server for the tests (aiosmtpd on a free port) that keeps what it receives.

It can refuse (a 4xx answer to DATA) or stall (hold DATA open) on demand, to test retries and
a worker killed in the middle of a delivery.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.gunicorn import free_port


@dataclass
class Mailbox:
    """What the server received, and how it answers the next messages."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0
    # Hold each message this long before answering; then accept it, or refuse it (as if the
    # connection had died: the sender never learns it arrived).
    stall_seconds: float = 0.0
    accept_after_stall: bool = True
    stalled: list[str] = field(default_factory=list)
    in_data: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook for a complete message."""
        if self.stall_seconds:
            import asyncio

            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.stalled.append(str(parsed["Message-ID"]))
            self.in_data.set()
            await asyncio.sleep(self.stall_seconds)
            if not self.accept_after_stall:
                return "451 Connection lost"
        with self.lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return "451 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 20) -> list[EmailMessage]:
        """The messages once at least `count` have arrived."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} mails arrived"
            time.sleep(0.05)
        return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to one address."""
        return [m for m in self.received if address in str(m["To"])]


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, str]]:
    """An SMTP server on 127.0.0.1; its mailbox and the BOOKING_SMTP_URL to reach it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
