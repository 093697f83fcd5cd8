"""Outbox schemas (admin)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.outbox import MESSAGE_STATUSES


class OutboxQuerySchema(Schema):
    """Which messages: pending, failed or delivered (default: pending and failed)."""

    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))


class OutboxMessageSchema(Schema):
    """One message of the outbox and how its delivery went."""

    id = fields.Integer()
    event_id = fields.Integer()
    type = fields.String(attribute="event.type")
    channel = fields.String()
    recipient = fields.String()
    reason = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String()
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)
