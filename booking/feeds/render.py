"""iCalendar rendering: events in, bytes out (RFC 5545, UTC times, folded, escaped)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from booking.text import clean_multiline, one_line

PRODID = "-//Wijkruimte//Wijkruimte booking//NL"
MAX_FEED_BYTES = 1_000_000
# Calendar clients may poll hourly (REFRESH-INTERVAL and X-PUBLISHED-TTL say the same).
REFRESH = timedelta(hours=1)
_END = b"END:VCALENDAR\r\n"
# Over the size cap, whole events (with descriptions) must reach at least this far ahead;
# if they cannot, descriptions are dropped to keep more events.
WHOLE_HORIZON = timedelta(weeks=8)


@dataclass(frozen=True)
class FeedEvent:
    """One VEVENT: a booking occurrence, a free-slot summary, a closure or a note.

    `start`/`end` are instants; an all-day event gives `day` instead (and `end` unused).
    """

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
    classification: str = ""  # CONFIDENTIAL (busy block), PRIVATE (private feeds)
    url: str = ""
    organizer: tuple[str, str] | None = None  # (name, e-mail)
    contact: str = ""
    categories: tuple[str, ...] = ()
    created: datetime | None = None
    related_to: str = ""
    geo: tuple[float, float] | None = None
    day: date | None = None
    days: int = 1


@dataclass(frozen=True)
class FeedInfo:
    """What the calendar says about itself."""

    name: str
    timezone: str
    description: str = ""
    # Shown on the last kept day when the 1 MB cap leaves events out.
    truncated_summary: str = "More in the feed's page"
    truncated_description: str = "{kept} of {total} events fit in this feed; see {url}"
    url: str = ""
    uid_domain: str = "wijkruimte"
    # iTIP PUBLISH wants an ORGANIZER on every event: the note's is the installation.
    organizer: tuple[str, str] | None = None
    # iTIP method: PUBLISH for feeds and most mails; CANCEL to take an event out of an agenda.
    method: str = "PUBLISH"


def clean(text: str) -> vText:
    """Multi-line TEXT: every kind of line break a plain newline (escaped as \\\\n), no controls.

    U+2028, U+2029 and U+0085 count as line breaks: left alone, some parsers drop the
    property and others start a new line (and so a new property) there.
    """
    return vText(clean_multiline(text))


def line(text: str) -> vText:
    """Single-line TEXT (titles, places, calendar names): line breaks become spaces."""
    return vText(one_line(text))


def calendar_name(text: str) -> str:
    """A calendar's name without `,` and `;`: clients that do not unescape X-WR-CALNAME
    (ical.js, icalendar) would show the backslashes escaping them."""
    return re.sub(r"\s*[,;]\s*", " - ", one_line(text)).strip(" -")


def _utc(moment: datetime) -> datetime:
    """Every instant in UTC (`Z`): a fixed offset would need a VTIMEZONE that no file has."""
    return moment.astimezone(UTC)


def _event(item: FeedEvent) -> bytes:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(item.stamp))
    event.add("last-modified", _utc(item.stamp))
    if item.created is not None:
        event.add("created", _utc(item.created))
    if item.day is not None:
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=item.days))
    else:
        event.add("dtstart", _utc(item.start))
        event.add("dtend", _utc(item.end))
    event.add("sequence", item.sequence)
    event.add("summary", line(item.summary))
    if item.description:
        event.add("description", clean(item.description))
    if item.location:
        event.add("location", line(item.location))
    if item.status:
        event.add("status", item.status)
    event.add("transp", "TRANSPARENT" if item.transparent else "OPAQUE")
    if item.classification:
        event.add("class", item.classification)
    if item.url:
        event.add("url", item.url)
    if item.organizer is not None:
        name, email = item.organizer
        organizer = vCalAddress(f"mailto:{email}")
        organizer.params["cn"] = vText(one_line(name))
        event.add("organizer", organizer)
    if item.contact:
        event.add("contact", line(item.contact))
    if item.categories:
        event.add("categories", [one_line(c) for c in item.categories])
    if item.related_to:
        event.add("related-to", item.related_to)
    if item.geo is not None:
        event.add("geo", item.geo)
    return bytes(event.to_ical())


def _calendar(info: FeedInfo, description: str) -> bytes:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("method", info.method)
    calendar.add("calscale", "GREGORIAN")
    name = calendar_name(info.name)
    calendar.add("name", vText(name))  # RFC 7986
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", info.timezone)
    if description:
        calendar.add("description", clean(description))  # RFC 7986
        calendar.add("x-wr-caldesc", clean(description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return bytes(calendar.to_ical())


def _sort_key(item: FeedEvent) -> tuple[str, str]:
    moment = item.day.isoformat() if item.day is not None else item.start.date().isoformat()
    exact = item.start.isoformat() if item.day is None else ""
    return (moment + exact, item.uid)


def render_feed(
    info: FeedInfo, events: Sequence[FeedEvent], max_bytes: int = MAX_FEED_BYTES
) -> bytes:
    """The calendar with its events by start. Over `max_bytes` the far end gives way first
    (the nearest events stay whole); if whole events would not reach eight weeks ahead,
    descriptions go before events, the farthest first. A note on the last kept day says
    what is missing."""
    ordered = sorted(events, key=_sort_key)
    header = _calendar(info, info.description)
    rendered = [_event(item) for item in ordered]
    if len(header) + sum(map(len, rendered)) <= max_bytes:
        return header[: -len(_END)] + b"".join(rendered) + _END
    # Room for the note, measured with the longest counts it can show.
    note = _truncation_note(info, ordered[-1:], 10 * len(ordered), 10 * len(ordered))
    budget = max_bytes - len(header) - len(_END) - len(note)
    # The far end gives way first: the longest run of whole events, nearest first...
    kept, used = _prefix(rendered, budget)
    chunks = rendered[:kept]
    if kept < len(ordered) and not _reaches(ordered, kept, WHOLE_HORIZON):
        # ...unless that leaves the coming weeks short. Then the events that reach eight
        # weeks come first, bare; descriptions come back nearest first while they fit;
        # then further events, bare, while they fit.
        bare = [
            _event(replace(item, description="")) if item.description else chunk
            for item, chunk in zip(ordered, rendered, strict=True)
        ]
        kept, used = _prefix(bare[: _reaching(ordered, WHOLE_HORIZON)], budget)
        chunks = bare[:kept]
        for index in range(kept):
            extra = len(rendered[index]) - len(bare[index])
            if used + extra > budget:
                break  # the nearest keep theirs; the rest go bare
            chunks[index] = rendered[index]
            used += extra
        more, _ = _prefix(bare[kept:], budget - used)
        chunks += bare[kept : kept + more]
        kept += more
    if kept < len(ordered):
        chunks.append(_truncation_note(info, ordered[:kept], kept, len(ordered)))
    return header[: -len(_END)] + b"".join(chunks) + _END


def _prefix(chunks: list[bytes], budget: int) -> tuple[int, int]:
    """How many chunks, from the first, fit in the budget, and their size."""
    kept = used = 0
    while kept < len(chunks) and used + len(chunks[kept]) <= budget:
        used += len(chunks[kept])
        kept += 1
    return kept, used


def _reaching(ordered: list[FeedEvent], horizon: timedelta) -> int:
    """How many events, from the first, it takes to reach `horizon` (all, if none do)."""
    return next(
        (count for count in range(1, len(ordered) + 1) if _reaches(ordered, count, horizon)),
        len(ordered),
    )


def _reaches(ordered: list[FeedEvent], kept: int, horizon: timedelta) -> bool:
    """Whether the first `kept` events reach `horizon` past the first one."""
    if kept == 0:
        return False
    first, last = ordered[0], ordered[kept - 1]
    start = (
        first.start if first.day is None else datetime.combine(first.day, datetime.min.time(), UTC)
    )
    end = last.start if last.day is None else datetime.combine(last.day, datetime.min.time(), UTC)
    return end - start >= horizon


def _truncation_note(info: FeedInfo, kept: list[FeedEvent], count: int, total: int) -> bytes:
    """An all-day transparent event on the last kept day: what is missing, and where to look."""
    last = kept[-1] if kept else None
    stamp = max((item.stamp for item in kept), default=datetime.now(UTC))
    day = stamp.date() if last is None else (last.day or last.start.date())
    note = FeedEvent(
        uid=f"truncated-{day.isoformat()}@{info.uid_domain}",
        start=stamp,
        end=stamp,
        day=day,
        summary=info.truncated_summary,
        description=info.truncated_description.format(kept=count, total=total, url=info.url),
        stamp=stamp,
        status="",
        transparent=True,
        url=info.url,
        organizer=info.organizer,
    )
    return _event(note)
