"""Neighbourhoods: listed by anyone, written by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from booking.errors import Invalid, NotFound
from booking.extensions import db
from booking.models import Neighbourhood
from booking.models.base import MAX_ID
from booking.services.authorization import Actor, require_admin
from booking.services.common import (
    add_with_generated_slug,
    ensure_slug_free,
    fetch_page,
    get_or_404,
)


def list_neighbourhoods(page: int, page_size: int) -> tuple[list[Neighbourhood], int]:
    """All neighbourhoods by city and name."""
    stmt = select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    return fetch_page(stmt, page, page_size)


def all_neighbourhoods(limit: int) -> list[Neighbourhood]:
    """The first `limit` of `list_neighbourhoods`, without counting them."""
    stmt = select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    return list(db.session.scalars(stmt.limit(limit)))


def get_neighbourhood(neighbourhood_id: int) -> Neighbourhood:
    """One neighbourhood."""
    return get_or_404(Neighbourhood, neighbourhood_id)


def get_neighbourhood_by_slug(slug: str) -> Neighbourhood:
    """One neighbourhood by its slug."""
    neighbourhood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug))
    if neighbourhood is None:
        raise NotFound(f"No neighbourhood is called {slug!r}.")
    return neighbourhood


def neighbourhood_ids(given: tuple[str, ...]) -> tuple[int, ...]:
    """Neighbourhoods named by id or slug, as ids (an unknown slug matches nothing, as in
    the place list; -1 keeps the filter from meaning "anywhere")."""
    ids = {int(value) for value in given if is_id(value)}
    slugs = [value for value in given if not is_id(value)]
    if slugs:
        found = db.session.scalars(select(Neighbourhood.id).where(Neighbourhood.slug.in_(slugs)))
        ids |= set(found)
    return tuple(sorted(ids)) if ids or not given else (-1,)


def is_id(value: str) -> bool:
    """Whether a value that may be an id or a slug is an id (ASCII digits up to MAX_ID, so
    no number too large for the database ever reaches it)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= MAX_ID


def create_neighbourhood(actor: Actor, data: dict[str, Any]) -> Neighbourhood:
    """Create a neighbourhood (admin only)."""
    require_admin(actor)
    neighbourhood = Neighbourhood(name=data["name"], city=data["city"])
    if data.get("slug"):
        ensure_slug_free(Neighbourhood, data["slug"])
        neighbourhood.slug = data["slug"]
        db.session.add(neighbourhood)
        db.session.flush()
    else:
        add_with_generated_slug(neighbourhood, data["name"])
    return neighbourhood


def update_neighbourhood(
    actor: Actor, neighbourhood_id: int, data: dict[str, Any]
) -> Neighbourhood:
    """Change a neighbourhood's name, city or slug (admin only)."""
    require_admin(actor)
    neighbourhood = get_neighbourhood(neighbourhood_id)
    if "slug" in data:
        ensure_slug_free(Neighbourhood, data["slug"], neighbourhood.id)
    for key, value in data.items():
        setattr(neighbourhood, key, value)
    db.session.flush()
    return neighbourhood


def check_neighbourhood(neighbourhood_id: int | None) -> None:
    """422 when a given neighbourhood id does not exist."""
    if neighbourhood_id is not None and db.session.get(Neighbourhood, neighbourhood_id) is None:
        raise Invalid(
            f"Neighbourhood {neighbourhood_id} does not exist.",
            code="unknown_neighbourhood",
            errors={"neighbourhood_id": ["Unknown neighbourhood."]},
        )
