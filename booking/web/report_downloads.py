"""The impact report as a download, PDF or spreadsheet: for the host page and for the API
(where admins ask it per neighbourhood or for the whole installation)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from booking.models import utcnow
from booking.services.monitoring.impact import ImpactReport
from booking.web.report_files import (
    chart_svg,
    chart_title,
    charts_of,
    data_uri,
    group_rows,
    initiative_rows,
    month_rows,
    report_pdf,
    report_xlsx,
    summary_rows,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMED_PLACES = 3


def report_title(report: ImpactReport) -> str:
    """'Rapport van Huiskamer', or of the first few places of a wider scope."""
    names = [place.name for place in report.places]
    shown = ", ".join(names[:NAMED_PLACES]) + (" \u2026" if len(names) > NAMED_PLACES else "")
    return _("Report of %(place)s", place=shown or "-")


def report_context(report: ImpactReport) -> dict[str, Any]:
    """What the report page and its print version show."""
    headers, months = month_rows(report)
    return {
        "title": report_title(report),
        "report": report,
        "summary": summary_rows(report),
        "month_headers": headers,
        "months": months,
        "groups": group_rows(report.figures),
        "initiatives": initiative_rows(report.figures),
        "charts": [(name, chart_title(name)) for name in charts_of(report)],
    }


def report_download(report: ImpactReport, form: str, name: str = "") -> Any:
    """The report as `pdf` or `xlsx`, as an attachment."""
    name = name or f"rapport-{report.first:%Y%m%d}-{report.last:%Y%m%d}"
    if form == "xlsx":
        body, mimetype = report_xlsx(report, report_title(report)), XLSX
    else:
        context = report_context(report)
        svgs = {chart: data_uri(chart_svg(report, chart)) for chart, _title in context["charts"]}
        body = report_pdf(
            render_template("web/report_print.html", svgs=svgs, made_on=utcnow().date(), **context)
        )
        mimetype = "application/pdf"
    return current_app.response_class(
        body,
        mimetype=mimetype,
        # The full report holds a place's figures: no shared cache or disk may keep a copy.
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{form}"',
            "Cache-Control": "no-store",
        },
    )
