"""Sessions of the pages, kept on the server: ending one here ends it for every copy of its
cookie (the pages' own start and end live in booking.web.session)."""

from __future__ import annotations

from sqlalchemy import update

from booking.extensions import db
from booking.models import WebSession, utcnow


def end_all_sessions(account_id: int) -> int:
    """End every session of the account, on every device; how many (the caller commits)."""
    result = db.session.execute(
        update(WebSession)
        .where(WebSession.account_id == account_id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
