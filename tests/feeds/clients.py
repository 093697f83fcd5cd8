"""Calendar parsers the feed tests read feeds with, besides the ones imported directly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"


def libical(raw: bytes, tmp_path: Path) -> dict[str, Any]:
    """What Evolution's parser reads, with libical's iTIP restriction check for PUBLISH."""
    path = tmp_path / "feed-libical.ics"
    path.write_bytes(raw)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(ROOT / "tests" / "feeds" / "libical_check.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if "Namespace ICalGLib not available" in done.stderr or "No module named 'gi'" in done.stderr:
        pytest.fail("libical bindings missing: apt-get install gir1.2-ical-3.0 python3-gi")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
