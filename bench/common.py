"""Shared by the benchmarks: throwaway databases, gunicorn, a tiny HTTP client, a load loop."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The in-process apps and the `booking` commands run with the development key; the served app
# (gunicorn below) runs in production, as deployed.
os.environ.setdefault("BOOKING_ENV", "development")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"booking_bench_{secrets.token_hex(4)}"
    admin = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


def each_backend(description: str | None) -> Iterator[tuple[str, str]]:
    """For a script whose only option is --backends: each backend's name and a fresh
    database on it, dropped when the loop moves on."""
    import argparse

    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    databases = {"sqlite": sqlite_database, "postgresql": postgres_database}
    for backend in parser.parse_args().backends.split(","):
        with databases[backend]() as url:
            yield backend, url


def gunicorn_workers(port: int) -> list[Any]:
    """The worker processes (psutil) of the gunicorn that listens on `port`."""
    import psutil

    for process in psutil.process_iter(["cmdline"]):
        if f"127.0.0.1:{port}" in " ".join(process.info["cmdline"] or []):
            return list(process.children())
    raise RuntimeError("gunicorn not found")


def rss_mb(process: Any) -> float:
    """Resident memory of a (psutil) process, in MB."""
    return float(process.memory_info().rss) / 1e6


def get_with_headers(port: int, path: str) -> tuple[int, bytes, dict[str, str]]:
    """A GET on a fresh connection: status, body and headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def etag(port: int, path: str) -> str:
    """The ETag a GET of `path` answers."""
    status, _body, headers = get_with_headers(port, path)
    assert status == 200, (path, status)
    return str(headers.get("ETag"))


@contextmanager
def gunicorn(url: str, workers: int, **settings: str) -> Iterator[int]:
    """gunicorn with `workers` sync workers on the database at `url`; its port. `settings`
    are more environment variables (BOOKING_DB_POOLER, say)."""
    port = free_port()
    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": url,
        "BOOKING_RATELIMIT_ENABLED": "false",
        "BOOKING_ENV": "production",
        "BOOKING_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # wsgi.py serves production, which needs its own secret.
        "BOOKING_SECRET_KEY": secrets.token_urlsafe(48),
        **settings,
    }
    process = subprocess.Popen(
        [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    token: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request on a fresh connection (sync workers close it anyway): status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def throughput(
    count: int, concurrency: int, send: Callable[[int], int]
) -> tuple[float, dict[int, int]]:
    """Requests per second for `count` calls of send(i) from `concurrency` threads."""
    lock = threading.Lock()
    next_index = [0]
    codes: dict[int, int] = {}

    def worker() -> None:
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= count:
                return
            status = send(index)
            with lock:
                codes[status] = codes.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started), codes


ROUNDS = 5


def paired(
    total: int,
    concurrency: int,
    subject: Callable[[int], int],
    reference: Callable[[int], int],
    rounds: int = ROUNDS,
) -> tuple[float, float, float, dict[int, int], dict[int, int]]:
    """Throughput of `subject` and of `reference`, measured in `rounds` interleaved pairs.

    Returns the median of each, the median of the per-pair ratios, and the status counts.
    Alternating keeps drift (a warming cache, a neighbour's load) from favouring either side;
    `subject` gets a running index, so each of its calls can be distinct (a new booking).
    """
    per_round = max(1, total // rounds)
    ours, theirs, ratios = [], [], []
    our_codes: dict[int, int] = {}
    their_codes: dict[int, int] = {}
    for number in range(rounds):
        offset = number * per_round
        rate, codes = throughput(per_round, concurrency, reference)
        theirs.append(rate)
        for code, n in codes.items():
            their_codes[code] = their_codes.get(code, 0) + n
        mine, codes = throughput(
            per_round, concurrency, lambda i, offset=offset: subject(offset + i)
        )
        ours.append(mine)
        for code, n in codes.items():
            our_codes[code] = our_codes.get(code, 0) + n
        ratios.append(mine / rate)
    median = statistics.median
    return median(ours), median(theirs), median(ratios), our_codes, their_codes


def migrate(url: str) -> None:
    """Bring a database to the newest schema."""
    env = {**os.environ, "BOOKING_DATABASE_URL": url}
    subprocess.run(
        [BIN / "booking", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
