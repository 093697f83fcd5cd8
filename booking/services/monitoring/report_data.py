"""The impact report as data for its outputs: JSON for the API, rows for the spreadsheet."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from booking.services.monitoring.impact import Figures, ImpactReport

NOT_YET = (
    "Nothing was recorded a year before this period: the comparison starts when the place joined."
)


def figures_json(figures: Figures | None, report: ImpactReport) -> dict[str, Any]:
    """One period's figures; what the places do not collect is null, and so is everything
    of a period before anything was recorded (None)."""
    if figures is None:
        return dict.fromkeys(figures_json(Figures(), report))
    return {
        "open_hours": figures.open_hours,
        "used_hours": figures.used_hours,
        "occupancy": figures.occupancy,
        "activities": figures.activities,
        "activities_without_attendance": figures.activities_without_attendance,
        "visitors": figures.visitors,
        "first_time_visitors": figures.first_time_visitors,
        "target_groups": figures.target_groups,
        "initiatives": figures.initiatives,
        "feedback": figures.feedback,
        "complaints": figures.complaints,
    }


def impact_json(report: ImpactReport) -> dict[str, Any]:
    """The full report as the API answers it."""
    return {
        "from": report.first.isoformat(),
        "to": report.last.isoformat(),
        "places": [{"id": p.id, "name": p.name} for p in report.places],
        **figures_json(report.figures, report),
        "last_year": figures_json(report.last_year, report),
        "last_year_note": NOT_YET if report.last_year is None else None,
        "by_month": [asdict(month) for month in report.by_month],
    }
