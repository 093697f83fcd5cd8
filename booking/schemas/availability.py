"""Availability search: query and result schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from booking.schemas.common import (
    SLUG,
    Day,
    DayPartSchema,
    Ids,
    LocalDateTime,
    Repeated,
    Weekdays,
    WhenField,
)
from booking.schemas.place import PLACE_KINDS
from booking.services.search.availability import RoomFreeTime
from booking.services.search.recurring import REASONS


class PlaceNeedsSchema(Schema):
    """What the place must offer (repeated values: any of them)."""

    step_free = fields.Boolean(metadata={"description": "a step-free entrance"})
    ground_floor = fields.Boolean()
    accessible_toilet = fields.Boolean()
    kind = Repeated(fields.String(validate=validate.OneOf(PLACE_KINDS)))
    target_group = Repeated(
        fields.String(validate=validate.Length(min=1, max=40)),
        metadata={"description": "places that welcome any of these groups"},
    )


class AvailabilityQuerySchema(PlaceNeedsSchema, DayPartSchema):
    """Where and when to look for free time, and what the room must offer."""

    from_ = WhenField(
        data_key="from",
        metadata={"type": "string", "description": "date (place's timezone) or time; default now"},
    )
    to = WhenField(
        metadata={
            "type": "string",
            "description": "date (inclusive) or time (exclusive); default from + 7 days; "
            "at most 62 days after from",
        }
    )
    min_duration = fields.Integer(
        validate=validate.Range(5, 1440),
        metadata={"description": "minutes; at least the room's own minimum"},
    )
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    facilities = fields.List(
        fields.String(validate=[validate.Length(min=1, max=40), SLUG]),
        validate=validate.Length(max=20),
    )
    neighbourhood = Ids(metadata={"description": "repeat for any of several"})
    place = Ids(metadata={"description": "repeat for any of several"})
    room = Ids(metadata={"description": "repeat for any of several"})
    group = fields.String(
        validate=validate.OneOf(["room"]),
        metadata={
            "description": "room: one row per room (names, capacity, free intervals); a page "
            "is page_size rooms, and only those are computed"
        },
    )


class RoomAvailabilityQuerySchema(AvailabilityQuerySchema):
    """The same, for one room."""

    class Meta:
        exclude = (
            "capacity",
            "facilities",
            "neighbourhood",
            "place",
            "room",
            "step_free",
            "ground_floor",
            "accessible_toilet",
            "kind",
            "target_group",
            "group",
        )


class FreeSlotSchema(Schema):
    """A maximal free interval of a room, in the place's timezone."""

    room_id = fields.Integer()
    place_id = fields.Integer()
    start = LocalDateTime()
    end = LocalDateTime()


class FreeIntervalSchema(Schema):
    """A free interval inside a room's row."""

    start = LocalDateTime()
    end = LocalDateTime()


class RoomFreeTimeSchema(Schema):
    """With `group=room`: one row per room, its place and room names, capacity, and its free
    intervals (empty when it has none)."""

    room_id = fields.Integer(attribute="room.id")
    room_name = fields.String(attribute="room.name")
    place_id = fields.Integer(attribute="room.place_id")
    place_name = fields.String(attribute="room.place.name")
    capacity = fields.Integer(attribute="room.capacity")
    free = fields.List(fields.Nested(FreeIntervalSchema))


class AvailabilityAnswerSchema(FreeSlotSchema):
    """Free intervals; with `group=room`, rooms with their intervals (RoomFreeTime)."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Each row as what it is: a free interval, or a room with its intervals."""
        rows = list(obj)
        if rows and isinstance(rows[0], RoomFreeTime):
            return RoomFreeTimeSchema(many=True).dump(rows)
        return super().dump(rows, many=many)


class FeedQuerySchema(Schema):
    """Options of an availability feed."""

    min_duration = fields.Integer(
        validate=validate.Range(5, 1440),
        metadata={"description": "only free slots at least this many minutes long"},
    )


class RecurringQuerySchema(PlaceNeedsSchema, DayPartSchema):
    """A weekly pattern, and what the room must offer; `time_of_day` or `between`, when
    given, must hold the pattern's time."""

    weekdays = Weekdays(required=True, metadata={"description": "repeat, or tu,th"})
    start_time = fields.Time(
        required=True, format="%H:%M", metadata={"description": "local wall-clock time, 19:00"}
    )
    duration = fields.Integer(required=True, validate=validate.Range(5, 1440))
    from_ = Day(data_key="from", metadata={"description": "first date; default today"})
    until = Day(metadata={"description": "last date, inclusive"})
    weeks = fields.Integer(validate=validate.Range(1, 52), metadata={"description": "or: weeks"})
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    facilities = fields.List(
        fields.String(validate=[validate.Length(min=1, max=40), SLUG]),
        validate=validate.Length(max=20),
    )
    neighbourhood = Ids()
    place = Ids()
    room = Ids()


class TakenDateSchema(Schema):
    """A date of the pattern the room cannot have, and why."""

    date = fields.Date()
    reason = fields.String(metadata={"enum": list(REASONS)})


class RecurringRoomSchema(Schema):
    """A room's answer to a weekly pattern, and a series body that books it."""

    room_id = fields.Integer()
    place_id = fields.Integer()
    free_dates = fields.List(fields.Date())
    taken_dates = fields.List(fields.Nested(TakenDateSchema))
    total_dates = fields.Integer()
    series = fields.Dict(metadata={"description": "a ready POST /series body"})
