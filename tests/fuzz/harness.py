"""A served installation to fuzz: a migrated database with the demo data, gunicorn in front,
and a token for each kind of caller (admin, host, person; anonymous has none)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.gunicorn import BIN, ROOT, gunicorn
from tests.http import send


@dataclass(frozen=True)
class Target:
    """The server's base URL and a bearer token per caller (None: anonymous)."""

    base: str
    tokens: dict[str, str | None]


def _booking(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [BIN / "booking", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@contextmanager
def fuzz_target(database_url: str, workers: int = 2) -> Iterator[Target]:
    """Migrate and seed `database_url`, serve it, and hand out the callers' tokens."""
    env = {
        "BOOKING_DATABASE_URL": database_url,
        "BOOKING_RATELIMIT_ENABLED": "false",
        "BOOKING_ENV": "development",
    }
    _booking(env, "db", "upgrade")
    _booking(env, "seed-demo", "--if-empty")
    admin = _booking(env, "create-admin", "--name", "Fuzz Admin", "--email", "admin@fuzz.test")
    admin_token = admin.strip().splitlines()[-1]
    with gunicorn(env, workers=workers) as base:
        bearer = {"Authorization": f"Bearer {admin_token}"}
        _, _, host = send(
            "POST", f"{base}/api/v1/accounts", {"name": "Fuzz Host", "email": "host@fuzz.test"}
        )
        send("POST", f"{base}/api/v1/places/1/hosts", {"account_id": host["account"]["id"]}, bearer)
        _, _, handed = send(
            "POST",
            f"{base}/api/v1/accounts/{host['account']['id']}/tokens",
            {"name": "fuzz", "scopes": ["read", "book", "manage"]},
            bearer,
        )
        _, _, person = send(
            "POST", f"{base}/api/v1/accounts", {"name": "Fuzz Person", "email": "p@fuzz.test"}
        )
        yield Target(
            base,
            {
                "admin": admin_token,
                "host": handed["token"],
                "person": person["token"],
                "anonymous": None,
            },
        )
