"""The report's PDF renderer fetches nothing from the network or the disk (security 3,
item 6): only `data:` URLs and the app's own static files."""

from __future__ import annotations

import base64
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from booking.web.report_files import STATIC, report_pdf


def _png() -> bytes:
    """A 1x1 green PNG, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5e\x35")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PIXEL = base64.b64encode(_png()).decode()


@contextmanager
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every path asked of it."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(base64.b64decode(PIXEL))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_the_pdf_renderer_calls_no_address_and_reads_no_file() -> None:
    static_file = next(path for path in STATIC.iterdir() if path.is_file())
    with counting_server() as (base, asked):
        html = f"""<html><body><p>Rapport</p>
            <img src="data:image/png;base64,{PIXEL}" alt="inline">
            <img src="{base}/tracker.png" alt="remote">
            <link rel="stylesheet" href="{base}/style.css">
            <img src="file:///etc/hostname" alt="a file">
            <img src="{static_file.as_uri()}" alt="our own">
            </body></html>"""
        pdf = report_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert asked == []  # the server was never called
    # The inline image made it in: the PDF holds an image object.
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
