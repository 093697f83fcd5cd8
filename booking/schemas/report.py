"""Usage reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.schemas.common import Day, Ids


class UsageQuerySchema(Schema):
    """The dates to report on (inclusive, in each place's timezone) and the output format."""

    from_ = Day(data_key="from", required=True)
    to = Day(required=True)
    neighbourhood = Ids(metadata={"description": "repeat for any of several"})
    place = Ids(metadata={"description": "repeat for any of several"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class UsageFiguresSchema(Schema):
    """The figures of a place (in atomic room-hours) or of a room (in its hours)."""

    open_hours = fields.Function(lambda usage: round(usage.open_hours, 2))
    booked_hours = fields.Function(lambda usage: round(usage.booked_hours, 2))
    occupancy = fields.Float(allow_none=True, metadata={"description": "booked / open"})
    activities = fields.Integer(metadata={"description": "confirmed bookings"})
    initiatives = fields.Integer(metadata={"description": "distinct initiatives"})
    bookings_per_target_group = fields.Function(
        lambda usage: dict(sorted(usage.per_target_group.items())),
        metadata={"description": "confirmed bookings per target group of their initiative"},
    )
    cancelled = fields.Integer()
    declined = fields.Integer()


class RoomUsageSchema(UsageFiguresSchema):
    """One room's usage."""

    room_id = fields.Integer()
    name = fields.String()


class PlaceUsageSchema(UsageFiguresSchema):
    """One place's usage, with its rooms."""

    place_id = fields.Integer()
    name = fields.String()
    neighbourhood_id = fields.Integer(allow_none=True)
    from_ = fields.Date(attribute="first", data_key="from")
    to = fields.Date(attribute="last")
    rooms = fields.List(fields.Nested(RoomUsageSchema))
