"""Start the real server for end-to-end tests: gunicorn on a free port, torn down after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEST_SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int, threads: int = 1, log: Path | None = None
) -> Iterator[str]:
    """gunicorn serving wsgi:app with `env` added; yields its base URL once /healthz answers.

    With `log`, what the server writes to stderr (its own and the service's logs) goes there.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sink = log.open("w") if log is not None else None
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            *("--workers", str(workers), "--threads", str(threads)),
            *("--bind", f"127.0.0.1:{port}", "wsgi:app"),
        ],
        cwd=ROOT,
        # wsgi.py serves production unless told otherwise, which needs its own secret.
        env={
            **os.environ,
            "BOOKING_PUBLIC_BASE_URL": base,
            "BOOKING_SECRET_KEY": TEST_SECRET,
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=sink if sink is not None else subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if sink is not None:
            sink.close()
