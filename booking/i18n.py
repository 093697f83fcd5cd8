"""Languages: Dutch first, English on request. Flask-Babel catalogues, shared by mails, feeds
and pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Flask, has_request_context, request
from flask_babel import Babel

from booking.models.account import LOCALES

DEFAULT_LOCALE = "nl"
EN_DASH = "\u2013"  # typographic span between times


LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """`?lang=en` or `?lang=nl` on a request; on a page, the language chosen before; Dutch
    otherwise."""
    if has_request_context():
        wanted = request.args.get("lang", "")
        if wanted in LOCALES:
            return wanted
        # Pages (and unknown addresses, which answer with a page) remember the choice.
        if request.blueprint in {"web", None}:
            remembered = request.cookies.get(LANGUAGE_COOKIE, "")
            if remembered in LOCALES:
                return remembered
    return DEFAULT_LOCALE


def install_babel(app: Flask) -> None:
    """Bind Flask-Babel to the app with the catalogues under booking/translations."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    Babel(app, locale_selector=select_locale)


def when(start: datetime, end: datetime, zone: ZoneInfo, locale: str) -> str:
    """A time span the way people write it: 'dinsdag 12 januari, 19:00-21:00' (an en dash)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = format_date(local_start, "EEEE d MMMM", locale=locale)
    if local_start.year != datetime.now(zone).year:
        day = format_date(local_start, "EEEE d MMMM y", locale=locale)
    start_time = format_time(local_start, "HH:mm", locale=locale)
    end_time = format_time(local_end, "HH:mm", locale=locale)
    if local_end.date() != local_start.date():
        end_day = format_date(local_end, "EEEE d MMMM", locale=locale)
        return f"{day}, {start_time} {EN_DASH} {end_day}, {end_time}"
    return f"{day}, {start_time}{EN_DASH}{end_time}"


def when_of(item: Mapping[str, Any], zone: ZoneInfo, locale: str) -> str:
    """`when` for a snapshot with ISO `start` and `end` (an event payload, an affected booking)."""
    return when(
        datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]), zone, locale
    )
