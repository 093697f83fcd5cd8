"""The README's first command: `make run PORT=…` serves there, and every link it mails points
there too (the public base URL follows HOST and PORT unless it is set)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.gunicorn import ROOT, free_port
from tests.http import send
from tests.smtp import smtp_server

VENV = Path(sys.prefix)
MAKE = shutil.which("make") or "/usr/bin/make"


def test_make_run_mails_links_to_the_port_it_serves_on(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BOOKING_") and key not in {"MAKEFLAGS", "MFLAGS"}
    }
    with smtp_server() as (mailbox, smtp_url):
        env |= {"BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
        env |= {"BOOKING_SMTP_URL": smtp_url}
        # -o: the running suite's own environment counts as installed; make must not rebuild it.
        make = subprocess.Popen(
            [MAKE, "-s", "-o", f"{VENV}/.installed", "run", f"PORT={port}", f"VENV={VENV}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                        break
                except OSError:
                    assert make.poll() is None, "make run exited"
                    assert time.monotonic() < deadline, "make run did not come up"
                    time.sleep(0.3)
            address = "bewoner@example.nl"
            assert send("POST", f"{base}/api/v1/auth/email-link", {"email": address})[0] == 202
            deadline = time.monotonic() + 30
            while not mailbox.to(address):
                assert time.monotonic() < deadline, "the worker beside make run sent no mail"
                time.sleep(0.2)
        finally:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(timeout=30)
    (mail,) = mailbox.to(address)
    body = mail.get_body(("plain",))
    assert body is not None
    links = re.findall(r"https?://[^\s>\"]+", body.get_content())
    assert links and all(link.startswith(base + "/") for link in links), links
