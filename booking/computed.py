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
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import current_app

from booking.ratelimits import REDIS_TIMEOUTS

log = logging.getLogger(__name__)
ENTRIES = 16_384  # per process: small values (a month of figures, a place's summary)
REDIS_TTL_SECONDS = 24 * 3600


class ProcessStore:
    """A least-recently-used store of values in this process, bounded by the sum of their
    sizes (by default each counts one: a bound in entries)."""

    def __init__(self, limit: int = ENTRIES, size: Callable[[Any], int] = lambda _: 1) -> None:
        self.limit = limit
        self.size = size
        self._values: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()  # gunicorn may run threads

    def get(self, key: str) -> Any | None:
        """The value kept under `key`, or None."""
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            self._values.move_to_end(key)
            return found[0]

    def put(self, key: str, value: Any) -> None:
        """Keep `value`, dropping the least recently used beyond the bound (a value larger
        than the bound itself is not kept)."""
        size = self.size(value)
        if size > self.limit:
            return
        with self._lock:
            if key in self._values:
                self._held -= self._values.pop(key)[1]
            self._values[key] = (value, size)
            self._held += size
            while self._held > self.limit:
                _, (_, dropped) = self._values.popitem(last=False)
                self._held -= dropped


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


def once_per_version(
    kind: str, version: Any, compute: Callable[[], Any], ttl: int = REDIS_TTL_SECONDS
) -> Any:
    """`compute()`'s answer for this kind and data version (JSON-able), computed once."""
    return many_once_per_version(kind, {0: version}, lambda _: {0: compute()}, ttl)[0]


# Long computed lists (the flat availability list) are kept as rows of text, so a page is a
# slice of text: in Redis in chunks of CHUNK_ROWS (a page reads only its own chunks), in the
# process as one list, bounded in characters in all. A rendered fragment is a list of one.
CHUNK_ROWS = 100
ROWS_TTL_SECONDS = 180  # long enough to page through; a new minute or a change is a new key
PROCESS_CHARACTERS = 12_000_000  # about 15 MB of text per process, with the strings' overhead


@dataclass(frozen=True)
class StoredRows:
    """A computed list kept under its key: how many rows, and a way to read a slice."""

    key: str
    total: int
    read: Callable[[int, int], list[str] | None]

    def page(self, first: int, count: int) -> list[str] | None:
        """Rows [first, first + count), or None when the store lost part of them."""
        if first >= self.total or count <= 0:
            return []
        return self.read(first, min(count, self.total - first))


_process_rows = ProcessStore(PROCESS_CHARACTERS, lambda rows: sum(map(len, rows)))


def rows_key(kind: str, version: Any) -> str:
    """The name of a computed list of this kind and data version in this installation."""
    installation = current_app.config["SQLALCHEMY_DATABASE_URI"]
    digest = hashlib.sha256(json.dumps([installation, kind, version], default=str).encode())
    return digest.hexdigest()[:32]


def stored_rows(key: str) -> StoredRows | None:
    """The list kept under `key` (rows_key), if the store still has it."""
    shared = _redis()
    if shared is None:
        found = _process_rows.get(key)
        if found is None:
            return None
        return StoredRows(key, len(found), lambda first, count: found[first : first + count])
    try:
        header = shared.get(f"wijkruimte:rows:{key}")
    except Exception as error:
        log.warning("computed-answer store unavailable: %r", error)
        return None
    if header is None:
        return None
    computation, total = header.decode().split()
    return StoredRows(key, int(total), partial(_redis_slice, shared, key, computation))


def _redis_slice(
    shared: Any, key: str, computation: str, first: int, count: int
) -> list[str] | None:
    chunks = range(first // CHUNK_ROWS, (first + count - 1) // CHUNK_ROWS + 1)
    try:
        texts = shared.mget([f"wijkruimte:rows:{key}:{computation}:{i}" for i in chunks])
    except Exception as error:
        log.warning("computed-answer store unavailable: %r", error)
        return None
    if any(text is None for text in texts):
        return None  # expired under the reader: the caller computes again
    rows = [row for text in texts for row in text.decode().split("\n")]
    start = first - chunks.start * CHUNK_ROWS
    return rows[start : start + count]


def keep_rows(key: str, rows: list[str]) -> StoredRows:
    """Keep a computed list (rows of text without newlines, JSON say) under `key`."""
    shared = _redis()
    if shared is None:
        _process_rows.put(key, rows)
    else:
        # Chunks go under a name of this computation's own, and the header last: a reader
        # never mixes two computations of one key, nor reads a chunk not yet written.
        computation = secrets.token_hex(4)
        try:
            with shared.pipeline(transaction=False) as pipe:
                for i in range(0, len(rows), CHUNK_ROWS):
                    pipe.set(
                        f"wijkruimte:rows:{key}:{computation}:{i // CHUNK_ROWS}",
                        "\n".join(rows[i : i + CHUNK_ROWS]),
                        ex=ROWS_TTL_SECONDS,
                    )
                # The first computation of a key stays its answer (NX) while it lives.
                pipe.set(
                    f"wijkruimte:rows:{key}",
                    f"{computation} {len(rows)}",
                    ex=ROWS_TTL_SECONDS,
                    nx=True,
                )
                pipe.execute()
        except Exception as error:
            log.warning("computed-answer store unavailable: %r", error)
    return StoredRows(key, len(rows), lambda first, count: rows[first : first + count])


def many_once_per_version(
    kind: str,
    versions: dict[Any, Any],
    compute: Callable[[list[Any]], dict[Any, Any]],
    ttl: int = REDIS_TTL_SECONDS,
) -> dict[Any, Any]:
    """For each item, its answer for its own data version (JSON-able): the store is asked
    for all of them at once, and `compute` once for the items it does not have."""
    keys = {item: rows_key(kind, version) for item, version in versions.items()}
    found: dict[Any, Any] = {}
    shared = _redis()
    names = {item: f"wijkruimte:{kind}:{key}" for item, key in keys.items()}
    if shared is None:
        for item, name in names.items():
            value = _process.get(name)
            if value is not None:
                found[item] = value
    elif names:
        try:
            texts = shared.mget(list(names.values()))
        except Exception as error:
            log.warning("computed-answer store unavailable: %r", error)
            texts = [None] * len(names)
        for item, text in zip(names, texts, strict=True):
            if text is not None:
                found[item] = json.loads(text)
    missing = [item for item in versions if item not in found]
    if not missing:
        return found
    computed = compute(missing)
    found.update(computed)
    if shared is None:
        for item, value in computed.items():
            _process.put(names[item], value)
        return found
    try:
        with shared.pipeline(transaction=False) as pipe:
            for item, value in computed.items():
                pipe.set(names[item], json.dumps(value), ex=ttl)
            pipe.execute()
    except Exception as error:
        log.warning("computed-answer store unavailable: %r", error)
    return found


def text_once_per_version(kind: str, version: Any, compute: Callable[[], str]) -> str:
    """`compute()`'s text (a rendered fragment, say) for this kind and data version,
    computed once; kept as the long lists are, so bounded by its size in the process."""
    key = f"{kind}-{rows_key(kind, version)}"
    found = stored_rows(key)
    kept = found.page(0, 1) if found is not None else None
    if kept:
        return str(json.loads(kept[0]))
    text = compute()
    keep_rows(key, [json.dumps(text)])  # a row holds no newline
    return text
