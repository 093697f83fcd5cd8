"""Outbox schemas (admin)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.outbox import MESSAGE_STATUSES


class OutboxQuerySchema(Schema):
    """Which messages: pending, failed or delivered (default: pending and failed)."""

    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))


class DeliverySchema(Schema):
    """One delivery of an event and how it went (what a webhook's owner sees)."""

    id = fields.Integer()
    event_id = fields.Integer()
    type = fields.String(attribute="event.type")
    status = fields.String()
    attempts = fields.Integer()
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String()
    next_attempt_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)


class OutboxMessageSchema(DeliverySchema):
    """One message of the outbox, to whom and why (what an admin sees)."""

    channel = fields.String()
    recipient = fields.String()
    reason = fields.String()
    created_at = fields.AwareDateTime()
