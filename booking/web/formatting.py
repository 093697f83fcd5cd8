"""How pages write dates, times and labels: the Dutch way in Dutch ("dinsdag 12 januari,
19:00-21:00 with an en dash"), the English way in English."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from booking.config import DEFAULT_TIMEZONE
from booking.i18n import EN_DASH, date_text, when, when_of
from booking.labels import BOOKING_STATUSES, FACILITIES, GROUPS, KINDS
from booking.page_texts import page_message

# Why a date of a weekly request is not free (booking/services/search/recurring.py).
REASONS = {
    "booked": _l("booked already"),
    "closed": _l("the place is closed"),
    "outside_opening_hours": _l("outside the opening hours"),
    "public_holiday": _l("a public holiday"),
    "too_short_notice": _l("too soon to ask"),
    "duration_not_allowed": _l("this length is not allowed here"),
    "not_aligned": _l("this start time does not fit the room's time grid"),
    "too_far_ahead": _l("too far ahead"),
    "nonexistent_local_time": _l("this time does not exist that day (clocks change)"),
    # The booking rules' own codes (booking/services/booking/booking_rules.py).
    "invalid_range": _l("the end is not after the start"),
    "room_not_bookable": _l("this room cannot be booked"),
    "too_short": _l("shorter than this room allows"),
    "too_long": _l("longer than this room allows"),
    "in_the_past": _l("the time has passed"),
    "over_capacity": _l("more people than the room holds"),
    "quota_exceeded": _l("you have as many bookings here as the place allows"),
}
STATUSES = {
    "idea": _l("idea"),
    "trial": _l("on trial"),
    "running": _l("running"),
    "ended": _l("ended"),
}


def locale() -> str:
    """The language of this request: nl or en."""
    return str(get_locale() or "nl")


def format_span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """`span` for Python code (views filling in choices)."""
    return when(start, end, zone, locale())


def span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """'dinsdag 12 januari, 19:00-21:00 with an en dash'."""
    return when(start, end, zone, locale())


def span_of(item: dict[str, str], zone: ZoneInfo) -> str:
    """The span of a summary with ISO `start` and `end` (an affected booking, say)."""
    return when_of(item, zone, locale())


def day(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    """'dinsdag 12 januari', with the year when it is not this year's."""
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    this_year = datetime.now(zone or UTC).year
    pattern = "EEEE d MMMM" if value.year == this_year else "EEEE d MMMM y"
    plain = value.date() if isinstance(value, datetime) else value
    return date_text(plain, pattern, locale())


def full_day(value: date | datetime) -> str:
    """'12 januari 2027': always with the year, as a document that is filed needs it."""
    return format_date(value, "d MMMM y", locale=locale())


def clock(value: datetime, zone: ZoneInfo) -> str:
    """'19:00' (the same in both languages; strftime is many times cheaper than Babel)."""
    return value.astimezone(zone).strftime("%H:%M")


def hours(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """'19:00-21:00 with an en dash' (with the day of the end when it is another day)."""
    if end.astimezone(zone).date() != start.astimezone(zone).date():
        return f"{clock(start, zone)}{EN_DASH}{day(end, zone)} {clock(end, zone)}"
    return f"{clock(start, zone)}{EN_DASH}{clock(end, zone)}"


def ask_url(room_id: int, start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """The link that asks for a free slot: the room and the local wall-clock times."""
    begin, finish = start.astimezone(zone), end.astimezone(zone)
    return (
        f"/aanvragen?ruimte={room_id}"
        f"&van={begin.strftime('%Y-%m-%dT%H:%M')}&tot={finish.strftime('%Y-%m-%dT%H:%M')}"
    )


def kind(code: str) -> str:
    """A place kind in words."""
    return str(KINDS.get(code, code))


def _tags(codes: list[str], labels: dict[str, object]) -> str:
    return ", ".join(str(labels.get(code, code.replace("-", " "))) for code in codes)


def groups(codes: list[str]) -> str:
    """Target groups in words: 'older people, women'."""
    return _tags(codes, GROUPS)


def facilities(codes: list[str]) -> str:
    """Facilities in words: 'kitchen, wifi'."""
    return _tags(codes, FACILITIES)


def reason(code: str) -> str:
    """Why a date is not free, in words."""
    return str(REASONS.get(code, code))


def status(code: str) -> str:
    """An initiative status in words."""
    return str(STATUSES.get(code, code))


COMPLAINT_KINDS = {"complaint": _l("complaint"), "suggestion": _l("suggestion")}
COMPLAINT_STATUSES = {
    "received": _l("received"),
    "in_progress": _l("in progress"),
    "handled": _l("handled"),
}


def complaint_kind(code: str) -> str:
    """'klacht' or 'suggestie'."""
    return str(COMPLAINT_KINDS.get(code, code))


def complaint_status(code: str) -> str:
    """'ontvangen', 'in behandeling', 'afgehandeld'."""
    return str(COMPLAINT_STATUSES.get(code, code))


def number(value: float | int | str | None) -> str:
    """A figure the way the page's language writes it: 3.758,5 in Dutch; '' stays ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    pattern = "#,##0" if isinstance(value, int) else "#,##0.0"
    return format_decimal(value, pattern, locale=locale())


def percent(fraction: float) -> str:
    """0.452 as '45,2%' in Dutch, '45.2%' in English."""
    return format_percent(fraction, "0.0%", locale=locale())


def weekly(dates: Sequence[Any]) -> bool:
    """Whether bookings (with `start`, `end`, `room_id` and `zone`) fall every week at one
    local time and room, so that "weekly, from ..." describes them all."""
    if not dates:
        return True
    first = dates[0]
    shape = (first.start.astimezone(first.zone).time(), first.end - first.start, first.room_id)
    days = [item.start.astimezone(item.zone).date() for item in dates]
    return all(
        (item.start.astimezone(item.zone).time(), item.end - item.start, item.room_id) == shape
        for item in dates
    ) and all((later - earlier).days == 7 for earlier, later in pairwise(days))


def booking_status(code: str | None) -> str:
    """A booking's status in words: 'wacht op goedkeuring', 'geannuleerd'."""
    return str(BOOKING_STATUSES.get(code or "", code or ""))


def moment(value: str | None, zone: ZoneInfo | None = None) -> str:
    """An ISO instant (as the export writes it) in local time, the page's way: "dinsdag 12
    januari 2027, 19:00"; '' for none."""
    if not value:
        return ""
    local = datetime.fromisoformat(value).astimezone(zone or ZoneInfo(DEFAULT_TIMEZONE))
    text = format_date(local, "EEEE d MMMM y", locale=locale())
    return f"{text}, {local:%H:%M}"


def period(start: str, end: str) -> str:
    """Two ISO instants (as the export writes them) as one local span: "dinsdag 12 januari,
    19:00-21:00"."""
    return when(
        datetime.fromisoformat(start),
        datetime.fromisoformat(end),
        ZoneInfo(DEFAULT_TIMEZONE),
        locale(),
    )


def install(app: Flask) -> None:
    """Make the formatters available as template filters."""
    filters: dict[str, Callable[..., str]] = {
        "span": span,
        "span_of": span_of,
        "day": day,
        "clock": clock,
        "hours": hours,
        "kind": kind,
        "status": status,
        "groups": groups,
        "reason": reason,
        "facilities": facilities,
        "page_message": page_message,
        "percent": percent,
        "number": number,
        "complaint_kind": complaint_kind,
        "complaint_status": complaint_status,
        "moment": moment,
        "booking_status": booking_status,
        "period": period,
        "full_day": full_day,
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
    app.add_template_test(weekly, "weekly")
    # A global, not a context variable: imported macros see globals only.
    app.add_template_global(ask_url, "ask_url")
