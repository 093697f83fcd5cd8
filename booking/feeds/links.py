"""Subscribe in one click: a feed's URL as .ics, webcal://, and Google's and Outlook.com's
add-by-URL links."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import current_app


def subscribe_links(path: str, name: str) -> dict[str, str]:
    """The ways to subscribe to the feed at `path` (under the public base URL)."""
    ics = f"{current_app.config['PUBLIC_BASE_URL']}{path}"
    webcal = "webcal://" + ics.split("://", 1)[1]
    return {
        "ics": ics,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": ics, "name": name}),
    }
