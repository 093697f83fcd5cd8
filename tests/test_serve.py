"""The README path: migrate a fresh SQLite database, seed the demo, serve with gunicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_serves_the_demo_places(tmp_path: Path) -> None:
    env = {**os.environ, "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run(
            [BIN / "booking", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r) == {"status": "ok", "database": "ok"}
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not come up"
                time.sleep(0.2)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/v1/places?page_size=5", timeout=5
        ) as r:
            places = json.load(r)
            assert len(places) == 5 and json.loads(r.headers["X-Pagination"])["total"] == 32
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/docs", timeout=5) as r:
            page = r.read().decode()
            assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "//cdn" not in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as r:
            spec = json.load(r)
            assert "/api/v1/places/{place_id}/opening-hours" in spec["paths"]
    finally:
        server.terminate()
        server.wait(timeout=10)
