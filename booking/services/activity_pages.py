"""What a public activity page shows (DESIGN §14): a public, confirmed booking, or a series
with public confirmed dates. One that was public and confirmed, then cancelled or made
private, is gone (410), so a link in an imported calendar explains itself; everything else
is not found, as for a stranger in the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.errors import Gone, NotFound
from booking.extensions import db
from booking.models import Booking, Initiative, Place, Series
from booking.models.booking import CANCELLED, CONFIRMED


@dataclass(frozen=True)
class ActivityPage:
    """A public activity: its title and text, its dates (coming first), where and for what."""

    title: str
    description: str
    place: Place
    room_name: str
    coming: list[Booking]
    past: list[Booking]
    initiative: Initiative | None
    series_id: int | None


def _public(booking: Booking) -> bool:
    return booking.visibility == "public" and booking.status == CONFIRMED


def _once_public(bookings: list[Booking]) -> Gone | None:
    """Why bookings that were once a public activity are not any more, or None where none
    ever was (never confirmed, or private throughout)."""
    confirmed = [b for b in bookings if any(e.to_status == CONFIRMED for e in b.events)]
    if not confirmed:
        return None
    made_private = [
        b
        for b in confirmed
        if b.visibility != "public" and any("visibility" in (e.changes or {}) for e in b.events)
    ]
    place = confirmed[0].place
    if made_private and all(b.visibility != "public" for b in confirmed):
        return Gone(
            "This activity is no longer public.", code="activity_private", place_slug=place.slug
        )
    if all(b.visibility == "public" for b in confirmed) and all(
        b.status == CANCELLED for b in confirmed
    ):
        return Gone(
            "This activity was cancelled.", code="activity_cancelled", place_slug=place.slug
        )
    return None


def booking_page(booking_id: int, now: datetime) -> ActivityPage:
    """One public booking (a date of a series shows its series' dates too); 410 when it
    was and is no longer; 404 otherwise."""
    booking = db.session.get(Booking, booking_id)
    if booking is not None and not _public(booking) and booking.series_id is None:
        gone = _once_public([booking])
        if gone is not None:
            raise gone
    if booking is not None and not _public(booking) and booking.series_id is not None:
        return series_page(booking.series_id, now)
    if booking is None or not _public(booking):
        raise NotFound(f"Activity {booking_id} does not exist.")
    if booking.series_id is not None:
        return series_page(booking.series_id, now)
    return _page(booking.title, booking.description, [booking], booking, None, now)


def series_page(series_id: int, now: datetime) -> ActivityPage:
    """A series with its public confirmed dates; 404 when it has none."""
    series = db.session.get(Series, series_id)
    dates = (
        list(
            db.session.scalars(
                select(Booking)
                .where(
                    Booking.series_id == series_id,
                    Booking.visibility == "public",
                    Booking.status == CONFIRMED,
                )
                .options(selectinload(Booking.room), selectinload(Booking.place))
                .order_by(Booking.start)
            )
        )
        if series is not None
        else []
    )
    if not dates:
        gone = _once_public(list(series.bookings)) if series is not None else None
        raise gone or NotFound(f"Series {series_id} does not exist.")
    first = dates[0]
    return _page(first.title, first.description, dates, first, series_id, now)


def _page(
    title: str,
    description: str,
    dates: list[Booking],
    first: Booking,
    series_id: int | None,
    now: datetime,
) -> ActivityPage:
    initiative = db.session.get(Initiative, first.initiative_id) if first.initiative_id else None
    return ActivityPage(
        title=title,
        description=description or "",
        place=first.place,
        room_name=first.room.name,
        coming=[b for b in dates if b.end > now],
        past=[b for b in dates if b.end <= now][-10:],
        initiative=initiative,
        series_id=series_id,
    )


# A series page describes its coming dates, up to a year of weekly ones.
MAX_DATES_DESCRIBED = 52


def _event(page: ActivityPage, booking: Booking, url: str) -> dict[str, Any]:
    """One date as a schema.org Event."""
    place = page.place
    event: dict[str, Any] = {
        "@type": "Event",
        "name": page.title,
        "url": url,
        "startDate": booking.start.astimezone(place.zone).isoformat(),
        "endDate": booking.end.astimezone(place.zone).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place_json_ld(place, None),
        "organizer": _organizer(page, booking),
    }
    # Only what the organiser said: nothing where they did not say whether it is free.
    if booking.free_of_charge is not None:
        event["isAccessibleForFree"] = booking.free_of_charge
    if page.description:
        event["description"] = page.description
    return event


def _organizer(page: ActivityPage, booking: Booking) -> dict[str, Any]:
    """Who organises it, as far as it is public: the initiative, a partner organisation
    that booked, or else the place (a resident's own name is never published)."""
    if page.initiative is not None:
        return {"@type": "Organization", "name": page.initiative.title}
    booker = booking.booked_by
    if booker is not None and booker.kind == "organisation" and booker.erased_at is None:
        return {"@type": "Organization", "name": booker.name}
    return {"@type": "Organization", "name": page.place.name}


def event_json_ld(page: ActivityPage, url: str) -> dict[str, Any]:
    """schema.org for search engines and city agendas: an Event for one activity; for a
    series, an EventSeries with an Event for each coming date."""
    if page.series_id is None:
        shown = page.coming[0] if page.coming else page.past[-1]
        return {"@context": "https://schema.org", **_event(page, shown, url)}
    dates = (page.coming or page.past[-1:])[:MAX_DATES_DESCRIBED]
    series: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "name": page.title,
        "url": url,
        "location": place_json_ld(page.place, None),
        "organizer": _organizer(page, dates[0]),
        "subEvent": [_event(page, booking, url) for booking in dates],
    }
    if page.description:
        series["description"] = page.description
    return series


def place_json_ld(place: Place, url: str | None) -> dict[str, Any]:
    """schema.org Place with its postal address and, where known, its position."""
    found: dict[str, Any] = {"@type": "Place", "name": place.name}
    if url is not None:
        found = {"@context": "https://schema.org", **found, "url": url}
    if place.street or place.city:
        found["address"] = {
            "@type": "PostalAddress",
            "streetAddress": place.street or "",
            "postalCode": place.postcode or "",
            "addressLocality": place.city or "",
            "addressCountry": "NL",
        }
    if url is not None and place.photos:
        from flask import current_app

        from booking.services.photos import photo_urls

        base = current_app.config["PUBLIC_BASE_URL"]
        found["image"] = [base + photo_urls(photo)["large"] for photo in place.photos]
    if place.latitude is not None and place.longitude is not None:
        found["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
    return found
