"""Monitoring: attendance, anonymous feedback, complaints, and the impact report."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import get_locale
from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.errors import Forbidden
from booking.extensions import limiter
from booking.ratelimits import ANONYMOUS_INPUT_SCOPE, anonymous_input_limit
from booking.schemas.monitoring import (
    AttendanceInputSchema,
    AttendanceSchema,
    ComplaintChangeSchema,
    ComplaintInputSchema,
    ComplaintReceiptSchema,
    ComplaintSchema,
    FeedbackChangeSchema,
    FeedbackInputSchema,
    FeedbackSchema,
    ImpactQuerySchema,
)
from booking.services.monitoring import attendance, complaints, feedback
from booking.services.monitoring.impact import impact_report, open_figures, scope_for
from booking.services.monitoring.report_data import impact_json

blp = Blueprint("monitoring", __name__, url_prefix="/api/v1", description="Monitoring")


anonymous_input = limiter.shared_limit(anonymous_input_limit, scope=ANONYMOUS_INPUT_SCOPE)


def _open_figures_limit() -> str:
    return str(current_app.config["OPEN_FIGURES_RATE_LIMIT"])


def _with_token() -> bool:
    # Hosts and admins read their full reports with a token; the open figures are anyone's.
    return "Authorization" in request.headers


@blp.route("/bookings/<id:booking_id>/attendance")
class BookingAttendance(View):
    @blp.doc(**SECURED)
    @blp.arguments(AttendanceInputSchema)
    @blp.response(200, AttendanceSchema)
    def put(self, data: dict[str, Any], booking_id: int) -> Any:
        """Record how many came, after the activity ended (its booker, hosts, admins)."""
        return attendance.record_attendance(current_actor(), booking_id, data)


@blp.route("/places/<id:place_id>/feedback")
class PlaceFeedback(View):
    @anonymous_input
    @blp.arguments(FeedbackInputSchema)
    @blp.response(201, FeedbackSchema)
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """Say how it was, anonymously: a score of 1 to 5 and an optional comment."""
        return feedback.give_feedback(place_id, data)

    @blp.doc(**SECURED)
    @blp.response(200, FeedbackSchema(many=True))
    @blp.paginate()
    def get(self, place_id: int, pagination_parameters: PaginationParameters) -> Any:
        """The place's feedback, newest first, hidden comments included (hosts, admins)."""
        items, total = feedback.list_feedback(
            current_actor(), place_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/feedback/<id:feedback_id>")
class FeedbackById(View):
    @blp.doc(**SECURED)
    @blp.arguments(FeedbackChangeSchema)
    @blp.response(200, FeedbackSchema)
    def patch(self, data: dict[str, Any], feedback_id: int) -> Any:
        """Hide an abusive comment, or show it again (hosts of the place, admins)."""
        return feedback.hide_feedback(current_actor(), feedback_id, data["hidden"])


@blp.route("/places/<id:place_id>/complaints")
class PlaceComplaints(View):
    @anonymous_input
    @blp.arguments(ComplaintInputSchema)
    @blp.response(201, ComplaintReceiptSchema)
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """File a complaint or suggestion; leave a name and address to get an answer."""
        return complaints.file_complaint(place_id, data, str(get_locale() or "nl"))

    @blp.doc(**SECURED)
    @blp.response(200, ComplaintSchema(many=True))
    @blp.paginate()
    def get(self, place_id: int, pagination_parameters: PaginationParameters) -> Any:
        """The place's complaints, open ones first (hosts, admins)."""
        items, total = complaints.list_complaints(
            current_actor(), place_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/complaints/<id:complaint_id>")
class ComplaintById(View):
    @blp.doc(**SECURED)
    @blp.response(200, ComplaintSchema)
    def get(self, complaint_id: int) -> Any:
        """One complaint (hosts of its place, admins)."""
        return complaints.get_complaint(current_actor(), complaint_id)

    @blp.doc(**SECURED)
    @blp.arguments(ComplaintChangeSchema)
    @blp.response(200, ComplaintSchema)
    def patch(self, data: dict[str, Any], complaint_id: int) -> Any:
        """Move a complaint on: in progress, or handled with the answer the filer is mailed."""
        return complaints.update_complaint(current_actor(), complaint_id, data)


# Three representations of the full report: JSON by default, PDF and a spreadsheet.
IMPACT_RESPONSE: dict[str, Any] = {
    "description": "The impact report (in full, or the open figures per month)",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
    },
}


@blp.route("/reports/impact")
class ImpactReport(View):
    @limiter.limit(_open_figures_limit, exempt_when=_with_token)
    @blp.arguments(ImpactQuerySchema, location="query")
    @blp.response(200)
    @blp.doc(responses={"200": IMPACT_RESPONSE})
    def get(self, args: dict[str, Any]) -> Any:
        """The impact report: in full for hosts of the places and admins; for anyone else
        the open figures per month, each below the minimum count left out."""
        scope, places, full = scope_for(
            current_actor(), tuple(args.get("place", ())), tuple(args.get("neighbourhood", ()))
        )
        if not full and args["format"] != "json":
            raise Forbidden(
                "The PDF and the spreadsheet are the full report: for hosts and admins.",
                code="not_a_host",
            )
        if not full:
            return open_figures(places, args["from_"], args["to"])
        report = impact_report(scope, args["from_"], args["to"], places)
        if args["format"] != "json":
            from booking.web.report_downloads import report_download

            return report_download(report, args["format"])
        return impact_json(report)
