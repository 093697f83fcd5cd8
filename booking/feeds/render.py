"""iCalendar rendering: events in, bytes out (RFC 5545, UTC times, folded, escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vText

from booking.text import clean_multiline, one_line

PRODID = "-//Wijkruimte//Wijkruimte booking//NL"
MAX_FEED_BYTES = 1_000_000
# Calendar clients may poll hourly (REFRESH-INTERVAL and X-PUBLISHED-TTL say the same).
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT: a booking occurrence or a free slot."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    stamp: datetime
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"
    sequence: int = 0
    transparent: bool = False
    confidential: bool = False


@dataclass(frozen=True)
class FeedInfo:
    """What the calendar says about itself."""

    name: str
    timezone: str
    description: str = ""


def clean(text: str) -> vText:
    """Multi-line TEXT: every kind of line break a plain newline (escaped as \\n), no controls.

    U+2028, U+2029 and U+0085 count as line breaks: left alone, some parsers drop the
    property and others start a new line (and so a new property) there.
    """
    return vText(clean_multiline(text))


def line(text: str) -> vText:
    """Single-line TEXT (titles, places, calendar names): line breaks become spaces."""
    return vText(one_line(text))


def _event(item: FeedEvent) -> bytes:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.stamp)
    event.add("last-modified", item.stamp)
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    event.add("sequence", item.sequence)
    event.add("summary", line(item.summary))
    if item.description:
        event.add("description", clean(item.description))
    if item.location:
        event.add("location", line(item.location))
    if item.status:
        event.add("status", item.status)
    event.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    if item.confidential:
        event.add("class", "CONFIDENTIAL")
    return bytes(event.to_ical())


def _calendar(info: FeedInfo, description: str) -> bytes:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", line(info.name))
    calendar.add("x-wr-timezone", info.timezone)
    if description:
        calendar.add("x-wr-caldesc", clean(description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return bytes(calendar.to_ical())


def render_feed(
    info: FeedInfo, events: Sequence[FeedEvent], max_bytes: int = MAX_FEED_BYTES
) -> bytes:
    """The calendar with its events by start; over `max_bytes`, the oldest are left out."""
    ordered = sorted(events, key=lambda item: (item.start, item.uid))
    rendered = [_event(item) for item in ordered]
    header = _calendar(info, info.description)
    if len(header) + sum(map(len, rendered)) <= max_bytes:
        return header[: -len(_END)] + b"".join(rendered) + _END
    note = (
        f"{info.description} " if info.description else ""
    ) + "Only the newest {kept} of {total} events are shown: a feed is at most 1 MB."
    kept: list[bytes] = []
    size = len(_calendar(info, note.format(kept=len(rendered), total=len(rendered))))
    for chunk in reversed(rendered):
        if size + len(chunk) > max_bytes:
            break
        kept.append(chunk)
        size += len(chunk)
    header = _calendar(info, note.format(kept=len(kept), total=len(rendered)))
    return header[: -len(_END)] + b"".join(reversed(kept)) + _END
