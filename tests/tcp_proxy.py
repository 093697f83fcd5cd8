"""A TCP proxy the tests control: forward to a real server, stall, or be gone.

It stands between the service and PostgreSQL or Redis, so a test can take the database or
the rate-limit storage away (or make it hang) and bring it back, without touching the real
servers other tests use.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Literal

Mode = Literal["forward", "stall"]


class TcpProxy:
    """Listens on 127.0.0.1:port; forwards to target, or accepts and never answers."""

    def __init__(self, target: tuple[str, int], port: int = 0) -> None:
        self.target = target
        self.mode: Mode = "forward"
        self._port = port
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The port the proxy listens on (kept across stop and start)."""
        return self._port

    def start(self, mode: Mode = "forward") -> TcpProxy:
        """Listen (again, on the same port) in the given mode."""
        self.mode = mode
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self._port))
        listener.listen(64)
        self._port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stall(self) -> None:
        """From now on nothing comes back, on open connections too: what is sent is taken
        (and acknowledged, as a hung proxy or pooler would) and dropped; new connections
        are accepted and never answered."""
        self.mode = "stall"

    def resume(self) -> None:
        """Forward again (connections that were stalled stay useless; new ones work)."""
        self.mode = "forward"

    def stop(self) -> None:
        """Close the listener and every connection: the server is gone."""
        with self._lock:
            sockets, self._open = self._open, []
            listener, self._listener = self._listener, None
        for sock in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._open.append(client)
            if self.mode == "stall":
                continue  # accepted, and never a byte in reply
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        _pump(source, sink, lambda: self.mode == "stall")


def _pump(source: socket.socket, sink: socket.socket, stalled: Callable[[], bool]) -> None:
    try:
        while data := source.recv(65536):
            if not stalled():
                sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
