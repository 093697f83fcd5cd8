"""A plain HTTP client for the end-to-end tests, and firing requests all at one moment."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

# Every answer of the service, problem bodies included, is JSON unless it is a feed or page.


def send(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], Any]:
    """One request: status, headers and the JSON body (or the text, or None when empty)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), _decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), _decode(error.read())


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def all_at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run call(0..count-1) in threads released together by a barrier; results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def fire(index: int) -> None:
        barrier.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
