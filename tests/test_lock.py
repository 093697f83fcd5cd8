"""The environment the suite runs in is the one requirements.lock describes: every locked
package is installed at its locked version, and nothing else is installed beside them."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
# What `python -m venv` brings, and the project itself (installed from its checkout).
NOT_LOCKED = {"pip", "wijkruimte-booking"}


def locked_versions() -> dict[str, str]:
    """Name -> version of every requirement pinned in the lock file."""
    found = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        pinned = PINNED.match(line)
        if pinned:
            found[canonicalize_name(pinned[1])] = pinned[2]
    return found


def installed_versions() -> dict[str, str]:
    """Name -> version of every distribution this interpreter sees."""
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }


def test_the_lock_pins_every_requirement_with_hashes() -> None:
    text = (ROOT / "requirements.lock").read_text()
    locked = locked_versions()
    assert {"flask", "sqlalchemy", "babel", "pytest", "setuptools"} <= locked.keys()
    # pip's --require-hashes refuses a file where any requirement lacks one.
    assert text.count("==") == len(locked)
    assert text.count("--hash=sha256:") >= len(locked)


def test_every_installed_version_is_the_locked_one() -> None:
    locked, installed = locked_versions(), installed_versions()
    drifted = {
        name: (installed.get(name), version)
        for name, version in locked.items()
        if installed.get(name) != version
    }
    assert not drifted, f"installed vs locked (run `make install` or `make lock`): {drifted}"
    unlocked = sorted(installed.keys() - locked.keys() - NOT_LOCKED)
    assert not unlocked, f"installed but not in requirements.lock: {unlocked}"
