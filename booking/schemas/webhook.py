"""Webhook subscription and delivery schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.outbox import WEBHOOK_EVENT_TYPES
from booking.schemas.common import Flag, Id, Text


class WebhookCreateSchema(Schema):
    """A new subscription: where, which events, optionally only some places or initiatives."""

    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(WEBHOOK_EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(WEBHOOK_EVENT_TYPES)),
    )
    place_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    initiative_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    description = Text(500, load_default="")


class WebhookChangeSchema(WebhookCreateSchema):
    """A change: any field, `enabled`, and `rotate_secret` for a new secret."""

    enabled = Flag()
    rotate_secret = Flag(load_only=True)


class WebhookSchema(Schema):
    """A subscription (its secret is shown only when made or rotated)."""

    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    place_ids = fields.List(fields.Integer())
    initiative_ids = fields.List(fields.Integer())
    description = fields.String()
    enabled = fields.Boolean()
    disabled_reason = fields.String()
    failing_since = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class WebhookWithSecretSchema(WebhookSchema):
    """A subscription with its `whsec_` secret, shown this once."""

    secret = fields.String(allow_none=True)
