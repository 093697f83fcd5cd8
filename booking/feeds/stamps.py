"""Every write that can change a feed stamps the place it concerns, in the same flush.

A feed's Last-Modified is the latest stamp of its places (and its time bucket). Stamps only
move forward, so Last-Modified never goes back, not even when the event that changed last
leaves the feed (made private, moved away, back to pending). A rename or a new address
raises the place's or room's `feed_revision`, which every event's SEQUENCE includes, so
calendars that key on SEQUENCE take the new LOCATION.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from booking.models import Booking, Closure, Initiative, Neighbourhood, Place, Room, utcnow

PLACE_LOCATION = ("name", "street", "postcode", "city")
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
                    if _changed(obj, *PLACE_LOCATION):
                        obj.feed_revision = (obj.feed_revision or 0) + 1
                        obj.feed_revised_at = now
                    # A place that leaves a neighbourhood changes that neighbourhood's feed.
                    _touch_previous(session, obj, "neighbourhood_id", Neighbourhood, now)
        for place_id in places:
            place = session.get(Place, place_id)
            if place is not None and place not in session.deleted:
                place.feed_changed_at = now


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
