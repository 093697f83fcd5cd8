"""Monitoring: attendance, anonymous feedback, complaints and the impact report."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.monitoring import COMPLAINT_KINDS, HANDLED, IN_PROGRESS
from booking.schemas.common import Day, Id, Ids, Line, Text


class AttendanceInputSchema(Schema):
    """How many people came; optionally how many for the first time, and a short note."""

    count = fields.Integer(required=True, strict=True, validate=validate.Range(0, 10_000))
    first_time = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(0, 10_000), load_default=None
    )
    note = Text(500, allow_none=True, load_default=None)


class AttendanceSchema(Schema):
    """A recorded attendance."""

    booking_id = fields.Integer()
    count = fields.Integer()
    first_time = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_at = fields.DateTime()


class FeedbackInputSchema(Schema):
    """An anonymous answer to "how was it": 1 (bad) to 5 (very good)."""

    score = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = Text(1000, allow_none=True, load_default=None)
    booking_id = Id(allow_none=True, load_default=None)


class FeedbackSchema(Schema):
    """One piece of feedback; `hidden` comments are not shown (the score still counts)."""

    id = fields.Integer()
    place_id = fields.Integer()
    booking_id = fields.Integer(allow_none=True)
    score = fields.Integer()
    comment = fields.String()
    hidden = fields.Boolean()
    created_at = fields.DateTime()


class FeedbackChangeSchema(Schema):
    """Hide an abusive comment, or show it again."""

    hidden = fields.Boolean(required=True)


class ComplaintInputSchema(Schema):
    """A complaint or suggestion; a name and address only if an answer is wanted."""

    kind = fields.String(required=True, validate=validate.OneOf(COMPLAINT_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    name = Line(120, allow_none=True, load_default=None)
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))


class ComplaintReceiptSchema(Schema):
    """What the filer gets back: the number, the status and when an answer is due."""

    id = fields.Integer()
    place_id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    received_at = fields.DateTime()
    due_at = fields.DateTime()


class ComplaintSchema(ComplaintReceiptSchema):
    """A complaint as its place's hosts see it."""

    text = fields.String()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    answer = fields.String()
    handled_at = fields.DateTime(allow_none=True)
    on_time = fields.Boolean(allow_none=True)
    reminded_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)


class ComplaintChangeSchema(Schema):
    """Move a complaint on; handled needs the answer the filer reads."""

    status = fields.String(required=True, validate=validate.OneOf([IN_PROGRESS, HANDLED]))
    answer = Text(4000, load_default="")


class ImpactQuerySchema(Schema):
    """The period (inclusive, local dates) and the places: given ones, a neighbourhood's, or
    every place (admins in full; anyone else the open figures)."""

    from_ = Day(data_key="from", required=True)
    to = Day(required=True)
    place = Ids(metadata={"description": "repeat for any of several"})
    neighbourhood = Ids(metadata={"description": "repeat for any of several"})
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "pdf", "xlsx"]),
        metadata={"description": "pdf and xlsx: the full report only (hosts, admins)"},
    )
