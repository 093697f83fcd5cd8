"""`pip install .` as an operator would: build the wheel, install it into a fresh virtual
environment away from the checkout, migrate a fresh database with `booking db upgrade`, and
serve it with gunicorn (the locked versions beneath it): /readyz answers 200 and the pages
come with their stylesheet."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path
from typing import Any

from tests.gunicorn import ROOT, TEST_SECRET, free_port

PYTHON = Path(sys.executable)


def _run(command: list[str | Path], **kwargs: Any) -> str:
    done = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return str(done.stdout)


def test_the_wheel_installs_migrates_and_serves(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # Built with the locked setuptools of this environment, not one fetched for the build.
    _run(
        [PYTHON, "-m", "pip", "wheel", ROOT, "--no-deps", "--no-build-isolation", "-q", "-w", dist]
    )
    wheel = next(dist.glob("wijkruimte_booking-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "booking/migrations/env.py" in names and "booking/migrations/alembic.ini" in names
    assert any(n.startswith("booking/migrations/versions/0009_") for n in names)
    assert "booking/web/static/wijkruimte.css" in names
    assert not any(n.startswith(("tests/", "migrations/")) for n in names)

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    # The locked versions, then the wheel on them: its declared requirements must hold there.
    pip = target / "bin" / "pip"
    _run([pip, "install", "-q", "--require-hashes", "--no-deps", "-r", ROOT / "requirements.lock"])
    _run([pip, "install", "-q", "--no-deps", wheel])
    _run([pip, "check"])
    work = tmp_path / "elsewhere"  # not the checkout: only the installed package is seen
    work.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOOKING_", "PYTHON"))},
        "BOOKING_DATABASE_URL": f"sqlite:///{work / 'fresh.db'}",
        "BOOKING_PUBLIC_BASE_URL": base,
        "BOOKING_SECRET_KEY": TEST_SECRET,
    }
    _run([target / "bin" / "booking", "db", "upgrade"], cwd=work, env=env)
    assert "site-packages" in _run(
        [target / "bin" / "python", "-c", "import booking; print(booking.MIGRATIONS_DIR)"],
        cwd=work,
        env=env,
    )
    server = subprocess.Popen(
        [target / "bin" / "gunicorn", "--bind", f"127.0.0.1:{port}", "booking:create_app()"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as ready:
                    assert ready.status == 200
                    assert b'"migrations":"head"' in ready.read().replace(b" ", b"")
                    break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "not ready in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/", timeout=5) as page:
            assert b"Wijkruimte" in page.read()
        with urllib.request.urlopen(f"{base}/assets/wijkruimte.css", timeout=5) as css:
            assert css.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
