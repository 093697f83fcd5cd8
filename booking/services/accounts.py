"""Accounts: sign-up, organisations, administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from booking.errors import Conflict, Forbidden, NotFound
from booking.extensions import db
from booking.feeds.stamps import revise_bookings
from booking.models import Account, ApiToken, Booking, FeedToken, WebhookSubscription, utcnow
from booking.services.authorization import Actor, require_account, require_admin
from booking.services.sessions import end_all_sessions
from booking.services.tokens import issue_token

PERSON_SCOPES = ["read", "book"]
ADMIN_SCOPES = ["read", "book", "manage", "admin"]


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def _new_account(
    name: str, email: str, kind: str, *, is_admin: bool = False, proven: bool = True
) -> Account:
    email = normalise_email(email)
    if db.session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise Conflict("An account with this email address already exists.", code="email_taken")
    account = Account(
        name=name.strip(),
        email=email,
        kind=kind,
        is_admin=is_admin,
        # An admin who makes an account vouches for its address; an open sign-up does not.
        email_verified_at=utcnow() if proven else None,
    )
    db.session.add(account)
    db.session.flush()
    return account


def sign_up(name: str, email: str) -> tuple[Account, ApiToken, str]:
    """Create a person's account with a first token (scopes read and book).

    Nothing proves the address yet: until a mailed code or link does (`prove_address`), the
    account sees only what its own tokens make."""
    account = _new_account(name, email, "person", proven=False)
    token, raw = issue_token(account, "sign-up", PERSON_SCOPES)
    return account, token, raw


def create_organisation(actor: Actor, name: str, email: str) -> tuple[Account, ApiToken, str]:
    """Create a partner organisation's account and its first token (admin only)."""
    require_admin(actor)
    account = _new_account(name, email, "organisation")
    token, raw = issue_token(account, "initial", PERSON_SCOPES)
    return account, token, raw


def create_admin(name: str, email: str) -> tuple[Account, str]:
    """Create an administrator with a token holding every scope (for the CLI)."""
    account = _new_account(name, email, "person", is_admin=True)
    _, raw = issue_token(account, "create-admin", ADMIN_SCOPES)
    return account, raw


def prove_address(account: Account, now: datetime | None = None) -> bool:
    """Record that a mailed code or link proved the account's address; whether this was the
    first proof.

    The first proof ends every token, private feed link, webhook and page session made
    before it: whoever signed up with the address without owning it loses the account to
    its owner."""
    if account.email_verified_at is not None:
        return False
    now = now or utcnow()
    account.email_verified_at = now
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(FeedToken)
        .where(FeedToken.account_id == account.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.account_id == account.id, WebhookSubscription.enabled)
        .values(enabled=False, disabled_reason="made before the address was proven")
    )
    end_all_sessions(account.id)
    db.session.flush()
    return True


def account_of_proven_address(email: str, name: str, now: datetime) -> Account:
    """The account of an address a mailed code or link just proved: made now (named `name`)
    if it has none, proven if it was not; 403 when an administrator blocked it."""
    account = db.session.scalar(select(Account).where(Account.email == email))
    if account is not None and account.blocked_at is not None:
        raise Forbidden("This account is blocked by an administrator.", code="account_blocked")
    if account is None:
        account = Account(name=name, email=email, kind="person", email_verified_at=now)
        db.session.add(account)
        db.session.flush()
    else:
        prove_address(account, now)
    return account


def own_account(actor: Actor) -> Account:
    """The actor's own account."""
    return require_account(actor)


def change_own_account(actor: Actor, data: dict[str, Any]) -> Account:
    """Change one's name, mail language or whether mails about bookings come."""
    account = require_account(actor)
    if "name" in data and data["name"].strip() != account.name:
        account.name = data["name"].strip()
        # Hosts' feeds show who booked: their events change with the name.
        revise_bookings(Booking.booked_by_id == account.id)
    for key in ("locale", "email_notifications"):
        if key in data:
            setattr(account, key, data[key])
    db.session.flush()
    return account


def set_blocked(actor: Actor, account_id: int, blocked: bool) -> Account:
    """Block an account (admins): its tokens stop working, every session on the pages ends,
    and it cannot sign in, until it is unblocked."""
    admin = require_admin(actor)
    account = db.session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound(f"Account {account_id} does not exist.")
    if account.id == admin.id:
        raise Conflict("An administrator cannot block their own account.", code="own_account")
    if blocked and account.blocked_at is None:
        account.blocked_at = utcnow()
        end_all_sessions(account.id)
    elif not blocked:
        account.blocked_at = None
    db.session.flush()
    return account
