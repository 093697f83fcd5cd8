"""Photos as files: each rendition under its own address, never changed (a new photo is a new
address), so it is cached for a year; a revalidation is answered from a one-row read."""

from __future__ import annotations

from flask import Response, abort, request

from booking.services.photos import photo_bytes, photo_file, photo_urls
from booking.web.views import bp

A_YEAR = 365 * 24 * 3600

# A global, not a context variable: the place cards are macros imported without context.
bp.add_app_template_global(photo_urls, "photo_urls")


@bp.get("/media/photos/<int:photo_id>-<int:width>.jpg")
def photo(photo_id: int, width: int) -> Response:
    """One rendition of a place's photo, with a strong ETag; 304 when the client has it."""
    found = photo_file(photo_id, width)
    if found is None:
        abort(404)
    etag, content_type = found
    answer = Response(status=304)
    if etag not in request.if_none_match:
        answer = Response(photo_bytes(photo_id, width) or b"", mimetype=content_type)
    answer.set_etag(etag)
    answer.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    # An image, never a page: nothing in it may run or be framed.
    answer.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return answer
