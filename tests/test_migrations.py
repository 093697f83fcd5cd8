"""The migrated schema (upgrade from empty) matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from tests.conftest import make_test_app


def test_migrated_schema_has_no_drift(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_schema_is_at_the_head_revision(app: Flask) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    with app.app_context(), db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        config = Config(app.extensions["migrate"].directory + "/alembic.ini")
        config.set_main_option("script_location", app.extensions["migrate"].directory)
        head = ScriptDirectory.from_config(config).get_current_head()
    assert current == head


def test_upgrading_sqlite_keeps_bookings_and_their_guarantee(tmp_path: Path) -> None:
    """Batch mode rebuilds tables on SQLite; nothing that references them may be lost."""
    from flask_migrate import upgrade

    app = make_test_app(f"sqlite:///{tmp_path / 'old.db'}")
    with app.app_context():
        upgrade(revision="0003_feed_tokens")
        with db.engine.begin() as connection:
            for statement in ROWS_BEFORE_0004:
                connection.exec_driver_sql(statement)
        upgrade()
        with db.engine.begin() as connection:
            counts = {
                table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                for table in ("bookings", "occupancies", "booking_events", "series")
            }
            assert counts == {"bookings": 1, "occupancies": 1, "booking_events": 1, "series": 1}
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                'INSERT INTO occupancies (booking_id, room_id, start, "end", active) '
                "VALUES (1, 1, '2030-01-07 09:30:00', '2030-01-07 10:30:00', 1)"
            )
        db.engine.dispose()


NOW = "'2026-11-25 10:00:00'"
ROWS_BEFORE_0004 = [
    "INSERT INTO accounts (id, name, email, kind, is_admin, is_demo, created_at, updated_at)"
    f" VALUES (1, 'A', 'a@example.nl', 'person', 0, 0, {NOW}, {NOW})",
    "INSERT INTO places (id, slug, name, kind, street, postcode, city, timezone, description,"
    " target_groups, step_free, ground_floor, accessible_toilet, house_rules, opening_hours,"
    " policy, is_demo, created_at, updated_at) VALUES (1, 'p', 'P', 'buurthuis', '', '', '',"
    f" 'Europe/Amsterdam', '', '[]', 0, 0, 0, '', '24/7', '{{}}', 0, {NOW}, {NOW})",
    "INSERT INTO rooms (id, place_id, name, capacity, facilities, policy_overrides, bookable,"
    f" created_at, updated_at) VALUES (1, 1, 'R', 10, '[]', '{{}}', 1, {NOW}, {NOW})",
    'INSERT INTO series (id, room_id, place_id, booked_by_id, rrule, start, "end", title,'
    " status, created_at, updated_at) VALUES (1, 1, 1, 1, 'FREQ=DAILY;COUNT=1',"
    f" '2030-01-07 09:00:00', '2030-01-07 10:00:00', 'S', 'active', {NOW}, {NOW})",
    'INSERT INTO bookings (id, room_id, place_id, series_id, booked_by_id, start, "end", title,'
    " description, visibility, status, buffer_minutes, outside_opening_hours, sequence,"
    " created_at, updated_at) VALUES (1, 1, 1, 1, 1, '2030-01-07 09:00:00',"
    f" '2030-01-07 10:00:00', 'B', '', 'public', 'confirmed', 0, 0, 0, {NOW}, {NOW})",
    'INSERT INTO occupancies (id, booking_id, room_id, start, "end", active)'
    " VALUES (1, 1, 1, '2030-01-07 09:00:00', '2030-01-07 10:00:00', 1)",
    "INSERT INTO booking_events (id, booking_id, at, action, reason, changes)"
    f" VALUES (1, 1, {NOW}, 'created', '', '{{}}')",
]
