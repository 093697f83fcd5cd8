"""`booking export` and `booking import`: a whole installation moves SQLite -> PostgreSQL ->
SQLite with every row intact (counts and per-table checksums), and the no-overlap guarantee
holds in the database it lands in."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from booking.demo import seed_demo
from booking.extensions import db
from booking.models import Occupancy
from booking.transfer import checksums
from tests.booking_helpers import book, upcoming
from tests.conftest import LOCAL_POSTGRES, _admin_execute, answers, discard_app, make_test_app
from tests.factories import Factory


@contextmanager
def _migrated(url: str) -> Iterator[Flask]:
    app = make_test_app(url)
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        discard_app(app)


@contextmanager
def _empty_postgres() -> Iterator[str]:
    if not answers(LOCAL_POSTGRES):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL is required in CI but does not answer on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not available")
    name = f"booking_transfer_{secrets.token_hex(4)}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _export(app: Flask, path: Path) -> dict[str, object]:
    _run(app, "export", "--output", str(path))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_sqlite_to_postgresql_to_sqlite_keeps_every_row(tmp_path: Path) -> None:
    with _migrated(f"sqlite:///{tmp_path / 'source.db'}") as source:
        make = Factory(source)
        make.run(lambda: (seed_demo(), db.session.commit()))
        place = make.place(name="Verhuizers", opening_hours="Mo-Su 08:00-22:00")
        room = make.room(place)
        booker = make.account(name="Booker")
        client = source.test_client()
        day = upcoming(days=3)
        assert (
            book(client, booker, room, day, "10:00", "11:00", visibility="private").status_code
            == 201
        )
        cancelled = book(client, booker, room, day, "12:00", "13:00").json["id"]
        assert (
            client.post(
                f"/api/v1/bookings/{cancelled}/cancel",
                json={"reason": "weg"},
                headers=booker.headers,
            ).status_code
            == 200
        )
        original = _export(source, tmp_path / "one.json")
    counts = {name: len(table["rows"]) for name, table in original["tables"].items()}  # type: ignore[attr-defined]
    assert counts["bookings"] > 30 and counts["outbox_events"] and counts["booking_events"]

    with _empty_postgres() as url, _migrated(url) as target:
        assert "Imported" in _run(target, "import", str(tmp_path / "one.json"))
        again = _export(target, tmp_path / "two.json")
        assert checksums(again) == checksums(original)

        # The guarantee holds in PostgreSQL: an overlapping active occupancy is refused...
        def overlap() -> None:
            taken = db.session.scalars(db.select(Occupancy).where(Occupancy.active)).first()
            assert taken is not None
            db.session.execute(
                insert(Occupancy),
                [
                    {
                        "booking_id": taken.booking_id,
                        "room_id": taken.room_id,
                        "start": taken.start,
                        "end": taken.end - timedelta(minutes=1),
                        "active": True,
                    }
                ],
            )
            db.session.flush()

        with target.app_context(), pytest.raises(IntegrityError):
            overlap()
        # ...a booking over it is a 409, and a new one gets a new id.
        moved = target.test_client()
        assert book(moved, booker, room, day, "10:00", "11:00").status_code == 409
        fresh = book(moved, booker, room, day, "15:00", "16:00")
        assert fresh.status_code == 201, fresh.json
        assert fresh.json["id"] > max(row[0] for row in original["tables"]["bookings"]["rows"])  # type: ignore[index]
        # Importing twice is refused: the database is no longer empty.
        refused = target.test_cli_runner().invoke(args=["import", str(tmp_path / "one.json")])
        assert refused.exit_code != 0 and "not empty" in refused.output

    with _migrated(f"sqlite:///{tmp_path / 'back.db'}") as back:
        _run(back, "import", str(tmp_path / "two.json"))
        third = _export(back, tmp_path / "three.json")
        assert checksums(third) == checksums(original)
        with back.app_context(), pytest.raises(IntegrityError):
            taken = db.session.scalars(db.select(Occupancy).where(Occupancy.active)).first()
            assert taken is not None
            db.session.execute(
                insert(Occupancy),
                [
                    {
                        "booking_id": taken.booking_id,
                        "room_id": taken.room_id,
                        "start": taken.start,
                        "end": taken.end,
                        "active": True,
                    }
                ],
            )
            db.session.flush()


def test_an_export_of_another_schema_is_refused(tmp_path: Path) -> None:
    with _migrated(f"sqlite:///{tmp_path / 'a.db'}") as app:
        document = _export(app, tmp_path / "a.json")
        document["schema"] = "0001_initial"
        (tmp_path / "old.json").write_text(json.dumps(document), encoding="utf-8")
        refused = app.test_cli_runner().invoke(args=["import", str(tmp_path / "old.json")])
        assert refused.exit_code != 0 and "Migrate both" in refused.output
