"""A real PgBouncer (Debian's package) in transaction mode, started for a test.

`make test` installs the package, as it does Chromium. PgBouncer will not run as root, so
as root (CI) it is started as the postgres user, with its files where that user reads them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.gunicorn import free_port

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@contextmanager
def pgbouncer(target: tuple[str, int], user: str | None = None) -> Iterator[int]:
    """PgBouncer in transaction mode in front of the PostgreSQL at `target`; its port.

    Every database name is passed on to the server; postgres, root and `user` may connect
    (the test server trusts local connections). Its timeouts are short, so a server that
    is gone is noticed in the time the tests allow.
    """
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o777)
    port = free_port()
    users = folder / "users.txt"
    names = dict.fromkeys(["postgres", "root", *([user] if user else [])])
    users.write_text("".join(f'"{name}" ""\n' for name in names))
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={target[0]} port={target[1]}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 200\ndefault_pool_size = 20\n"
        "server_connect_timeout = 2\nserver_login_retry = 1\nquery_wait_timeout = 10\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    for path in (users, config):
        path.chmod(0o644)
    as_postgres = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen(
        [BINARY, *as_postgres, str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, folder)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def through(url: str, port: int) -> str:
    """The same database URL, reached through the pooler on `port`."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def settle(database_url: str, seconds: float = 15) -> None:
    """Wait until no other session of the database is inside a transaction, so the test's
    cleanup (TRUNCATE) is not left waiting behind what the pooler's server connections were
    doing as it stopped; name them if they stay."""
    import psycopg

    url = make_url(database_url)
    server = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "dbname": url.database,
        "autocommit": True,
    }
    deadline = time.monotonic() + seconds
    with psycopg.connect(**server) as connection:  # type: ignore[arg-type]
        while True:
            busy = connection.execute(
                "SELECT pid, state, left(query, 80) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND state <> 'idle'"
            ).fetchall()
            if not busy:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"sessions still busy after the pooler stopped: {busy}")
            time.sleep(0.1)


def _wait_for(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            log = folder / "pgbouncer.log"
            raise RuntimeError(
                f"pgbouncer exited with {process.returncode}: "
                f"{log.read_text() if log.exists() else '(no log)'}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
