"""Feeds rendered once per version: the bodies a worker rendered last, kept by their ETag.

When a place's feed changes, every calendar subscribed to it asks for it again within the
hour, and each would render the same events anew. The ETag names the version (the same
version always renders the same events), so a body rendered for one client is the answer
for the next. Each process keeps at most BUDGET bytes, the least recently used going first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

BUDGET = 16 * 1024 * 1024  # bytes per process

Key = tuple[str, str, str, bool]


class RenderedFeeds:
    """A least-recently-used store of feed bodies, bounded in bytes."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self._bodies: OrderedDict[Key, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # gunicorn may run threads

    def body(self, key: Key, render: Callable[[], bytes]) -> bytes:
        """The body stored under `key`, or `render()`'s, stored when it fits."""
        with self._lock:
            found = self._bodies.get(key)
            if found is not None:
                self._bodies.move_to_end(key)
                return found
        body = render()
        if len(body) > self.budget // 4:
            return body  # one feed may not push out everything else
        with self._lock:
            if key not in self._bodies:
                self._bodies[key] = body
                self._size += len(body)
            while self._size > self.budget:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)
        return body

    @property
    def size(self) -> int:
        """Bytes held."""
        return self._size


rendered = RenderedFeeds()
