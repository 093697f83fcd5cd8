"""The flat availability list, computed once per data version and paged as slices of it.

A page of `/availability` is a slice of one search over every matching room. The search is
kept under a name (the answer's ETag) made of the query, the data it reads and the minute:
- the data: the feed stamps of the places it may read, which every write to a booking,
  closure, room, opening hours or policy of a place moves (feeds/stamps.py), so a change
  is a new name and no page is ever stale;
- the minute: notice and the horizon move with the clock; a search for a whole minute
  counts notice from the minute's end and the horizon from its start, which on a grid of
  whole minutes is exactly the answer at any instant of that minute.
The version is read before the rows, so a write that lands between the two makes the
answer newer than its name, never older.

A client that pages sends the first page's ETag as `If-Match`: the same answer is served
while the data is unchanged (in a later minute too, while the store keeps it); once the
data has changed, 412 says to start again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import has_request_context, request
from sqlalchemy import String, cast, select

from booking.computed import StoredRows, keep_rows, rows_key, stored_rows
from booking.errors import DomainError
from booking.extensions import db
from booking.models import Place, Room, utcnow
from booking.services.search.availability import (
    AvailabilityFilter,
    Clock,
    FreeSlot,
    find_availability,
)

MINUTE = timedelta(minutes=1)


class AnswerChanged(DomainError):
    """412: the answer an If-Match names is no longer the current one."""

    status = 412
    code = "answer_changed"
    title = "Precondition failed"


@dataclass(frozen=True)
class Answer:
    """A computed list kept in the store, and its ETag."""

    etag: str
    rows: StoredRows


def minute_clock(now: datetime) -> tuple[Clock, str]:
    """The clock of the whole minute `now` lies in, and the minute's name."""
    start = now.astimezone(UTC).replace(second=0, microsecond=0)
    if start == now:
        return Clock(now, now), f"{int(start.timestamp()) // 60}="
    return Clock(start + MINUTE, start), str(int(start.timestamp()) // 60)


def data_version(filters: AvailabilityFilter) -> list[tuple[int, str]]:
    """The feed stamps of every place whose data the search may read (all of them unless
    the query names places, rooms or neighbourhoods): one short query, asked once per
    reading request (the front page's searches and agenda share it)."""
    scope = (filters.place, filters.room, filters.neighbourhood)
    # Only a reading request keeps it (a write in between would make it stale), and in the
    # request's own environ: `g` outlives a request inside an app context held around it.
    reading = has_request_context() and request.method in ("GET", "HEAD")
    read = request.environ.setdefault("wijkruimte.data_versions", {}) if reading else {}
    if scope not in read:
        read[scope] = _stamps(filters)
    return read[scope]  # type: ignore[no-any-return]


def _stamps(filters: AvailabilityFilter) -> list[tuple[int, str]]:
    # The stamp as the database's own text: only compared, never computed with, so no
    # datetime is built for it (a page of a kept answer reads little else).
    stmt = select(Place.id, cast(Place.feed_changed_at, String)).order_by(Place.id)
    if filters.place:
        stmt = stmt.where(Place.id.in_(filters.place))
    if filters.room:
        stmt = stmt.where(Place.id.in_(select(Room.place_id).where(Room.id.in_(filters.room))))
    if filters.neighbourhood:
        stmt = stmt.where(Place.neighbourhood_id.in_(filters.neighbourhood))
    return [(place_id, stamp or "") for place_id, stamp in db.session.connection().execute(stmt)]


def flat_availability(
    filters: AvailabilityFilter,
    write: Callable[[list[FreeSlot]], list[str]],
    if_match: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """The flat list for this query as of now, each slot written by `write` as a row of
    JSON text, from the store when it has it; with `if_match` (an earlier page's ETag),
    that answer, or AnswerChanged."""
    clock, minute = minute_clock(now or utcnow())
    data = rows_key("availability", [filters, data_version(filters)])
    etag = f"{data}-{minute}"
    if if_match is not None and if_match != etag:
        pinned = stored_rows(if_match) if if_match.startswith(f"{data}-") else None
        if pinned is None:
            raise AnswerChanged(
                "The availability changed since that page; fetch it again from page 1.",
            )
        return Answer(if_match, pinned)
    found = stored_rows(etag)
    if found is None:
        found = keep_rows(etag, write(find_availability(filters, clock)))
    return Answer(etag, found)
