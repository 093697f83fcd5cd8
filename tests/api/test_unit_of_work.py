"""The request transaction: committed once, rolled back on errors, re-run after a deadlock."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from booking.extensions import db
from booking.models import Neighbourhood
from booking.transaction import ATTEMPTS, unit_of_work

# A real database error with the sqlstate PostgreSQL uses when it breaks a deadlock.
DEADLOCK = "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$"


def _dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def _count() -> int:
    return int(db.session.scalar(select(func.count(Neighbourhood.id))) or 0)


def test_a_deadlocked_transaction_is_run_again(clean_app: Flask) -> None:
    # SQLite serialises writers, so it never reports a deadlock; there the view runs once.
    postgres = _dialect(clean_app) == "postgresql"
    calls: list[int] = []

    @unit_of_work
    def view() -> str:
        calls.append(1)
        db.session.add(Neighbourhood(slug=f"n{len(calls)}", name="N", city="Rotterdam"))
        db.session.flush()
        if postgres and len(calls) == 1:
            db.session.execute(text(DEADLOCK))
        return "done"

    with clean_app.test_request_context(method="POST"):
        assert view() == "done"
        # The first attempt's row was rolled back: one row, from the attempt that committed.
        assert db.session.scalars(select(Neighbourhood.slug)).all() == [f"n{len(calls)}"]
        db.session.remove()
    assert len(calls) == (2 if postgres else 1)


def test_other_database_errors_are_not_retried_and_roll_back(clean_app: Flask) -> None:
    calls: list[int] = []

    @unit_of_work
    def view() -> None:
        calls.append(1)
        db.session.add(Neighbourhood(slug="n", name="N", city="Rotterdam"))
        db.session.flush()
        db.session.execute(text("SELECT * FROM no_such_table"))

    with clean_app.test_request_context(method="POST"):
        with pytest.raises((OperationalError, ProgrammingError)):
            view()
        assert _count() == 0
        db.session.remove()
    assert len(calls) == 1


def test_a_deadlock_that_persists_is_an_error_after_three_attempts(clean_app: Flask) -> None:
    calls: list[int] = []
    postgres = _dialect(clean_app) == "postgresql"

    @unit_of_work
    def view() -> None:
        calls.append(1)
        db.session.execute(text(DEADLOCK if postgres else "SELECT * FROM no_such_table"))

    with clean_app.test_request_context(method="POST"):
        with pytest.raises((OperationalError, ProgrammingError)):
            view()
        db.session.remove()
    assert len(calls) == (ATTEMPTS if postgres else 1)
