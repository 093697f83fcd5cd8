"""The README path: migrate a fresh SQLite database, seed the demo, serve with gunicorn."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from tests.gunicorn import BIN, ROOT, gunicorn


def test_gunicorn_serves_the_demo_places(tmp_path: Path) -> None:
    env = {**os.environ, "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run(
            [BIN / "booking", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    with gunicorn(env, workers=2) as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
            assert json.load(r) == {"status": "ok", "database": "ok"}
        with urllib.request.urlopen(f"{base}/api/v1/places?page_size=5", timeout=5) as r:
            places = json.load(r)
            assert len(places) == 5 and json.loads(r.headers["X-Pagination"])["total"] == 32
        with urllib.request.urlopen(f"{base}/api/v1/docs", timeout=5) as r:
            page = r.read().decode()
            assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "//cdn" not in page
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as r:
            spec = json.load(r)
            assert "/api/v1/places/{place_id}/opening-hours" in spec["paths"]
