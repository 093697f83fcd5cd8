"""The impact report's charts, spreadsheet and PDF, in the page's language.

Charts are pygal SVG files served on their own (the pages' CSP allows no inline style or
script, and an SVG shown as an image runs none); each has a table beside it as its text
alternative. The spreadsheet has one sheet per table; the PDF is the print page rendered by
WeasyPrint, with the same charts.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from babel.dates import format_date
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from booking.labels import GROUPS
from booking.services.monitoring.impact import Figures, ImpactReport
from booking.web.charting import Style, pygal
from booking.web.formatting import locale

CHARTS = ("gebruik", "bezoekers", "waardering")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_STYLE = Style(
    font_family="DejaVu Sans, Noto Sans, sans-serif",
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2126",
    foreground_strong="#1d2126",
    foreground_subtle="#4a5360",
    colors=("#0b5d3b", "#b3470c", "#4a5360"),
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    title_font_size=18,
)


def month_label(month: str) -> str:
    """'2026-03' as 'mrt 2026' (Dutch) or 'Mar 2026'."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "MMM y", locale=locale())


def chart_title(name: str) -> str:
    """The title (and image alt text) of a chart."""
    return {
        "gebruik": _("Hours open and hours used, per month"),
        "bezoekers": _("Visitors and first-time visitors, per month"),
        "waardering": _("Average feedback score (1 to 5), per month"),
    }[name]


def chart_svg(report: ImpactReport, name: str) -> str:
    """One chart of the report as an SVG document (no script)."""
    labels = [month_label(m.month) for m in report.by_month]
    common: dict[str, Any] = {
        "style": _STYLE,
        "js": [],
        "width": 800,
        "height": 380,
        "x_labels": labels,
        "title": chart_title(name),
        "legend_at_bottom": True,
        "print_values": False,
        "truncate_label": -1,
        "x_label_rotation": 30 if len(labels) > 6 else 0,
        "no_data_text": _("No figures yet"),
    }
    if name == "gebruik":
        chart = pygal.Bar(**common)
        chart.add(_("Open hours"), [m.open_hours for m in report.by_month])
        chart.add(_("Used hours"), [m.used_hours for m in report.by_month])
    elif name == "bezoekers":
        chart = pygal.Bar(**common)
        chart.add(_("Visitors"), [m.visitors for m in report.by_month])
        chart.add(_("First time"), [m.first_time_visitors for m in report.by_month])
    else:
        # A month without answers is a gap in the line, not a drop; each label says how
        # many answers its average is of.
        common["x_labels"] = [
            _("%(month)s (%(num)d)", month=label, num=m.feedback_count)
            for label, m in zip(labels, report.by_month, strict=True)
        ]
        chart = pygal.Line(range=(1, 5), allow_interruptions=True, **common)
        chart.add(
            _("Average score (answers per month in brackets)"),
            [m.feedback_average if m.feedback_count else None for m in report.by_month],
        )
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def charts_of(report: ImpactReport) -> list[str]:
    """The charts this report has: only what its places collect."""
    names = ["gebruik"]
    if report.counts_visitors:
        names.append("bezoekers")
    if report.asks_feedback:
        names.append("waardering")
    return names


def data_uri(svg: str) -> str:
    """An SVG as a data: URI, for the PDF (WeasyPrint reads it; pages never use one)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _number(value: float | int | None) -> Any:
    return "" if value is None else value


# A year before anything was recorded: a dash, not a zero that reads as growth from nothing.
NOTHING_BEFORE = "\u2014"


def summary_rows(report: ImpactReport) -> list[tuple[str, Any, Any]]:
    """(figure, this period, a year before), only what the places collect."""
    now, before = report.figures, report.last_year

    def pair(getter: Any) -> tuple[Any, Any]:
        return _number(getter(now)), NOTHING_BEFORE if before is None else _number(getter(before))

    rows: list[tuple[str, Any, Any]] = [
        (_("Hours open"), *pair(lambda f: f.open_hours)),
        (_("Hours used"), *pair(lambda f: f.used_hours)),
        (
            _("Occupancy (%)"),
            *pair(lambda f: None if f.occupancy is None else round(f.occupancy * 100, 1)),
        ),
        (_("Activities held"), *pair(lambda f: f.activities)),
    ]
    if report.counts_visitors:
        rows += [
            (_("Visitors"), *pair(lambda f: f.visitors)),
            (_("First-time visitors"), *pair(lambda f: f.first_time_visitors)),
            (_("Activities without a count"), *pair(lambda f: f.activities_without_attendance)),
        ]
    if report.asks_feedback:
        rows += [
            (_("Feedback given"), *pair(lambda f: (f.feedback or {}).get("count"))),
            (_("Average score (1 to 5)"), *pair(lambda f: (f.feedback or {}).get("average"))),
        ]
    rows += [
        (_("Complaints and suggestions received"), *pair(lambda f: f.complaints["received"])),
        (_("Handled"), *pair(lambda f: f.complaints["handled"])),
        (_("Handled within six weeks"), *pair(lambda f: f.complaints["handled_on_time"])),
    ]
    return rows


def initiative_rows(figures: Figures) -> list[tuple[str, int]]:
    """The initiatives' lifecycle in the period."""
    found = figures.initiatives
    outcomes = found.get("outcomes", {})
    return [
        (_("Started"), found.get("started", 0)),
        (_("Went on trial"), found.get("on_trial", 0)),
        (_("Continued (running)"), found.get("continued", 0)),
        (_("Ended"), found.get("ended", 0)),
        (_("of which continued elsewhere or otherwise"), outcomes.get("continued", 0)),
        (_("of which stopped"), outcomes.get("stopped", 0)),
        (_("of which moved"), outcomes.get("moved", 0)),
    ]


def group_rows(figures: Figures) -> list[tuple[str, int]]:
    """Activities per target group of their initiative."""
    return [
        (str(GROUPS.get(group, group)), count) for group, count in figures.target_groups.items()
    ]


def month_rows(report: ImpactReport) -> tuple[list[str], list[list[Any]]]:
    """The per-month table: headers and rows, only what the places collect."""
    headers = [_("Month"), _("Hours open"), _("Hours used"), _("Activities")]
    if report.counts_visitors:
        headers += [_("Visitors"), _("First time")]
    if report.asks_feedback:
        headers += [_("Feedback given"), _("Average score")]
    if report.counts_signups:
        headers += [_("Signed up"), _("Did not come")]
    rows = []
    for m in report.by_month:
        row: list[Any] = [month_label(m.month), m.open_hours, m.used_hours, m.activities]
        if report.counts_visitors:
            row += [_number(m.visitors), _number(m.first_time_visitors)]
        if report.asks_feedback:
            row += [m.feedback_count, _number(m.feedback_average)]
        if report.counts_signups:
            row += [_number(m.signups), _number(m.no_shows)]
        rows.append(row)
    return headers, rows


def report_xlsx(report: ImpactReport, title: str) -> bytes:
    """The report as a workbook with one sheet per table."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"{report.first.isoformat()} \u2013 {report.last.isoformat()}"])
    summary.append([])
    summary.append([_("Figure"), _("This period"), _("A year before")])
    for row in summary_rows(report):
        summary.append(list(row))
    sheets: list[tuple[str, list[str], list[Any]]] = [
        (_("Per month"), *month_rows(report)),
        (_("Target groups"), [_("Target group"), _("Activities")], group_rows(report.figures)),
        (_("Initiatives"), [_("Initiatives"), _("Number")], initiative_rows(report.figures)),
    ]
    for name, headers, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in rows:
            sheet.append(list(values))
    for sheet in book.worksheets:
        sheet.column_dimensions["A"].width = 42
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


STATIC = Path(__file__).resolve().parent / "static"


def report_pdf(html: str) -> bytes:
    """The print page as a PDF (A4), for attaching to a subsidy report. WeasyPrint fetches
    nothing but `data:` URLs and the app's own static files: a text in the report that
    names an address never makes the server call it."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class OwnFilesOnly(URLFetcher):  # type: ignore[misc]
        """A fetcher that refuses the network and every file outside booking/web/static."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """`data:` as WeasyPrint reads it; static files from disk; nothing else."""
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(unquote(url.removeprefix("file://").split("?")[0])).resolve()
                if path.is_relative_to(STATIC) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"not fetched: {url[:60]}")

    return bytes(HTML(string=html, url_fetcher=OwnFilesOnly()).write_pdf())
