"""Private feed tokens."""

from __future__ import annotations

from marshmallow import Schema, fields

from booking.schemas.common import Line, SubscribeSchema, Timestamps


class FeedTokenCreateSchema(Schema):
    """A name to recognise the feed by (e.g. the calendar app it is for)."""

    name = Line(100, load_default="")


class FeedTokenSchema(Timestamps):
    """A private feed, without its secret."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the first characters, to recognise it"})
    include_hosted = fields.Boolean(
        metadata={"description": "the feed also shows the places you host"}
    )


class FeedTokenCreatedSchema(FeedTokenSchema):
    """A new private feed: the token and its URL are shown only in this response."""

    token = fields.String()
    url = fields.String()
    feeds = fields.Nested(SubscribeSchema, metadata={"description": "subscribe in one click"})
