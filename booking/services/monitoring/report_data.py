"""The impact report as data for its outputs: JSON for the API, rows for the spreadsheet."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from booking.services.monitoring.impact import Figures, ImpactReport


def figures_json(figures: Figures, report: ImpactReport) -> dict[str, Any]:
    """One period's figures; what the places do not collect is null."""
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
        "by_month": [asdict(month) for month in report.by_month],
    }
