"""What each feed shows: a cheap version (for ETag and Last-Modified) and its events.

Every feed is computed as of a time bucket (the hour, or the day for public booking
feeds), so its content is a function of the data and the bucket, and the version can be
known without rendering it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import selectinload

from booking.config import DEFAULT_TIMEZONE
from booking.errors import NotFound
from booking.extensions import db
from booking.feeds.render import FeedEvent, FeedInfo
from booking.labels import BOOKING_STATUSES, group_label, kind_label
from booking.models import (
    Account,
    Booking,
    BookingEvent,
    Closure,
    FeedToken,
    Initiative,
    Neighbourhood,
    Place,
    Room,
    utcnow,
)
from booking.models.booking import CANCELLED, CONFIRMED, DECLINED, EXPIRED, PENDING
from booking.services.calendar.atoms import atom_ids
from booking.services.calendar.holiday_names import holiday_name
from booking.services.calendar.opening_hours import open_intervals
from booking.services.common import get_or_404
from booking.services.search.availability import AvailabilityFilter, find_availability

PAST = timedelta(days=30)
AHEAD = timedelta(days=365)
# Cancelled (and declined, expired) events stay this long, then leave the feed.
CANCELLED_KEPT = timedelta(days=30)
AVAILABILITY_DAYS = 56
STATUS = {CONFIRMED: "CONFIRMED", PENDING: "TENTATIVE"}
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """A feed as of its time bucket: identity, version, and how to produce its events."""

    info: FeedInfo
    version: tuple[Any, ...]
    last_modified: datetime
    private: bool
    events: Callable[[], list[FeedEvent]]

    @property
    def etag(self) -> str:
        """The validator: the same version always renders the same events."""
        return hashlib.sha256(repr(self.version).encode()).hexdigest()[:32]


def _bucket(now: datetime, size: timedelta) -> datetime:
    return _EPOCH + ((now - _EPOCH) // size) * size


def _latest(*stamps: datetime | None) -> datetime:
    return max(stamp for stamp in stamps if stamp is not None)


def get_locale_name() -> str:
    """The language of this rendering (part of every version: nl and en differ)."""
    return str(get_locale() or "nl")


def base_url() -> str:
    """The installation's public address (never the request's Host header)."""
    return str(current_app.config["PUBLIC_BASE_URL"])


def uid_domain() -> str:
    """The host name in every UID, so two installations never share one."""
    return urlsplit(base_url()).hostname or "wijkruimte"


def booking_uid(booking_id: int) -> str:
    """The UID of a booking in every feed and mail: stable for the booking's life."""
    return f"booking-{booking_id}@{uid_domain()}"


def _location(booking: Booking) -> str:
    place = booking.place
    parts = [booking.room.name, place.name, place.street, f"{place.postcode} {place.city}"]
    return ", ".join(part.strip() for part in parts if part.strip())


def _installation_address() -> str:
    _name, address = parseaddr(str(current_app.config["MAIL_FROM"]))
    return address or f"noreply@{uid_domain()}"


def _organizer(place: Place) -> tuple[str, str]:
    """The place organises what happens there: its contact address, or the no-reply one."""
    return place.name, place.contact_email or _installation_address()


def _contact(place: Place) -> str:
    return ", ".join(
        part for part in (place.name, place.phone or "", place.contact_email or "") if part
    )


def _geo(place: Place) -> tuple[float, float] | None:
    if place.latitude is None or place.longitude is None:
        return None
    return (place.latitude, place.longitude)


def activity_url(booking: Booking) -> str:
    """Where people read about a booking: its public page (its series' page for a date of a
    series), or, for a private or unconfirmed one, its place's page."""
    return _activity_url(booking, booking.visibility, booking.status)


def _activity_url(booking: Booking, visibility: str, status: str) -> str:
    if visibility == "public" and status == CONFIRMED:
        if booking.series_id is not None:
            return f"{base_url()}/activiteiten/reeks/{booking.series_id}"
        return f"{base_url()}/activiteiten/{booking.id}"
    return place_url(booking.place)


def place_url(place: Place) -> str:
    """A place's page for people."""
    return f"{base_url()}/plekken/{place.slug}"


def _ended_unwritten(booking: Booking, now: datetime) -> bool:
    """A pending request whose start passed reads as expired before anyone writes it so."""
    return booking.status == PENDING and booking.status_at(now) == EXPIRED


def _event_stamp(booking: Booking, now: datetime) -> datetime:
    stamp = _latest(
        booking.updated_at,
        booking.feed_revised_at,
        booking.place.feed_revised_at,
        booking.room.feed_revised_at,
    )
    return _latest(stamp, booking.start) if _ended_unwritten(booking, now) else stamp


def _sequence(booking: Booking, now: datetime) -> int:
    """Rises with every change of the booking, of what it shows of others (its booker's
    name, its target groups), and of the names and address in LOCATION."""
    return (
        booking.sequence
        + booking.feed_revision
        + booking.place.feed_revision
        + booking.room.feed_revision
        + (1 if _ended_unwritten(booking, now) else 0)
    )


def _titled(status: str, title: str) -> str:
    """A title that says what became of the booking, when it is not simply on; a booking
    with no title left (its booker's account was erased) says only that: "Afgelast"."""
    if status == PENDING:
        text = str(_("Requested: %(title)s", title=title))
    elif status == DECLINED:
        text = str(_("Declined: %(title)s", title=title))
    elif status == EXPIRED:
        text = str(_("Expired: %(title)s", title=title))
    elif status == CANCELLED:
        text = str(_("Cancelled: %(title)s", title=title))
    else:
        return title
    return text if title else text.rstrip().rstrip(":")


@dataclass(frozen=True)
class AsMailed:
    """What a mail's calendar file shows of a booking: the event's snapshot of it, so that
    every part of the file (title prefix, STATUS, times, URL, SEQUENCE) is of one moment."""

    title: str
    description: str
    start: datetime
    end: datetime
    status: str
    visibility: str
    sequence: int

    @classmethod
    def of(cls, snapshot: Mapping[str, Any], booking: Booking) -> AsMailed:
        """From an event's payload; a field an older payload lacks comes from the booking."""
        return cls(
            title=str(snapshot.get("title", booking.title)),
            description=str(snapshot.get("description", booking.description)),
            start=datetime.fromisoformat(snapshot["start"]),
            end=datetime.fromisoformat(snapshot["end"]),
            status=str(snapshot["status"]),
            visibility=str(snapshot.get("visibility", booking.visibility)),
            sequence=int(snapshot["sequence"])
            + int(snapshot.get("feed_revision", booking.feed_revision))
            + booking.place.feed_revision
            + booking.room.feed_revision,
        )


def booking_event(
    booking: Booking,
    now: datetime,
    *,
    details: bool,
    host_view: bool = False,
    private_feed: bool = False,
    target_groups: tuple[str, ...] = (),
    as_mailed: AsMailed | None = None,
) -> FeedEvent:
    """A booking as a VEVENT. Without `details` (a private booking in a public feed) it is a
    busy block; hosts also see the booker's contact; cancelled ones say so in the title.
    `as_mailed` is the booking as an event saw it, for a mail's file."""
    seen = as_mailed or AsMailed(
        title=booking.title,
        description=booking.description,
        start=booking.start,
        end=booking.end,
        status=booking.status_at(now),
        visibility=booking.visibility,
        sequence=_sequence(booking, now),
    )
    status = STATUS.get(seen.status, "CANCELLED")
    place = booking.place
    lines: list[str] = []
    summary = seen.title
    url = _activity_url(booking, seen.visibility, seen.status) if details else place_url(place)
    if not details:
        summary = _("Busy")
    else:
        if seen.description:
            lines.append(seen.description)
        if host_view:
            booker = booking.booked_by
            lines.append(_("Booked by %(name)s <%(email)s>", name=booker.name, email=booker.email))
            label = BOOKING_STATUSES.get(seen.status, seen.status)
            lines.append(_("Status: %(status)s", status=str(label)))
        if booking.signup_capacity is not None and seen.status == CONFIRMED:
            # Only where to sign up, never how many: a sign-up must not change every
            # subscriber's ETag.
            lines.append(_("Sign up: %(url)s", url=url))
        lines.append(_("More: %(url)s", url=url))
    # Google shows a cancelled or tentative event inconsistently: the title says it too,
    # in the words of what happened (declined and expired are not cancellations).
    summary = _titled(seen.status, summary)
    classification = ""
    if not details:
        classification = "CONFIDENTIAL"
    elif private_feed and seen.visibility == "private":
        classification = "PRIVATE"
    return FeedEvent(
        uid=booking_uid(booking.id),
        start=seen.start,
        end=seen.end,
        summary=summary,
        description="\n".join(lines),
        location=_location(booking),
        status=status,
        sequence=seen.sequence,
        stamp=_event_stamp(booking, now),
        transparent=status == "CANCELLED",
        classification=classification,
        url=url,
        organizer=_organizer(place),
        contact=_contact(place),
        # In the feed's language: "buurthuis" and "jongeren" in Dutch, as a person reads them.
        categories=tuple(
            [kind_label(place.kind), *(map(group_label, target_groups) if details else ())]
        ),
        created=booking.created_at,
        related_to=f"series-{booking.series_id}@{uid_domain()}"
        if booking.series_id and details
        else "",
        geo=_geo(place),
    )


def public_event(booking: Booking, now: datetime, target_groups: tuple[str, ...] = ()) -> FeedEvent:
    """A booking as everyone may see it: a private one is only a busy block."""
    return booking_event(
        booking, now, details=booking.visibility == "public", target_groups=target_groups
    )


def involved_event(
    booking: Booking, now: datetime, host_view: bool, as_mailed: AsMailed | None = None
) -> FeedEvent:
    """A booking as its booker or host sees it; hosts also get the booker's contact."""
    return booking_event(
        booking, now, details=True, host_view=host_view, private_feed=True, as_mailed=as_mailed
    )


def _in_window(now: datetime) -> list[ColumnElement[bool]]:
    return _between(now + AHEAD, now - PAST)


def _between(until: Any, since: Any) -> list[ColumnElement[bool]]:
    """Bookings that start before `until` and end after `since` (values or parameters)."""
    return [Booking.start < until, Booking.end > since]


def _public_rows(now: datetime) -> ColumnElement[bool]:
    """Confirmed bookings, and recently cancelled ones that had been confirmed."""
    return _public_since(now - CANCELLED_KEPT)


def _public_since(kept_since: Any) -> ColumnElement[bool]:
    """Confirmed bookings, and those cancelled since `kept_since` that had been confirmed."""
    was_confirmed = exists().where(
        BookingEvent.booking_id == Booking.id, BookingEvent.to_status == CONFIRMED
    )
    return or_(
        Booking.status == CONFIRMED,
        (Booking.status == CANCELLED) & (Booking.updated_at >= kept_since) & was_confirmed,
    )


def _involved_rows(now: datetime) -> ColumnElement[bool]:
    """Active bookings, and recently ended requests and bookings (shown as cancelled)."""
    return or_(
        Booking.status.in_([PENDING, CONFIRMED]),
        Booking.updated_at >= now - CANCELLED_KEPT,
    )


def _version(
    conditions: list[ColumnElement[bool]], places: ColumnElement[bool] | None
) -> tuple[int, datetime | None, datetime | None]:
    """In one query: how many bookings, their last change (of their own, or of what they
    show of others), and the places' feed stamp."""
    columns: list[Any] = [
        func.count(Booking.id),
        func.max(Booking.updated_at),
        func.max(Booking.feed_revised_at),
    ]
    if places is not None:
        columns.append(select(func.max(Place.feed_changed_at)).where(places).scalar_subquery())
    row = db.session.execute(select(*columns).where(*conditions)).one()
    changed = [stamp for stamp in row[1:3] if stamp is not None]
    return int(row[0]), max(changed, default=None), row[3] if places is not None else None


def _rows(conditions: list[ColumnElement[bool]]) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(*conditions)
            .options(
                selectinload(Booking.room),
                selectinload(Booking.place),
                selectinload(Booking.booked_by),
            )
            .order_by(Booking.start, Booking.id)
        )
    )


def _target_groups(rows: list[Booking]) -> dict[int, tuple[str, ...]]:
    ids = {row.initiative_id for row in rows if row.initiative_id is not None}
    if not ids:
        return {}
    found = db.session.execute(
        select(Initiative.id, Initiative.target_groups).where(Initiative.id.in_(ids))
    )
    return {initiative_id: tuple(groups or ()) for initiative_id, groups in found}


def _public_events(conditions: list[ColumnElement[bool]], day: datetime) -> list[FeedEvent]:
    rows = _rows(conditions)
    groups = _target_groups(rows)
    return [public_event(row, day, groups.get(row.initiative_id or 0, ())) for row in rows]


def _all_day(
    place: Place, uid: str, first: date, last: date, summary: str, stamp: datetime
) -> FeedEvent:
    return FeedEvent(
        organizer=_organizer(place),
        uid=uid,
        start=stamp,
        end=stamp,
        day=first,
        days=(last - first).days + 1,
        summary=summary,
        stamp=stamp,
        status="",
        transparent=True,
    )


def _closed_days(
    place: Place, atoms: frozenset[int] | None, day: datetime, room_hours: str | None = None
) -> list[FeedEvent]:
    """Closures and public holidays as all-day transparent events, so nobody plans into them.

    `atoms`: the room whose feed this is (a closure of a room sharing a part counts); None for
    the whole place.
    """
    return closed_days(place, atoms, day - PAST, day + AHEAD, room_hours)


def closed_days(
    place: Place,
    atoms: frozenset[int] | None,
    start: datetime,
    end: datetime,
    room_hours: str | None = None,
) -> list[FeedEvent]:
    """Closures, and public holidays on which the place (or the room, by `room_hours`) is
    closed, touching [start, end), as all-day events."""
    zone = place.zone
    events = []
    closures = db.session.scalars(
        select(Closure)
        .where(Closure.place_id == place.id, Closure.start < end, Closure.end > start)
        .options(selectinload(Closure.rooms).selectinload(Room.parts))
        .order_by(Closure.start)
    )
    for closure in closures:
        closes = atom_ids(*closure.rooms)
        if atoms is not None and closure.rooms and not closes & atoms:
            continue
        first = closure.start.astimezone(zone).date()
        last = (closure.end - timedelta(microseconds=1)).astimezone(zone).date()
        summary = _("Closed: %(reason)s", reason=closure.reason) if closure.reason else _("Closed")
        events.append(
            _all_day(
                place,
                f"closure-{closure.id}@{uid_domain()}",
                first,
                last,
                summary,
                closure.updated_at,
            )
        )
    # One event per holiday day (26 December, Easter and Whit Monday follow their first
    # days), and only where the place (or room) is closed that day.
    hours = place.opening_hours if room_hours is None else room_hours
    stamp = _latest(place.created_at, place.feed_revised_at)
    for holiday_start, holiday_end in open_intervals("PH", zone, start, end):
        day = holiday_start.astimezone(zone).date()
        last = (holiday_end - timedelta(microseconds=1)).astimezone(zone).date()
        while day <= last:
            midnight = datetime.combine(day, datetime.min.time(), zone)
            if not open_intervals(hours, zone, midnight, midnight + timedelta(days=1)):
                events.append(
                    _all_day(
                        place,
                        f"holiday-{day.isoformat()}@{uid_domain()}",
                        day,
                        day,
                        holiday_name(day, get_locale_name()) or _("Public holiday"),
                        stamp,
                    )
                )
            day += timedelta(days=1)
    return events


def _public_feed(
    key: tuple[Any, ...],
    info: FeedInfo,
    conditions: list[ColumnElement[bool]],
    places: ColumnElement[bool],
    now: datetime,
    own_stamps: tuple[datetime | None, ...] = (),
    closed: Callable[[datetime], list[FeedEvent]] | None = None,
) -> Feed:
    day = _bucket(now, timedelta(days=1))
    conditions = [*conditions, *_in_window(day), _public_rows(day)]
    count, latest, stamp = _version(conditions, places)
    return Feed(
        info=info,
        version=(*key, get_locale_name(), day, count, latest, stamp, *own_stamps),
        last_modified=_latest(day, stamp, *own_stamps),
        private=False,
        events=lambda: [
            *_public_events(conditions, day),
            *(closed(day) if closed is not None else []),
        ],
    )


def _info(name: str, zone: str, description: str, path: str) -> FeedInfo:
    return FeedInfo(
        name=name,
        timezone=zone,
        description=description,
        truncated_summary=_("More activities: see the feed's page"),
        truncated_description=_(
            "%(kept)s of %(total)s events fit in this calendar; the later ones are at %(url)s",
            kept="{kept}",
            total="{total}",
            url="{url}",
        ),
        url=f"{base_url()}{path}",
        uid_domain=uid_domain(),
        organizer=("Wijkruimte", _installation_address()),
    )


def place_feed(place_id: int, now: datetime | None = None) -> Feed:
    """Confirmed bookings at a place (private ones as busy blocks), closures and holidays.

    One primary-key read finds the place and its validators, so a conditional request that
    ends in a 304 costs no more than that; the events are read only when it is rendered.
    """
    day = _bucket(now or utcnow(), timedelta(days=1))
    found = db.session.execute(
        select(Place.name, Place.timezone, Place.feed_changed_at, Place.slug).where(
            Place.id == place_id, Place.archived_at.is_(None)
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"Place {place_id} does not exist.")
    name, zone, stamp, slug = found
    info = _info(
        _("%(place)s: bookings", place=name),
        zone,
        _("Bookings at %(place)s.", place=name),
        f"/plekken/{slug}",
    )

    def events() -> list[FeedEvent]:
        place = get_or_404(Place, place_id)
        conditions = [Booking.place_id == place_id, *_in_window(day), _public_rows(day)]
        return [*_public_events(conditions, day), *_closed_days(place, None, day)]

    return Feed(
        info=info,
        # Every write that changes this feed stamps the place in the same flush
        # (booking/feeds/stamps.py), and what the day changes is in `day`: the stamp is
        # the whole version, read from the place's row by its primary key.
        version=("place", place_id, get_locale_name(), day, _utc(stamp)),
        last_modified=_latest(day, _utc(stamp)),
        private=False,
        events=events,
    )


def _utc(value: datetime | None) -> datetime | None:
    """A stamp as an aware UTC instant, whichever way the row came back."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def room_feed(room_id: int, now: datetime | None = None) -> Feed:
    """Confirmed bookings that occupy a room: its own, and those of rooms sharing a part."""
    room = get_or_404(Room, room_id)
    atoms = atom_ids(room)
    related = [other.id for other in room.place.rooms if atoms & atom_ids(other)]
    info = _info(
        f"{room.name}, {room.place.name}",
        room.place.timezone,
        _("Bookings that occupy %(room)s at %(place)s.", room=room.name, place=room.place.name),
        f"/plekken/{room.place.slug}",
    )
    return _public_feed(
        ("room", room.id, tuple(sorted(related))),
        info,
        [Booking.room_id.in_(related)],
        Place.id == room.place_id,
        now or utcnow(),
        closed=lambda day: _closed_days(room.place, atoms, day, room.effective_opening_hours),
    )


def neighbourhood_feed(neighbourhood_id: int, now: datetime | None = None) -> Feed:
    """Public confirmed activities at every place in a neighbourhood."""
    neighbourhood = get_or_404(Neighbourhood, neighbourhood_id)
    places = select(Place.id).where(Place.neighbourhood_id == neighbourhood.id)
    info = _info(
        _("%(neighbourhood)s: activities", neighbourhood=neighbourhood.name),
        DEFAULT_TIMEZONE,
        _(
            "Public activities in %(neighbourhood)s, %(city)s.",
            neighbourhood=neighbourhood.name,
            city=neighbourhood.city,
        ),
        f"/wijken/{neighbourhood.slug}",
    )
    return _public_feed(
        ("neighbourhood", neighbourhood.id),
        info,
        [Booking.place_id.in_(places), Booking.visibility == "public"],
        Place.neighbourhood_id == neighbourhood.id,
        now or utcnow(),
        own_stamps=(neighbourhood.updated_at,),
    )


def initiative_feed(initiative_id: int, now: datetime | None = None) -> Feed:
    """Public confirmed activities of an initiative, wherever they take place."""
    initiative = get_or_404(Initiative, initiative_id)
    places = select(Booking.place_id).where(Booking.initiative_id == initiative.id)
    info = _info(
        initiative.title,
        DEFAULT_TIMEZONE,
        _("Activities of the initiative %(title)s.", title=initiative.title),
        f"/initiatieven/{initiative.id}",
    )
    return _public_feed(
        ("initiative", initiative.id),
        info,
        [Booking.initiative_id == initiative.id, Booking.visibility == "public"],
        Place.id.in_(places),
        now or utcnow(),
        own_stamps=(initiative.updated_at,),
    )


def availability_feed(
    *,
    place_id: int | None = None,
    neighbourhood_id: int | None = None,
    min_duration: int | None = None,
    now: datetime | None = None,
) -> Feed:
    """Free rooms for the next eight weeks: one all-day transparent event per place and day,
    listing each room's free windows exactly as /availability gives them at this minute."""
    minute = _bucket(now or utcnow(), timedelta(minutes=1))
    if place_id is not None:
        place = get_or_404(Place, place_id)
        where: ColumnElement[bool] = Place.id == place.id
        title, zone, path = place.name, place.timezone, f"/plekken/{place.slug}"
    elif neighbourhood_id is not None:
        neighbourhood = get_or_404(Neighbourhood, neighbourhood_id)
        where = Place.neighbourhood_id == neighbourhood.id
        title, zone = neighbourhood.name, DEFAULT_TIMEZONE
        path = f"/wijken/{neighbourhood.slug}"
    else:
        raise ValueError("an availability feed is for a place or a neighbourhood")
    stamp = db.session.scalar(select(func.max(Place.feed_changed_at)).where(where))
    filters = AvailabilityFilter(
        from_=minute,
        to=minute + timedelta(days=AVAILABILITY_DAYS),
        min_duration=min_duration,
        place=(place_id,) if place_id is not None else (),
        neighbourhood=(neighbourhood_id,) if neighbourhood_id is not None else (),
    )
    info = _info(
        _("%(name)s: free rooms", name=title),
        zone,
        _("Free rooms at %(name)s in the next eight weeks.", name=title),
        path,
    )
    return Feed(
        info=info,
        # The content is what /availability answers during this minute.
        version=(
            "free",
            place_id,
            neighbourhood_id,
            min_duration,
            get_locale_name(),
            minute,
            stamp,
        ),
        last_modified=_latest(minute, stamp),
        private=False,
        events=lambda: free_day_events(where, filters, minute),
    )


def free_day_events(
    where: ColumnElement[bool], filters: AvailabilityFilter, minute: datetime
) -> list[FeedEvent]:
    """One event per place and local day with every free room's own windows. Rooms free at
    the same times share a line, a hall with its parts: "Zaal A, Zaal B (also together as
    Zaal A+B): 09:00-22:00"; the title counts every free room."""
    # Within the minute [m, m + 1 min) every grid and notice gives the same first slot.
    slots = find_availability(filters, now=minute + timedelta(microseconds=1))
    rooms = {
        room.id: room
        for room in db.session.scalars(
            select(Room).join(Place).where(where).options(selectinload(Room.parts))
        )
    }
    free: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for slot in slots:
        free[slot.room_id].append((slot.start, slot.end))
    by_day: dict[tuple[int, date], list[tuple[Room, datetime, datetime]]] = defaultdict(list)
    for room_id, intervals in free.items():
        room = rooms[room_id]
        zone = room.zone
        for start, end in intervals:
            by_day[(room.place_id, start.astimezone(zone).date())].append((room, start, end))
    sequence = int((minute - _EPOCH).total_seconds() // 60)
    events = []
    for (place_id, day), windows in sorted(
        by_day.items(), key=lambda item: (item[0][1], item[0][0])
    ):
        place = windows[0][0].place
        lines = _free_lines(windows, place.zone)
        rooms_free = len({w[0].id for w in windows})
        lines.append(_("More: %(url)s", url=place_url(place)))
        events.append(
            FeedEvent(
                uid=f"free-{place_id}-{day.isoformat()}@{uid_domain()}",
                start=minute,
                end=minute,
                day=day,
                summary=ngettext(
                    "Free at %(place)s: %(num)d room",
                    "Free at %(place)s: %(num)d rooms",
                    rooms_free,
                    place=place.name,
                ),
                description="\n".join(lines),
                location=", ".join(
                    p
                    for p in (place.name, place.street, f"{place.postcode} {place.city}".strip())
                    if p
                ),
                stamp=minute,
                sequence=sequence,
                status="",
                transparent=True,
                url=place_url(place),
                geo=_geo(place),
                organizer=_organizer(place),
            )
        )
    return events


def _free_lines(windows: list[tuple[Room, datetime, datetime]], zone: ZoneInfo) -> list[str]:
    """One line per set of times, naming every room free then; a hall free with all its
    parts reads as its parts, "also together as" the hall."""
    spans_of: dict[int, str] = {}
    for room in {w[0] for w in windows}:
        spans_of[room.id] = ", ".join(
            f"{s.astimezone(zone):%H:%M}\u2013{e.astimezone(zone):%H:%M}"
            for r, s, e in sorted(windows, key=lambda w: w[1])
            if r.id == room.id
        )
    by_spans: dict[str, list[Room]] = defaultdict(list)
    for room in sorted({w[0] for w in windows}, key=lambda r: r.name):
        by_spans[spans_of[room.id]].append(room)
    lines = []
    for spans, together in sorted(by_spans.items(), key=lambda item: item[1][0].name):
        names = []
        listed: set[int] = set()
        for hall in (room for room in together if room.parts):
            parts = [part for part in hall.parts if part.id in {r.id for r in together}]
            if parts and len(parts) == len(hall.parts):
                named = ", ".join(part.name for part in sorted(parts, key=lambda r: r.name))
                names.append(
                    str(_("%(rooms)s (also together as %(hall)s)", rooms=named, hall=hall.name))
                )
                listed |= {hall.id, *(part.id for part in parts)}
        names += [room.name for room in together if room.id not in listed]
        lines.append(f"{', '.join(names)}: {spans}")
    return lines


def private_feed(token: FeedToken, now: datetime | None = None) -> Feed:
    """Everything the token's owner may see: own bookings, and (hosts) their places'."""
    hour = _bucket(now or utcnow(), timedelta(hours=1))
    account: Account = token.account
    hosted = account.hosted_place_ids if token.include_hosted else []
    mine = Booking.booked_by_id == account.id
    scope = or_(mine, Booking.place_id.in_(hosted)) if hosted else mine
    conditions = [scope, *_in_window(hour), _involved_rows(hour)]
    involved_places = or_(
        Place.id.in_(hosted),
        Place.id.in_(select(Booking.place_id).where(mine)),
    )
    count, latest, stamp = _version(conditions, involved_places)
    hosted_set = set(hosted)

    def events() -> list[FeedEvent]:
        return [
            involved_event(b, hour, host_view=b.place_id in hosted_set) for b in _rows(conditions)
        ]

    return Feed(
        info=_info(
            _("Wijkruimte: %(name)s", name=account.name),
            DEFAULT_TIMEZONE,
            _("Your bookings and the requests at the places you host.")
            if hosted
            else _("Your bookings."),
            "/mijn",
        ),
        version=(
            "private",
            token.id,
            get_locale_name(),
            hour,
            count,
            latest,
            stamp,
            account.updated_at,
        ),
        last_modified=_latest(hour, stamp, account.updated_at),
        private=True,
        events=events,
    )
