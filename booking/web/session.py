"""Being signed in on the pages: a signed session cookie (Secure where the site is https,
HttpOnly, SameSite=Lax) that names the account for 14 days.

Signing in starts a new session, so nothing set before it (by anyone who could plant a
cookie) survives; signing out ends it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import redirect, session, url_for
from werkzeug.wrappers import Response

from booking.extensions import db
from booking.models import Account, utcnow
from booking.services.authorization import Actor
from booking.services.tokens import entitled_scopes

ACCOUNT_KEY = "account_id"


def start_session(account: Account) -> None:
    """Sign the account in: a fresh session with its id."""
    session.clear()
    session.permanent = True
    session[ACCOUNT_KEY] = account.id
    session["since"] = utcnow().isoformat()
    session["nonce"] = secrets.token_urlsafe(8)


def end_session() -> None:
    """Sign out."""
    session.clear()


def signed_in() -> Account | None:
    """The signed-in account, if any (and still there)."""
    account_id = session.get(ACCOUNT_KEY)
    if not isinstance(account_id, int):
        return None
    return db.session.get(Account, account_id)


def account_or_sign_in() -> Account | Response:
    """The signed-in account, or the redirect to the sign-in page."""
    account = signed_in()
    if account is None:
        return redirect(url_for("web.sign_in_page"), code=303)
    return account


def page_actor(account: Account) -> Actor:
    """The account acting on the pages, with what it is entitled to (never admin)."""
    return Actor(account, frozenset(entitled_scopes(account) - {"admin"}))


def signed_in_since() -> datetime | None:
    """When this session started."""
    since = session.get("since")
    return datetime.fromisoformat(since) if isinstance(since, str) else None
