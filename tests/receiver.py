"""A real HTTP receiver for webhook tests: records every POST, answers as told."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request as it arrived."""

    headers: dict[str, str]
    body: bytes
    path: str = ""


@dataclass
class Receiver:
    """What arrived, and how the next requests are answered (status codes, or a stall)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # then 200
    stall_seconds: float = 0.0

    def wait_for(self, count: int, seconds: float = 20) -> list[Received]:
        """The requests once at least `count` have arrived."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} arrived"
            time.sleep(0.05)
        return list(self.received)


@contextmanager
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 and a free port."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.received.append(Received(headers, body, self.path))
            if state.stall_seconds:
                time.sleep(state.stall_seconds)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"x" * 100_000 if status >= 500 else b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/wijkruimte"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
