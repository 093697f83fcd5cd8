"""Availability search: query and result schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.schemas.common import SLUG, Ids, LocalDateTime, WhenField


class AvailabilityQuerySchema(Schema):
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


class RoomAvailabilityQuerySchema(AvailabilityQuerySchema):
    """The same, for one room."""

    class Meta:
        exclude = ("capacity", "facilities", "neighbourhood", "place", "room")


class FreeSlotSchema(Schema):
    """A maximal free interval of a room, in the place's timezone."""

    room_id = fields.Integer()
    place_id = fields.Integer()
    start = LocalDateTime()
    end = LocalDateTime()


class FeedQuerySchema(Schema):
    """Options of an availability feed."""

    min_duration = fields.Integer(
        validate=validate.Range(5, 1440),
        metadata={"description": "only free slots at least this many minutes long"},
    )
