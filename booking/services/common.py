"""Helpers shared by the services: loading by id, pagination, slugs, date windows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from booking.errors import Conflict, Invalid, NotFound, is_unique_violation
from booking.extensions import db

T = TypeVar("T")

# Far beyond any real list, and small enough that OFFSET fits every database's integer.
MAX_PAGE = 100_000


def get_or_404(model: type[T], object_id: int, label: str | None = None) -> T:
    """Load an object by primary key, or raise a 404 naming it."""
    found = db.session.get(model, object_id)
    if found is None:
        name = label or model.__name__.lower()
        raise NotFound(f"{name.capitalize()} {object_id} does not exist.")
    return found


def locked_or_404(model: type[T], object_id: int) -> T:
    """Load an object by primary key with its row locked until the transaction ends (on
    PostgreSQL; SQLite's write transactions already run one at a time), read afresh; or a
    404 naming it. What is counted or changed under the lock cannot race another request."""
    stmt = select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    found = db.session.scalar(stmt.execution_options(populate_existing=True))
    if found is None:
        raise NotFound(f"{model.__name__} {object_id} does not exist.")
    return found


def fetch_page(stmt: Select[Any], page: int, page_size: int) -> tuple[list[Any], int]:
    """One page of a select, and the total number of rows it matches."""
    if page > MAX_PAGE:
        raise Invalid(
            f"`page` may be at most {MAX_PAGE}.", errors={"page": [f"At most {MAX_PAGE}."]}
        )
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(page_size).offset((page - 1) * page_size))
    return list(rows), int(total or 0)


def slugify(text: str, max_length: int = 70) -> str:
    """A lower-case ASCII slug of the text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


# Words the pages use under /beheer/ (the admin's pages): no place may be called that, or
# its host pages would be out of reach.
RESERVED_SLUGS = frozenset({"accounts", "outbox", "wijken", "plekken"})


def unique_slug(model: Any, text: str, wanted: str | None = None) -> str:
    """A slug for the text that no row of `model` has yet (nor a reserved word)."""
    base = slugify(wanted or text)
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    taken |= RESERVED_SLUGS
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug


SLUG_ATTEMPTS = 50


def add_with_generated_slug(row: Any, text: str) -> None:
    """Add a row under the first free slug for `text`, even while others take slugs too.

    Each candidate is claimed by a flush in a savepoint: when a concurrent writer committed
    the same slug first, only the savepoint is undone and the next free one is tried.
    """
    model = type(row)
    for _ in range(SLUG_ATTEMPTS):
        row.slug = unique_slug(model, text)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
            return
        except IntegrityError as error:
            if not is_unique_violation(error) or "slug" not in str(error.orig):
                raise
    raise Conflict("No free slug could be found; give one explicitly.", code="slug_taken")


def ensure_slug_free(model: Any, slug: str, own_id: int | None = None) -> None:
    """409 when another row of `model` already has this slug, or it is a reserved word."""
    if slug in RESERVED_SLUGS:
        raise Conflict(
            f"The slug '{slug}' is reserved for the site's own pages.", code="slug_taken"
        )
    found = db.session.scalar(select(model.id).where(model.slug == slug))
    if found is not None and found != own_id:
        raise Conflict(f"The slug '{slug}' is already taken.", code="slug_taken")


def check_date_range(first: date, last: date, max_days: int) -> None:
    """422 unless first <= last and the inclusive span is at most max_days."""
    if last < first:
        raise Invalid("`to` is before `from`.", errors={"to": ["Must not be before `from`."]})
    if last - first >= timedelta(days=max_days):
        raise Invalid(
            f"The date range may span at most {max_days} days.",
            code="range_too_long",
            errors={"to": [f"At most {max_days} days after `from`."]},
        )


def list_contains(column: Any, slug: str) -> ColumnElement[bool]:
    """Rows whose JSON list of slugs holds `slug` (portable across SQLite and PostgreSQL)."""
    # Slugs have no quotes, so the quoted token matches exactly one whole element.
    return cast(column, String).contains(f'"{slug}"', autoescape=True)


def list_contains_any(column: Any, slugs: Iterable[str]) -> ColumnElement[bool]:
    """Rows whose JSON list of slugs holds any of `slugs`."""
    return or_(*(list_contains(column, slug) for slug in slugs))


def text_matches(q: str, *columns: Any) -> ColumnElement[bool]:
    """Rows where any of the text columns contains `q`, ignoring case."""
    needle = q.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))
