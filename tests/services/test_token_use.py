"""Recording a token's last use never fails a read request, even on a busy SQLite database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from flask import Flask
from sqlalchemy import select, text

from booking.extensions import db
from booking.models import ApiToken, utcnow
from booking.services.tokens import authenticate_token
from tests.factories import Factory


def test_a_read_survives_a_writer_that_committed_during_it(clean_app: Flask, make: Factory) -> None:
    caller = make.account()
    stale = utcnow() - timedelta(hours=1)

    def age_token() -> None:
        token = db.session.scalar(select(ApiToken))
        assert token is not None
        token.last_used_at = stale
        db.session.commit()

    make.run(age_token)
    with clean_app.test_request_context("/api/v1/places", method="GET"):
        # The request's read transaction takes its snapshot...
        db.session.execute(text("SELECT count(*) FROM places")).scalar_one()
        # ...another process writes and commits meanwhile...
        if db.engine.dialect.name == "sqlite":
            other = sqlite3.connect(db.engine.url.database or "", timeout=5)
            other.execute("UPDATE accounts SET name = name || '!'")
            other.commit()
            other.close()
        # ...and recording the use must not break the request.
        token = authenticate_token(caller.token)
        assert token.account_id == caller.id
        db.session.commit()
        db.session.remove()
