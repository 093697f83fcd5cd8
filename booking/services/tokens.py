"""Personal API tokens: issue, authenticate, list and revoke."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from booking.errors import Forbidden, Invalid, NotFound, Unauthorized
from booking.extensions import db
from booking.models import Account, ApiToken, utcnow
from booking.services.authorization import Actor, require_account, require_admin

TOKEN_PREFIX = "wk_"  # noqa: S105 - a public marker, not a secret
# 32 random bytes, url-safe base64 without padding: 43 characters.
log = logging.getLogger(__name__)

TOKEN_LENGTH = len(TOKEN_PREFIX) + 43
DISPLAY_PREFIX_LENGTH = 10
# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=15)
MAX_TOKENS_PER_ACCOUNT = 50


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def entitled_scopes(account: Account) -> set[str]:
    """The scopes this account's tokens may carry."""
    scopes = {"read", "book"}
    if account.hosted or account.is_admin:
        scopes.add("manage")
    if account.is_admin:
        scopes.add("admin")
    return scopes


def issue_token(
    account: Account,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    *,
    parent: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the account; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        account=account,
        name=name,
        prefix=raw[:DISPLAY_PREFIX_LENGTH],
        token_hash=hash_token(raw),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        parent_id=parent.id if parent else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


# Built once, so compiled once: every authenticated request asks it. The account comes in
# the same query, as every such request needs it.
_TOKEN_BY_HASH = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam("digest"))
    .options(joinedload(ApiToken.account))
)


def authenticate_token(raw: str) -> ApiToken:
    """The live token matching `raw`, or 401."""
    if len(raw) != TOKEN_LENGTH or not raw.startswith(TOKEN_PREFIX):
        raise Unauthorized("The API token is not valid.", code="invalid_token")
    digest = hash_token(raw)
    token = db.session.scalar(_TOKEN_BY_HASH, {"digest": digest})
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise Unauthorized("The API token is not valid.", code="invalid_token")
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthorized("The API token has been revoked.", code="token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("The API token has expired.", code="token_expired")
    if token.account.blocked_at is not None:
        raise Unauthorized("This account is blocked by an administrator.", code="account_blocked")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _touch(token, now)
    return token


def _touch(token: ApiToken, now: datetime) -> None:
    """Record the use, best effort: a busy database must not fail the request.

    A read request on SQLite holds a snapshot; if another writer committed since, the
    write cannot happen in this transaction (SQLITE_BUSY_SNAPSHOT). The savepoint keeps
    the rest of the request going; the next request records the use instead.
    """
    try:
        with db.session.begin_nested():
            token.last_used_at = now
    except OperationalError:
        log.info("last_used_at of token %s not recorded: database busy", token.id)


def create_token(
    actor: Actor, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """Mint a child of the caller's token: never more scopes, never a later expiry.

    New entitlements (e.g. `manage` for a new host) come only from a sign-in that proves
    the account's e-mail, or from an admin (`issue_token_for`).
    """
    account = require_account(actor)
    parent = db.session.get(ApiToken, actor.token_id) if actor.token_id else None
    if parent is None:
        raise Unauthorized("This endpoint needs an API token.")
    _refuse_past(expires_at)
    if not actor.scopes & {"book", "manage", "admin"}:
        raise Forbidden("A read-only token cannot create tokens.", code="insufficient_scope")
    beyond_parent = set(scopes) - set(parent.scopes)
    if beyond_parent:
        raise Forbidden(
            "A token can only mint tokens with a subset of its own scopes; this one lacks: "
            f"{', '.join(sorted(beyond_parent))}.",
            code="scope_not_allowed",
        )
    _refuse_unentitled(account, scopes)
    if parent.expires_at is not None:
        if expires_at is None:
            expires_at = parent.expires_at  # a child never outlives its parent
        elif expires_at > parent.expires_at:
            raise Invalid(
                "A token cannot expire after the token that creates it "
                f"({parent.expires_at.isoformat()}).",
                code="expiry_after_parent",
                errors={"expires_at": [f"Must be at or before {parent.expires_at.isoformat()}."]},
            )
    _refuse_too_many(account)
    return issue_token(account, name, scopes, expires_at, parent=parent)


def issue_token_for(
    actor: Actor, account_id: int, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """An admin issues a token to another account, within that account's entitlements."""
    require_admin(actor)
    account = db.session.get(Account, account_id)
    if account is None:
        raise NotFound(f"Account {account_id} does not exist.")
    _refuse_past(expires_at)
    _refuse_unentitled(account, scopes)
    _refuse_too_many(account)
    return issue_token(account, name, scopes, expires_at)


def _refuse_past(expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(
            "A token cannot expire in the past.",
            code="expiry_in_past",
            errors={"expires_at": ["Must be in the future."]},
        )


def _refuse_unentitled(account: Account, scopes: list[str]) -> None:
    not_entitled = set(scopes) - entitled_scopes(account)
    if not_entitled:
        raise Forbidden(
            f"This account may not hold the scopes: {', '.join(sorted(not_entitled))}.",
            code="scope_not_allowed",
        )


def _refuse_too_many(account: Account) -> None:
    live = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_TOKENS_PER_ACCOUNT:
        raise Forbidden(
            f"An account can hold at most {MAX_TOKENS_PER_ACCOUNT} live tokens; revoke one first.",
            code="too_many_tokens",
        )


def list_tokens(actor: Actor) -> list[ApiToken]:
    """The actor's own live tokens, newest first."""
    account = require_account(actor)
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def _is_ancestor(ancestor_id: int, token: ApiToken) -> bool:
    """Whether `token` was minted, at any depth, from the token `ancestor_id`."""
    parent_id = token.parent_id
    while parent_id is not None:
        if parent_id == ancestor_id:
            return True
        parent_id = db.session.scalar(select(ApiToken.parent_id).where(ApiToken.id == parent_id))
    return False


def revoke_token(actor: Actor, token_id: int) -> None:
    """Revoke a token of the actor's account and everything minted from it.

    A token may revoke itself and what it minted. Any other token of the account takes a
    token that holds `book` or `manage` and was issued at sign-up, at sign-in or by an admin
    (a root token): a child handed to a roster system must not end its elders or siblings.
    Someone else's token is a 404.
    """
    account = require_account(actor)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.account_id != account.id or token.revoked_at is not None:
        raise NotFound(f"Token {token_id} does not exist.")
    acting = db.session.get(ApiToken, actor.token_id) if actor.token_id else None
    if acting is None:
        raise Unauthorized("This endpoint needs an API token.")
    own_line = acting.id == token.id or _is_ancestor(acting.id, token)
    root_with_rights = acting.parent_id is None and bool(set(acting.scopes) & {"book", "manage"})
    if not (own_line or root_with_rights):
        raise Forbidden(
            "This token may revoke only itself and the tokens minted from it; revoke others "
            "with a token from your sign-in (or one an admin issued) that holds book or manage.",
            code="not_token_ancestor",
        )
    revoke_with_descendants(token)


def revoke_with_descendants(token: ApiToken) -> int:
    """Revoke a token and every token minted from it, at any depth; returns how many."""
    now = utcnow()
    ids = [token.id]
    revoked = 0
    while ids:
        result = db.session.execute(
            update(ApiToken)
            .where(ApiToken.id.in_(ids), ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        revoked += getattr(result, "rowcount", 0)
        ids = list(db.session.scalars(select(ApiToken.id).where(ApiToken.parent_id.in_(ids))))
    return revoked
