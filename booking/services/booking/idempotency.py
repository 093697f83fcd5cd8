"""Idempotency keys: a retried request gets the first response again, across processes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from booking.errors import Conflict, Invalid
from booking.extensions import db
from booking.models import IdempotencyKey

# A key is remembered this long; after that it may be used again.
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    """The response that was sent the first time."""

    status_code: int
    body: str
    location: str | None


def check_key(key: str) -> str:
    """422 unless the key is 1 to 255 visible ASCII characters."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise Invalid(
            "An Idempotency-Key is 1 to 255 visible ASCII characters (a UUID is a good choice).",
            code="invalid_idempotency_key",
            errors={"Idempotency-Key": ["1 to 255 visible ASCII characters."]},
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A hash of what was asked; JSON bodies are compared by content, not by layout."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


def _load(account_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.account_id == account_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )


def claim(account_id: int, key: str, print_: str, now: datetime) -> StoredResponse | None:
    """The stored response for a retry, or None after claiming the key for this request.

    The claim is a row inserted in the request's transaction: a concurrent request with
    the same key waits for it (PostgreSQL) or for the write lock (SQLite), then replays.
    """
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.account_id == account_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < now - KEY_LIFETIME,
        )
    )
    row = _load(account_id, key)
    if row is not None:
        return _replay(row, print_)
    db.session.add(IdempotencyKey(account_id=account_id, key=key, fingerprint=print_))
    try:
        db.session.flush()
        return None
    except IntegrityError:
        # Another request with this key committed first; answer what it answered.
        db.session.rollback()
    row = _load(account_id, key)
    if row is None:
        raise Conflict(
            "A request with this key is still being handled.", code="request_in_progress"
        )
    return _replay(row, print_)


def _replay(row: IdempotencyKey, print_: str) -> StoredResponse:
    if row.fingerprint != print_:
        raise Invalid(
            "This Idempotency-Key was used for a different request; use a new key.",
            code="idempotency_key_reused",
            errors={"Idempotency-Key": ["Already used with another request."]},
        )
    if row.status_code is None or row.body is None:
        raise Conflict(
            "A request with this key is still being handled.", code="request_in_progress"
        )
    return StoredResponse(row.status_code, row.body, row.location)


def remember(account_id: int, key: str, status_code: int, body: str, location: str | None) -> None:
    """Store the response of the request that claimed the key."""
    row = _load(account_id, key)
    if row is not None:
        row.status_code, row.body, row.location = status_code, body, location
        db.session.flush()
