"""The front page's search, read from its form: what a resident asked, as an availability
filter. Pure functions; a bad value becomes a message, not an error page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import date as Day  # the Search field `date` hides the type in its class
from typing import Any

from flask_babel import lazy_gettext as _l

from booking.models.initiative import DAY_PARTS, WEEKDAYS
from booking.services.search.availability import AvailabilityFilter

SEARCH_DAYS = 14  # how far a weekday search looks ahead
DATE_AHEAD = timedelta(days=366)  # a date search looks at most this far
UNKNOWN_NEIGHBOURHOOD = _l("Choose a neighbourhood from the list.")
MAX_PEOPLE = 1000
# Leftovers shorter than this are not worth offering to someone who wants to start something.
MIN_MINUTES = 60


@dataclass
class Search:
    """The form as the resident filled it in, and what it means."""

    date: str = ""
    weekday: str = ""
    part: str = ""
    people: str = ""
    neighbourhood: str = ""
    step_free: bool = False
    errors: dict[str, Any] = field(default_factory=dict)

    def check_date(self, today: Day) -> None:
        """A date must be today or in the coming year."""
        if not self.date or "datum" in self.errors:
            return
        day = Day.fromisoformat(self.date)
        if not today <= day <= today + DATE_AHEAD:
            self.errors["datum"] = _l("Choose a date from today to a year ahead.")

    @property
    def asked(self) -> bool:
        """Whether anything was filled in (the bare front page shows the coming week)."""
        return bool(self.date or self.weekday or self.part or self.people or self.neighbourhood)


def read_search(args: Any) -> Search:
    """The search from the query string; unknown or bad values leave an error message."""
    search = Search(
        date=args.get("datum", "").strip()[:10],
        weekday=args.get("dag", "").strip()[:2],
        part=args.get("dagdeel", "").strip()[:10],
        people=args.get("personen", "").strip()[:5],
        neighbourhood=args.get("wijk", "").strip()[:80],
        step_free=args.get("drempelvrij") == "1",
    )
    if search.date:
        try:
            date.fromisoformat(search.date)
        except ValueError:
            search.errors["datum"] = _l("Give a date like 2027-01-12.")
    if search.weekday and search.weekday not in WEEKDAYS:
        search.errors["dag"] = _l("Choose a day of the week.")
    if search.part and search.part not in DAY_PARTS:
        search.errors["dagdeel"] = _l("Choose morning, afternoon or evening.")
    if search.people and not (
        search.people.isascii() and search.people.isdigit() and 1 <= int(search.people) <= 1000
    ):
        search.errors["personen"] = _l("Give a number of people from 1 to 1000.")
    return search


def availability_filter(
    search: Search, today: date, neighbourhood_id: int | None
) -> AvailabilityFilter:
    """The availability search the form asks for: one date, or the coming two weeks."""
    if search.date and "datum" not in search.errors:
        first = last = date.fromisoformat(search.date)
    else:
        first, last = today, today + timedelta(days=SEARCH_DAYS - 1)
    weekdays = (WEEKDAYS.index(search.weekday),) if search.weekday in WEEKDAYS else ()
    return AvailabilityFilter(
        from_=first,
        to=last,
        min_duration=MIN_MINUTES,
        capacity=int(search.people) if search.people and "personen" not in search.errors else None,
        neighbourhood=(neighbourhood_id,) if neighbourhood_id is not None else (),
        step_free=True if search.step_free else None,
        weekdays=weekdays,
        between=DAY_PARTS.get(search.part),
    )
