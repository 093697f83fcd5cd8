"""Feed URLs: text/calendar with ETag and Last-Modified; conditional requests get 304."""

from __future__ import annotations

import gzip
from typing import Any

from flask import Response, current_app, request
from flask_babel import force_locale
from flask_limiter.util import get_remote_address

from booking.api.base import Blueprint, View
from booking.extensions import limiter
from booking.feeds import sources
from booking.feeds.render import render_feed
from booking.feeds.rendered import rendered
from booking.i18n import DEFAULT_LOCALE
from booking.models.account import LOCALES
from booking.schemas.availability import FeedQuerySchema
from booking.services.feed_tokens import feed_token_for

blp = Blueprint("feeds", __name__, url_prefix="/feeds", description="Calendar feeds (iCalendar)")

CALENDAR_DOC: dict[str, Any] = {
    "responses": {
        "200": {
            "description": "An iCalendar feed",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        "304": {"description": "Not modified since the ETag or date the client sent"},
    }
}


def _feed_limit() -> str:
    return str(current_app.config["FEED_RATE_LIMIT"])


feed_limit = limiter.shared_limit(_feed_limit, scope="feeds", key_func=get_remote_address)


def serve(feed: sources.Feed, filename: str) -> Response:
    """Answer 304 when the client's copy is current; HEAD without rendering; else the feed,
    gzipped when the client accepts it.

    The ETag is weak: a proxy that compresses (nginx does) changes the bytes, not the
    calendar, and RFC 9110 says If-None-Match compares weakly.
    """
    etag = feed.etag
    last_modified = feed.last_modified.replace(microsecond=0)
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(etag)
    else:
        since = request.if_modified_since
        fresh = since is not None and last_modified <= since
    if fresh:
        response = Response(status=304)
    elif request.method == "HEAD":
        # What a 304 costs, so no rendering: and so no length either, rather than a false 0
        # (RFC 9110 8.6: a HEAD's Content-Length is the GET's, or absent).
        response = Response(mimetype="text/calendar")
        response.automatically_set_content_length = False
    else:
        # Rendered once per version and process (rendered.py), compressed once too. The
        # installation is in the key: its address is in every link, and one process may
        # serve more than one (the tests do).
        config = current_app.config
        where = f"{config['PUBLIC_BASE_URL']} {config['SQLALCHEMY_DATABASE_URI']} {request.path}"
        key = (where, request.query_string.decode("latin-1"), etag, False)
        body = rendered.body(key, lambda: render_feed(feed.info, feed.events()))
        response = Response(body, mimetype="text/calendar")
        if "gzip" in request.accept_encodings:
            packed = rendered.body((*key[:3], True), lambda: gzip.compress(body, compresslevel=6))
            response.set_data(packed)
            response.headers["Content-Encoding"] = "gzip"
    if not fresh:
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(etag, weak=True)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = (
        "private, max-age=300" if feed.private else "public, max-age=300"
    )
    return response


@blp.route("/places/<id:place_id>.ics")
class PlaceFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    def get(self, place_id: int) -> Response:
        """A place's bookings as a calendar (private bookings as busy blocks)."""
        return serve(sources.place_feed(place_id), f"place-{place_id}.ics")


@blp.route("/rooms/<id:room_id>.ics")
class RoomFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    def get(self, room_id: int) -> Response:
        """A room's bookings, including those of combined rooms that occupy it."""
        return serve(sources.room_feed(room_id), f"room-{room_id}.ics")


@blp.route("/neighbourhoods/<id:neighbourhood_id>.ics")
class NeighbourhoodFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    def get(self, neighbourhood_id: int) -> Response:
        """Public activities at every place in a neighbourhood."""
        return serve(
            sources.neighbourhood_feed(neighbourhood_id), f"neighbourhood-{neighbourhood_id}.ics"
        )


@blp.route("/initiatives/<id:initiative_id>.ics")
class InitiativeFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    def get(self, initiative_id: int) -> Response:
        """An initiative's public activities."""
        return serve(sources.initiative_feed(initiative_id), f"initiative-{initiative_id}.ics")


@blp.route("/availability/places/<id:place_id>.ics")
class PlaceAvailabilityFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    @blp.arguments(FeedQuerySchema, location="query")
    def get(self, args: dict[str, Any], place_id: int) -> Response:
        """Free rooms at a place for the next eight weeks, as transparent events."""
        feed = sources.availability_feed(place_id=place_id, min_duration=args.get("min_duration"))
        return serve(feed, f"free-place-{place_id}.ics")


@blp.route("/availability/neighbourhoods/<id:neighbourhood_id>.ics")
class NeighbourhoodAvailabilityFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    @blp.arguments(FeedQuerySchema, location="query")
    def get(self, args: dict[str, Any], neighbourhood_id: int) -> Response:
        """Free rooms in a neighbourhood for the next eight weeks, as transparent events."""
        feed = sources.availability_feed(
            neighbourhood_id=neighbourhood_id, min_duration=args.get("min_duration")
        )
        return serve(feed, f"free-neighbourhood-{neighbourhood_id}.ics")


@blp.route("/private/<string(maxlength=100):token>.ics")
class PrivateFeed(View):
    decorators = [*View.decorators, feed_limit]

    @blp.doc(**CALENDAR_DOC)
    def get(self, token: str) -> Response:
        """Everything the token's owner may see, in the owner's language unless `lang` says
        otherwise; revoked tokens answer 404."""
        found = feed_token_for(token)
        language = request.args.get("lang") or found.account.locale
        with force_locale(language if language in LOCALES else DEFAULT_LOCALE):
            return serve(sources.private_feed(found), "wijkruimte.ics")
