"""Neighbourhoods: listed by anyone, written by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from booking.errors import NotFound
from booking.extensions import db
from booking.models import Neighbourhood
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


def get_neighbourhood(neighbourhood_id: int) -> Neighbourhood:
    """One neighbourhood."""
    return get_or_404(Neighbourhood, neighbourhood_id)


def get_neighbourhood_by_slug(slug: str) -> Neighbourhood:
    """One neighbourhood by its slug."""
    neighbourhood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == slug))
    if neighbourhood is None:
        raise NotFound(f"No neighbourhood is called {slug!r}.")
    return neighbourhood


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
