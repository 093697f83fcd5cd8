"""Moving a whole installation between databases: every table (history and outbox
included) as one versioned JSON document, and back into an empty database of either kind.

Values are written by column type, so SQLite's text and PostgreSQL's timestamps come out
the same: instants as RFC 3339 in UTC, dates and times in ISO 8601, JSON as JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Table,
    Time,
    func,
    insert,
    select,
    text,
)

from booking.extensions import db
from booking.models.base import UTCDateTime
from booking.services.privacy.register import (
    CONTENTS,
    CONTENTS_WITHOUT_PERSONAL_DATA,
    PERSONAL,
    placeholder,
)

FORMAT = "wijkruimte-export"
VERSION = 1
CHUNK = 1000


class TransferError(Exception):
    """The file or the target database is not fit for an import."""


def _schema_revision() -> str:
    return str(db.session.execute(text("SELECT version_num FROM alembic_version")).scalar())


def _tables() -> list[Table]:
    # Parents before children: the import can insert in this order.
    return list(db.metadata.sorted_tables)


def _kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return "instant"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Time):
        return "time"
    if isinstance(kind, LargeBinary):
        return "binary"  # photos: base64 in the JSON
    return "plain"


def _encode(value: Any, kind: str) -> Any:
    if value is None or kind == "plain":
        return value
    if kind == "instant":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value.isoformat()


def _decode(value: Any, kind: str) -> Any:
    if value is None or kind == "plain":
        return value
    if kind == "instant":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "binary":
        return base64.b64decode(value)
    return time.fromisoformat(value)


def _rows(table: Table, personal_data: bool) -> Iterator[list[Any]]:
    kinds = [_kind(column) for column in table.columns]
    # Without personal data, each registered column is replaced by its placeholder.
    replaced = [
        None if personal_data else PERSONAL.get((table.name, column.name))
        for column in table.columns
    ]
    keys = list(table.primary_key.columns)
    ordered = select(table).order_by(*keys)
    for row in db.session.execute(ordered):
        row_id = "-".join(str(getattr(row, key.name)) for key in keys)
        yield [
            _encode(value, kind)
            if personal is None
            else placeholder(personal, table.name, row_id, value)
            for value, kind, personal in zip(row, kinds, replaced, strict=True)
        ]


def export_all(personal_data: bool = True) -> dict[str, Any]:
    """Every table, in insertion order, with the schema revision it belongs to and a
    statement of what it holds; without personal data, names, addresses and texts replaced."""
    tables = {
        table.name: {
            "columns": [c.name for c in table.columns],
            "rows": list(_rows(table, personal_data)),
        }
        for table in _tables()
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": _schema_revision(),
        "exported_at": datetime.now(UTC).isoformat(),
        "personal_data": personal_data,
        "contains": CONTENTS if personal_data else CONTENTS_WITHOUT_PERSONAL_DATA,
        "tables": tables,
    }


def checksums(document: dict[str, Any]) -> dict[str, str]:
    """Per table, a digest of its rows: equal data gives equal digests on any database."""
    return {
        name: hashlib.sha256(
            json.dumps(content["rows"], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        for name, content in document["tables"].items()
    }


def import_all(document: dict[str, Any]) -> dict[str, int]:
    """Write an export into this (migrated, empty) database; returns rows per table."""
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise TransferError(f"Not a {FORMAT} file of version {VERSION}.")
    if document.get("schema") != _schema_revision():
        raise TransferError(
            f"The file is of schema {document.get('schema')}; this database is at "
            f"{_schema_revision()}. Migrate both to the same revision first."
        )
    tables = _tables()
    for table in tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            raise TransferError(f"The database is not empty: {table.name} has rows.")
    counts = {}
    for table in tables:
        content = document["tables"].get(table.name, {"columns": [], "rows": []})
        columns = [table.columns[name] for name in content["columns"]]
        kinds = [_kind(column) for column in columns]
        rows = [
            {
                column.name: _decode(value, kind)
                for column, kind, value in zip(columns, kinds, row, strict=True)
            }
            for row in content["rows"]
        ]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start : start + CHUNK])
        counts[table.name] = len(rows)
    _advance_sequences(tables)
    return counts


def _advance_sequences(tables: list[Table]) -> None:
    """PostgreSQL: each id sequence continues after the imported ids."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite continues from the largest rowid by itself
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = db.session.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": keys[0].name},
        )
        if sequence:
            largest = db.session.scalar(select(func.max(keys[0])))
            # setval(s, n, true): the next id is n + 1; (s, 1, false): the next id is 1.
            db.session.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": largest or 1, "called": largest is not None},
            )
