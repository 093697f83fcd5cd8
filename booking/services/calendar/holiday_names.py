"""The names of Dutch public holidays ("Eerste Kerstdag", "Koningsdag"), from the holidays
library, in the reader's language. Which days are holidays stays the opening hours' `PH`
(opening-hours-py); this only names them."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

# The library's language codes for ours.
LANGUAGES = {"nl": "nl", "en": "en_US"}


@cache
def _year(year: int, language: str) -> dict[date, str]:
    found = holidays.country_holidays("NL", years=year, language=language)
    return dict(found.items())


def holiday_name(day: date, locale: str) -> str | None:
    """The holiday's name on that day in `locale` (nl or en), or None for a day the library
    does not name."""
    return _year(day.year, LANGUAGES.get(locale, "nl")).get(day)
