"""The usage report as a spreadsheet reads it in the page's language.

Dutch Excel splits a CSV on `;` and reads `12,5` as a number, so the Dutch file uses those,
with Dutch headers, labels and occupancy as a percentage. The API's CSV stays the same for
programs (booking/services/reports.py).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from babel.dates import format_date
from flask_babel import gettext as _

from booking.labels import group_label
from booking.services.reports import NO_TARGET_GROUP, PlaceUsage, safe_cell, usage_rows


def _headers() -> list[str]:
    return [
        _("Level"),
        _("Place number"),
        _("Place"),
        _("Room number"),
        _("Room"),
        _("From"),
        _("Until"),
        _("Open hours"),
        _("Booked hours"),
        _("Occupancy (%)"),
        _("Activities"),
        _("Initiatives"),
        _("Activities per target group"),
        _("Cancelled"),
        _("Declined"),
    ]


def _group(code: str) -> str:
    """A target group in words; activities of no initiative with groups say so."""
    return _("no target group") if code == NO_TARGET_GROUP else group_label(code)


def _number(value: float, comma: bool) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if comma else text


def spreadsheet_csv(report: list[PlaceUsage], locale: str) -> str:
    """The report as a CSV for a spreadsheet in `locale` (nl: `;` and a decimal comma)."""
    dutch = locale == "nl"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(_headers())

    def day(value: date | None) -> str:
        return format_date(value, "dd-MM-yyyy" if dutch else "yyyy-MM-dd") if value else ""

    for row in usage_rows(report):
        level, place_id, place, room_id, room, first, last, open_h, booked_h, occupancy = row[:10]
        activities, initiatives, groups, cancelled, declined = row[10:]
        cells = [
            _("place") if level == "place" else _("room"),
            place_id,
            place,
            "" if room_id is None else room_id,
            room,
            day(first),
            day(last),
            _number(open_h, dutch),
            _number(booked_h, dutch),
            "" if occupancy is None else _number(occupancy * 100, dutch),
            activities,
            initiatives,
            ", ".join(f"{_group(g)}: {n}" for g, n in groups.items()),
            cancelled,
            declined,
        ]
        writer.writerow([safe_cell(str(cell)) for cell in cells])
    return out.getvalue()
