"""Being signed in on the pages: a signed session cookie (Secure where the site is https,
HttpOnly, SameSite=Lax) that names the account for 14 days.

Signing in starts a new session, so nothing set before it (by anyone who could plant a
cookie) survives. The cookie names a row of `web_sessions`, checked on every request:
signing out ends that row, "overal uitloggen" ends every row of the account, so a copy of
the cookie taken before is worth nothing afterwards.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import redirect, session, url_for
from sqlalchemy import update
from werkzeug.wrappers import Response

from booking.extensions import db
from booking.models import Account, WebSession, utcnow
from booking.services.authorization import Actor
from booking.services.tokens import entitled_scopes

ACCOUNT_KEY = "account_id"
SESSION_KEY = "session_id"


def start_session(account: Account) -> None:
    """Sign the account in: a fresh session with its id, recorded on the server.

    The caller's unit of work commits the record."""
    now = utcnow()
    record = WebSession(account_id=account.id, created_at=now)
    db.session.add(record)
    db.session.flush()
    session.clear()
    session.permanent = True
    session[ACCOUNT_KEY] = account.id
    session[SESSION_KEY] = record.id
    session["since"] = now.isoformat()
    session["nonce"] = secrets.token_urlsafe(8)


def end_session() -> None:
    """Sign out: this session ends on the server too (the caller commits)."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, int):
        db.session.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    session.clear()


def signed_in() -> Account | None:
    """The signed-in account, if its session is still live on the server."""
    account_id, session_id = session.get(ACCOUNT_KEY), session.get(SESSION_KEY)
    if not isinstance(account_id, int) or not isinstance(session_id, int):
        return None
    record = db.session.get(WebSession, session_id)
    if record is None or record.account_id != account_id or record.ended_at is not None:
        return None
    account = db.session.get(Account, account_id)
    return account if account is not None and account.blocked_at is None else None


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
