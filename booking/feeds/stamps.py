"""Every write that can change a feed stamps the place it concerns, in the same flush.

A feed's Last-Modified is the latest stamp of its places (and its time bucket). Stamps only
move forward, so Last-Modified never goes back, not even when the event that changed last
leaves the feed (made private, moved away, back to pending). A rename, a new address,
contact, position or kind raises the place's or room's `feed_revision`, which every event's
SEQUENCE includes, so calendars that key on SEQUENCE take what changed.

What a booking's event shows of other rows (its initiative's target groups in CATEGORIES,
its booker's name in a host's feed) is revised with `revise_bookings` by the service that
changes them: those events get a new SEQUENCE and LAST-MODIFIED, their feeds a new ETag,
through the booking's `feed_revision`. Its own `sequence` and `updated_at` stay: the hosts'
decision links and the history follow only changes of the booking itself.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from booking.extensions import db
from booking.models import Booking, Closure, Initiative, Neighbourhood, Place, Room, utcnow
from booking.models.booking import ACTIVE_STATUSES

# What every event of a place shows of it: LOCATION, ORGANIZER, CONTACT, GEO, CATEGORIES.
PLACE_IN_EVENTS = (
    "name",
    "street",
    "postcode",
    "city",
    "contact_email",
    "phone",
    "latitude",
    "longitude",
    "kind",
)
_installed = False


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _place_id(obj: Booking | Room | Closure) -> int | None:
    if obj.place_id is not None:
        return obj.place_id
    place = obj.__dict__.get("place")  # set through the relationship, before the flush
    return place.id if place is not None else None


def stamp_feeds(session: Session, _context: Any, _instances: Any) -> None:
    """Before each flush: stamp the places whose feeds this flush changes."""
    now = utcnow()
    places: set[int] = set()
    with session.no_autoflush:
        for obj in chain(session.new, session.dirty, session.deleted):
            if isinstance(obj, Booking | Closure):
                place_id = _place_id(obj)
                if place_id is not None:
                    places.add(place_id)
                if isinstance(obj, Booking) and obj not in session.new:
                    # A booking unlinked from an initiative changes that initiative's feed.
                    _touch_previous(session, obj, "initiative_id", Initiative, now)
            elif isinstance(obj, Room):
                place_id = _place_id(obj)
                if place_id is not None:
                    places.add(place_id)
                if obj not in session.new and _changed(obj, "name"):
                    obj.feed_revision = (obj.feed_revision or 0) + 1
                    obj.feed_revised_at = now
            elif isinstance(obj, Place) and obj not in session.deleted:
                obj.feed_changed_at = now
                if obj not in session.new:
                    if _changed(obj, *PLACE_IN_EVENTS):
                        obj.feed_revision = (obj.feed_revision or 0) + 1
                        obj.feed_revised_at = now
                    # A place that leaves a neighbourhood changes that neighbourhood's feed.
                    _touch_previous(session, obj, "neighbourhood_id", Neighbourhood, now)
        for place_id in places:
            place = session.get(Place, place_id)
            if place is not None and place not in session.deleted:
                place.feed_changed_at = now


def revise_bookings(*conditions: Any) -> int:
    """Raise SEQUENCE and LAST-MODIFIED of the active bookings matching `conditions` whose
    events are still in a feed, and stamp their places; how many places. The caller's
    transaction commits. Ended ones (cancelled, declined) are left alone: their events
    would otherwise come back into the feeds."""
    now = utcnow()
    # Feeds keep the past 30 days; older events no longer change anyone's calendar.
    in_feeds = (
        *conditions,
        Booking.status.in_(ACTIVE_STATUSES),
        Booking.end > now - timedelta(days=31),
    )
    revised = db.session.execute(
        update(Booking)
        .where(*in_feeds)
        .values(feed_revision=Booking.feed_revision + 1, feed_revised_at=now)
        .returning(Booking.place_id)
        .execution_options(synchronize_session="fetch")
    )
    places = {row[0] for row in revised}
    if places:
        db.session.execute(update(Place).where(Place.id.in_(places)).values(feed_changed_at=now))
    return len(places)


def _touch_previous(session: Session, obj: Any, attribute: str, model: Any, now: Any) -> None:
    """Stamp the row that `obj.attribute` pointed to before this flush."""
    for old in inspect(obj).attrs[attribute].history.deleted or ():
        previous = session.get(model, old) if old else None
        if previous is not None:
            previous.updated_at = now


def install_feed_stamps() -> None:
    """Register the listener once per process."""
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", stamp_feeds)
        _installed = True
