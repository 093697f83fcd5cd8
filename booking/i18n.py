"""Languages: Dutch first, English on request. Flask-Babel catalogues, shared by mails, feeds
and pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
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


@lru_cache(maxsize=4096)
def date_text(value: date, pattern: str, locale: str) -> str:
    """A date in a CLDR pattern: Babel's, kept, since a page names the same few days many
    times and Babel formats each from its locale data."""
    return format_date(value, pattern, locale=locale)


def when(start: datetime, end: datetime, zone: ZoneInfo, locale: str) -> str:
    """A time span the way people write it: 'dinsdag 12 januari, 19:00-21:00' (an en dash)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    pattern = "EEEE d MMMM" if local_start.year == datetime.now(zone).year else "EEEE d MMMM y"
    day = date_text(local_start.date(), pattern, locale)
    # 'HH:mm' is the same in both languages, and strftime is many times cheaper than Babel.
    start_time, end_time = local_start.strftime("%H:%M"), local_end.strftime("%H:%M")
    if local_end.date() != local_start.date():
        end_day = date_text(local_end.date(), "EEEE d MMMM", locale)
        return f"{day}, {start_time} {EN_DASH} {end_day}, {end_time}"
    return f"{day}, {start_time}{EN_DASH}{end_time}"


def when_of(item: Mapping[str, Any], zone: ZoneInfo, locale: str) -> str:
    """`when` for a snapshot with ISO `start` and `end` (an event payload, an affected booking)."""
    return when(
        datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]), zone, locale
    )
