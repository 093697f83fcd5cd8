"""Answers computed once per data version: a key that names the version of the data read
(so a change is a new key and nothing is ever stale), and a store shared by every worker.

With Redis configured for the rate limits (`BOOKING_RATELIMIT_STORAGE_URL=redis://...`),
every worker and host shares the answers there, for a day at most; otherwise each process
keeps a bounded number, the least recently used going first. A store that is away costs a
computation, never an answer (as the rate limits fail open)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

from booking.ratelimits import REDIS_TIMEOUTS

log = logging.getLogger(__name__)
ENTRIES = 4096  # per process
REDIS_TTL_SECONDS = 24 * 3600


class ProcessStore:
    """A least-recently-used store of JSON-able values, bounded in entries."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn may run threads

    def get(self, key: str) -> Any | None:
        """The value kept under `key`, or None."""
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: str, value: Any) -> None:
        """Keep `value`, dropping the least recently used beyond the bound."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)


_process = ProcessStore()
_clients: dict[str, Any] = {}


def _redis() -> Any | None:
    url = str(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    if not url.startswith(("redis://", "rediss://")):
        return None
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, **REDIS_TIMEOUTS)
    return _clients[url]


def once_per_version(kind: str, version: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`'s answer for this kind and data version (JSON-able), computed once."""
    installation = current_app.config["SQLALCHEMY_DATABASE_URI"]
    digest = hashlib.sha256(json.dumps([installation, version], default=str).encode())
    key = f"wijkruimte:{kind}:{digest.hexdigest()[:40]}"
    shared = _redis()
    if shared is not None:
        try:
            found = shared.get(key)
        except Exception as error:  # a store that is away costs a computation
            log.warning("computed-answer store unavailable: %r", error)
            return compute()
        if found is not None:
            return json.loads(found)
        value = compute()
        try:
            shared.set(key, json.dumps(value), ex=REDIS_TTL_SECONDS)
        except Exception as error:
            log.warning("computed-answer store unavailable: %r", error)
        return value
    found = _process.get(key)
    if found is None:
        found = compute()
        _process.put(key, found)
    return found
