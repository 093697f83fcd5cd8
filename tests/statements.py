"""The SQL an application runs: for tests that prove a warm answer reads less."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from booking.extensions import db


@contextmanager
def statements_of(application: Flask) -> Iterator[list[str]]:
    """Every statement the application's engine runs inside the block, each on one line."""
    statements: list[str] = []
    with application.app_context():
        engine = db.engine

    def count(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
