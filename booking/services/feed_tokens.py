"""Private feed URLs: secret tokens per account, created once, revocable."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from booking.errors import Conflict, NotFound
from booking.extensions import db
from booking.models import FeedToken, utcnow
from booking.services.authorization import Actor, require_account
from booking.services.tokens import hash_token

FEED_TOKEN_PREFIX = "wkf_"  # noqa: S105 - a public marker, not a secret
MAX_FEED_TOKENS = 20


def create_feed_token(actor: Actor, name: str) -> tuple[FeedToken, str]:
    """A new private feed for the actor's account; the raw token is returned only now.

    The feed also shows the places the account hosts when the calling token may manage.
    """
    account = require_account(actor)
    active = db.session.scalar(
        select(func.count(FeedToken.id)).where(
            FeedToken.account_id == account.id, FeedToken.revoked_at.is_(None)
        )
    )
    if (active or 0) >= MAX_FEED_TOKENS:
        raise Conflict(
            f"An account has at most {MAX_FEED_TOKENS} private feeds; revoke one first.",
            code="too_many_feed_tokens",
        )
    raw = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = FeedToken(
        account_id=account.id,
        name=name,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        include_hosted=actor.is_admin or "manage" in actor.scopes,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def list_feed_tokens(actor: Actor) -> list[FeedToken]:
    """The actor's private feeds that have not been revoked."""
    account = require_account(actor)
    return list(
        db.session.scalars(
            select(FeedToken)
            .where(FeedToken.account_id == account.id, FeedToken.revoked_at.is_(None))
            .order_by(FeedToken.id)
        )
    )


def revoke_feed_token(actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's feeds; its URL answers 404 from now on."""
    account = require_account(actor)
    token = db.session.get(FeedToken, token_id)
    if token is None or token.account_id != account.id or token.revoked_at is not None:
        raise NotFound(f"Feed token {token_id} does not exist.")
    token.revoked_at = utcnow()


def feed_token_for(raw: str) -> FeedToken:
    """The live feed token behind a private feed URL; 404 for unknown or revoked ones, and
    while its account is blocked."""
    if not raw.startswith(FEED_TOKEN_PREFIX) or len(raw) > 100:
        raise NotFound("This feed does not exist.")
    token = db.session.scalar(select(FeedToken).where(FeedToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or token.account.blocked_at is not None:
        raise NotFound("This feed does not exist.")
    return token
