"""Account and token schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.account import ACCOUNT_KINDS, LOCALES, SCOPES
from booking.schemas.common import Flag, Instant, Name, ProblemSchema, Timestamps


class SignUpSchema(Schema):
    """Sign-up input."""

    name = Name(required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))


class AccountSchema(Timestamps):
    """An account as others may see it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(ACCOUNT_KINDS)})
    is_admin = fields.Boolean(dump_only=True)
    email_verified = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "false until a mailed code or link proves the address; until then "
            "the account sees only what its own tokens made"
        },
    )


class BlockSchema(Schema):
    """Block or unblock an account (admins)."""

    blocked = fields.Boolean(required=True)


class AdminAccountSchema(AccountSchema):
    """An account as an admin manages it."""

    blocked_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class MeSchema(AccountSchema):
    """One's own account with roles, hosted places and mail preferences."""

    roles = fields.List(fields.String(), dump_only=True)
    hosted_place_ids = fields.List(fields.Integer(), dump_only=True)
    locale = fields.String(dump_only=True, metadata={"enum": list(LOCALES)})
    email_notifications = fields.Boolean(dump_only=True)


class MeChangeSchema(Schema):
    """What a person may change of their own account."""

    name = Name()
    locale = fields.String(
        validate=validate.OneOf(LOCALES), metadata={"description": "language of mails"}
    )
    email_notifications = Flag(
        metadata={"description": "false: no mails about bookings (sign-in codes still come)"}
    )


class HostSchema(Schema):
    """A host of a place, with the address to reach them."""

    account_id = fields.Integer(attribute="id")
    name = fields.String()
    email = fields.String()


class EmailLinkSchema(Schema):
    """Where to mail a sign-in code."""

    email = fields.Email(required=True, validate=validate.Length(max=254))


class EmailLinkSentSchema(Schema):
    """The same answer for every address."""

    detail = fields.String()


class RedeemSchema(Schema):
    """A sign-in code from the mail."""

    code = fields.String(required=True, validate=validate.Length(min=4, max=40))


class TokenCreateSchema(Schema):
    """Input for a new personal API token."""

    name = Name(80, required=True)
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
    )
    expires_at = Instant(load_default=None, allow_none=True)


class TokenSchema(Timestamps):
    """A token without its secret."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    prefix = fields.String(dump_only=True)
    scopes = fields.List(fields.String(), dump_only=True)
    expires_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_used_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    parent_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "the token that minted this one; it ends when that one ends"},
    )


class TokenCreatedSchema(TokenSchema):
    """A new token, with its secret shown this once."""

    token = fields.String(dump_only=True)


class AccountWithTokenSchema(Schema):
    """A new account and its first token, shown this once."""

    account = fields.Nested(AccountSchema, dump_only=True)
    token = fields.String(dump_only=True)


class HandoverItemSchema(Schema):
    """A place or an initiative that needs another host or initiator first."""

    id = fields.Integer()
    name = fields.String()
    title = fields.String()


class HandoverSchema(ProblemSchema):
    """409 `handover_required`: what to hand over before the account can be erased."""

    places = fields.List(fields.Nested(HandoverItemSchema))
    initiatives = fields.List(fields.Nested(HandoverItemSchema))


class PersonalExportSchema(Schema):
    """Everything held about the caller (`format` wijkruimte-personal-export, version 1)."""

    format = fields.String()
    version = fields.Integer()
    exported_at = fields.String()
    account = fields.Dict()
    tokens = fields.List(fields.Dict())
    bookings = fields.List(fields.Dict())
    series = fields.List(fields.Dict())
    initiatives = fields.List(fields.Dict())
    feed_tokens = fields.List(fields.Dict())
    webhooks = fields.List(fields.Dict())
    web_requests = fields.List(fields.Dict())
    mails = fields.List(fields.Dict())
    complaints = fields.List(fields.Dict())
    signups = fields.List(fields.Dict())
