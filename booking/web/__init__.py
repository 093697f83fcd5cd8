"""Pages for residents: find a place and a free slot, and subscribe. Server-rendered, Dutch
first, without JavaScript; they call the same services as the API."""

from __future__ import annotations

from flask import Flask

from booking.web import (
    admin_pages,
    asking,
    errors,
    formatting,
    host_booking,
    host_photos,
    host_profile,
    host_rooms,
    host_rules,
    host_team,
    hosting,
    media,
    mine,
    monitoring,
    signup_pages,
    starting,
    views,
)

# Once, at import: a blueprint cannot change after its first registration, and tests
# build many apps.
errors.install(views.bp)
# asking, hosting, mine, monitoring and starting add their views to the blueprint on import.
__all__ = [
    "admin_pages",
    "asking",
    "host_booking",
    "host_photos",
    "host_profile",
    "host_rooms",
    "host_rules",
    "host_team",
    "hosting",
    "media",
    "mine",
    "monitoring",
    "register_web",
    "signup_pages",
    "starting",
]


def register_web(app: Flask) -> None:
    """Register the pages (with their error pages) and their template filters."""
    app.register_blueprint(views.bp)
    formatting.install(app)
