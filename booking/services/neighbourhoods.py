"""Neighbourhoods: listed by anyone, written by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from booking.errors import Conflict
from booking.extensions import db
from booking.models import Neighbourhood
from booking.services.authorization import Actor, require_admin
from booking.services.common import fetch_page, get_or_404, slugify


def list_neighbourhoods(page: int, page_size: int) -> tuple[list[Neighbourhood], int]:
    """All neighbourhoods by city and name."""
    stmt = select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
    return fetch_page(stmt, page, page_size)


def get_neighbourhood(neighbourhood_id: int) -> Neighbourhood:
    """One neighbourhood."""
    return get_or_404(Neighbourhood, neighbourhood_id)


def _check_slug_free(slug: str, own_id: int | None = None) -> None:
    found = db.session.scalar(select(Neighbourhood.id).where(Neighbourhood.slug == slug))
    if found is not None and found != own_id:
        raise Conflict(f"The slug '{slug}' is already taken.", code="slug_taken")


def create_neighbourhood(actor: Actor, data: dict[str, Any]) -> Neighbourhood:
    """Create a neighbourhood (admin only)."""
    require_admin(actor)
    slug = data.get("slug") or slugify(data["name"])
    _check_slug_free(slug)
    neighbourhood = Neighbourhood(slug=slug, name=data["name"], city=data["city"])
    db.session.add(neighbourhood)
    db.session.flush()
    return neighbourhood


def update_neighbourhood(
    actor: Actor, neighbourhood_id: int, data: dict[str, Any]
) -> Neighbourhood:
    """Change a neighbourhood's name, city or slug (admin only)."""
    require_admin(actor)
    neighbourhood = get_neighbourhood(neighbourhood_id)
    if "slug" in data:
        _check_slug_free(data["slug"], neighbourhood.id)
    for key, value in data.items():
        setattr(neighbourhood, key, value)
    db.session.flush()
    return neighbourhood
