"""Accounts and personal API tokens."""

from __future__ import annotations

from typing import Any

from flask import current_app

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.errors import PROBLEM_MIMETYPE
from booking.extensions import limiter
from booking.ratelimits import (
    CODE_REDEMPTION_SCOPE,
    email_link_limit,
    mailed_link_limits,
)
from booking.schemas.account import (
    AccountWithTokenSchema,
    AdminAccountSchema,
    BlockSchema,
    EmailLinkSchema,
    EmailLinkSentSchema,
    HandoverSchema,
    MeChangeSchema,
    MeSchema,
    PersonalExportSchema,
    RedeemSchema,
    SignUpSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
)
from booking.services import accounts, sign_in, tokens
from booking.services.privacy import erasure, export

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and API tokens")


# Erasing an account, one's own or as an admin, can meet what must be handed over first.
handover_doc = blp.alt_response(
    409, schema=HandoverSchema, description="handover_required", content_type=PROBLEM_MIMETYPE
)


def _signup_limit() -> str:
    return str(current_app.config["SIGNUP_RATE_LIMIT"])


@blp.route("/accounts")
class Accounts(View):
    @limiter.limit(_signup_limit)
    @blp.arguments(SignUpSchema)
    @blp.response(201, AccountWithTokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sign up as a person; the token (scopes read, book) is shown only in this response."""
        account, _token, raw = accounts.sign_up(data["name"], data["email"])
        return {"account": account, "token": raw}


@blp.route("/accounts/me")
class Me(View):
    @blp.doc(**SECURED)
    @blp.response(200, MeSchema)
    def get(self) -> Any:
        """Your own account, with roles, hosted places and mail preferences."""
        return accounts.own_account(current_actor())

    @blp.doc(**SECURED)
    @blp.arguments(MeChangeSchema)
    @blp.response(200, MeSchema)
    def patch(self, data: dict[str, Any]) -> Any:
        """Change your name, the language of your mails, or turn mails about bookings off."""
        return accounts.change_own_account(current_actor(), data)

    @blp.doc(**SECURED)
    @handover_doc
    @blp.response(204)
    def delete(self) -> None:
        """Erase your account: coming bookings cancelled, name and address gone, past
        bookings kept as anonymous occupancy (scope book)."""
        erasure.erase_own_account(current_actor())


@blp.route("/accounts/me/export")
class MyData(View):
    @blp.doc(**SECURED)
    @blp.response(200, PersonalExportSchema)
    def get(self) -> Any:
        """Everything this service holds about you, as one JSON document (never a secret)."""
        return export.personal_export(current_actor())


@blp.route("/accounts/<id:account_id>")
class AccountById(View):
    @blp.doc(**SECURED)
    @blp.arguments(BlockSchema)
    @blp.response(200, AdminAccountSchema)
    def patch(self, data: dict[str, Any], account_id: int) -> Any:
        """Block or unblock an account (admins): blocked, its tokens, sessions and sign-in
        stop working."""
        return accounts.set_blocked(current_actor(), account_id, data["blocked"])

    @blp.doc(**SECURED)
    @handover_doc
    @blp.response(204)
    def delete(self, account_id: int) -> None:
        """Erase an account (admins), as its owner could."""
        erasure.erase_account_as_admin(current_actor(), account_id)


@blp.route("/accounts/organisations")
class Organisations(View):
    @blp.doc(**SECURED)
    @blp.arguments(SignUpSchema)
    @blp.response(201, AccountWithTokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a partner organisation account with a first token (admin)."""
        account, _token, raw = accounts.create_organisation(
            current_actor(), data["name"], data["email"]
        )
        return {"account": account, "token": raw}


@blp.route("/tokens")
class Tokens(View):
    @blp.doc(**SECURED)
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> Any:
        """Your live API tokens (never their secrets)."""
        return tokens.list_tokens(current_actor())

    @blp.doc(**SECURED)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Mint a token from yours (no more scopes, no later expiry); its secret is shown once."""
        token, raw = tokens.create_token(
            current_actor(), data["name"], data["scopes"], data["expires_at"]
        )
        token.token = raw  # type: ignore[attr-defined]
        return token


@blp.route("/tokens/<id:token_id>")
class TokenById(View):
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke one of your tokens."""
        tokens.revoke_token(current_actor(), token_id)


@blp.route("/accounts/<id:account_id>/tokens")
class AccountTokens(View):
    @blp.doc(**SECURED)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, data: dict[str, Any], account_id: int) -> Any:
        """Issue a token to another account, to hand over (admin); e.g. `manage` for a host."""
        token, raw = tokens.issue_token_for(
            current_actor(), account_id, data["name"], data["scopes"], data["expires_at"]
        )
        token.token = raw  # type: ignore[attr-defined]
        return token


@blp.route("/auth/email-link")
class EmailLink(View):
    @mailed_link_limits
    @blp.arguments(EmailLinkSchema)
    @blp.response(202, EmailLinkSentSchema)
    def post(self, data: dict[str, Any]) -> dict[str, str]:
        """Mail a one-time sign-in code (30 minutes); always 202, whether an account exists."""
        sign_in.request_link(data["email"])
        return {"detail": "A sign-in code is on its way to this address; it works for 30 minutes."}


@blp.route("/auth/email-link/redeem")
class RedeemEmailLink(View):
    @limiter.shared_limit(email_link_limit, scope=CODE_REDEMPTION_SCOPE)
    @blp.arguments(RedeemSchema)
    @blp.response(201, AccountWithTokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Trade the mailed code for a token with your account's entitlements (never admin)."""
        account, _token, raw = sign_in.redeem(data["code"])
        return {"account": account, "token": raw}
