"""Rooms of a place, including combinable rooms made of parts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from booking.errors import Conflict, Invalid
from booking.extensions import db
from booking.models import Booking, Place, Room, utcnow
from booking.services.authorization import Actor, require_place_manager
from booking.services.booking import affected
from booking.services.booking.booking_access import refuse_if_booked
from booking.services.booking.policy import check_policy, merge_policy
from booking.services.calendar.opening_hours import validate_opening_hours
from booking.services.common import get_or_404

MAX_PARTS = 12


def list_rooms(place: Place) -> list[Room]:
    """The rooms of a place."""
    return list(db.session.scalars(select(Room).where(Room.place_id == place.id).order_by(Room.id)))


def get_room(room_id: int) -> Room:
    """One room."""
    return get_or_404(Room, room_id)


def _resolve_parts(room: Room, part_ids: list[int]) -> list[Room]:
    if not part_ids:
        return []
    if len(part_ids) > MAX_PARTS or len(set(part_ids)) != len(part_ids):
        raise Invalid(
            "A combinable room needs distinct parts, at most 12.",
            code="invalid_parts",
            errors={"part_ids": ["Distinct ids, at most 12."]},
        )
    if len(part_ids) == 1:
        raise Invalid(
            "A combinable room consists of at least two parts.",
            code="invalid_parts",
            errors={"part_ids": ["At least two parts, or none."]},
        )
    if room.id is not None and room.id in part_ids:
        raise Invalid(
            "A room cannot be a part of itself.",
            code="invalid_parts",
            errors={"part_ids": ["A room cannot be a part of itself."]},
        )
    if room.combinations:
        raise Invalid(
            "This room is itself a part of a combinable room and cannot have parts.",
            code="invalid_parts",
            errors={"part_ids": ["Parts cannot be nested."]},
        )
    parts = list(db.session.scalars(select(Room).where(Room.id.in_(part_ids)).order_by(Room.id)))
    problems = []
    found = {part.id for part in parts}
    problems += [f"Room {pid} does not exist." for pid in part_ids if pid not in found]
    problems += [
        f"Room {part.id} belongs to another place."
        for part in parts
        if part.place_id != room.place.id
    ]
    problems += [f"Room {part.id} has parts itself." for part in parts if part.parts]
    if problems:
        raise Invalid(" ".join(problems), code="invalid_parts", errors={"part_ids": problems})
    return parts


def _apply(room: Room, data: dict[str, Any]) -> None:
    with db.session.no_autoflush:  # a new room is incomplete until every field is set
        _apply_fields(room, dict(data))


def _apply_fields(room: Room, data: dict[str, Any]) -> None:
    if "part_ids" in data:
        parts = _resolve_parts(room, data.pop("part_ids") or [])
        if room.id is not None and [p.id for p in parts] != room.part_ids:
            refuse_if_booked(utcnow(), "This room", Booking.room_id == room.id)
        room.parts = parts
    if "policy" in data:
        overrides = merge_policy(room.policy_overrides or {}, data.pop("policy") or {})
        check_policy({**room.place.policy, **overrides})
        room.policy_overrides = overrides
    if data.get("opening_hours") is not None:
        data["opening_hours"] = validate_opening_hours(data["opening_hours"])
    for key, value in data.items():
        setattr(room, key, value)


def create_room(actor: Actor, place_id: int, data: dict[str, Any]) -> Room:
    """Add a room to a place (its hosts and admins)."""
    place = get_or_404(Place, place_id)
    require_place_manager(actor, place)
    room = Room(place=place, policy_overrides={})
    _apply(room, data)
    db.session.add(room)
    db.session.flush()
    return room


def update_room(actor: Actor, room_id: int, data: dict[str, Any]) -> Room:
    """Change a room (hosts of its place and admins).

    New opening hours, or `bookable: false`, answer with `affected_bookings` (see
    `update_place`); `cancel_affected` cancels them.
    """
    room = get_room(room_id)
    require_place_manager(actor, room.place)
    data = dict(data)
    cancel_them = data.pop("cancel_affected", False)
    was_bookable = room.bookable
    _apply(room, data)
    db.session.flush()
    now = utcnow()
    hit = []
    what = ""
    if was_bookable and data.get("bookable") is False:
        hit, what = affected.bookings_of_room(room, now), "not_bookable"
    elif "opening_hours" in data:
        hit, what = affected.outside_opening_hours(room.place, now, room), "opening_hours"
    if what:
        room.affected_bookings = affected.answer_change(  # type: ignore[attr-defined]
            actor, room.place, what, hit, cancel_them
        )
    return room


def delete_room(actor: Actor, room_id: int) -> None:
    """Delete a room that is not part of a combinable room (hosts and admins)."""
    room = get_room(room_id)
    require_place_manager(actor, room.place)
    if room.combinations:
        names = ", ".join(combined.name for combined in room.combinations)
        raise Conflict(
            f"This room is a part of {names}; change or delete that first.",
            code="room_is_part",
        )
    refuse_if_booked(utcnow(), "This room", Booking.room_id == room.id)
    db.session.delete(room)
