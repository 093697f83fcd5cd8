"""Bookings and recurring series."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View, tupled
from booking.api.writes import IDEMPOTENCY_DOC, booking_write_limit, idempotent
from booking.errors import PROBLEM_MIMETYPE
from booking.models import Booking
from booking.models.booking import CONFIRMED, DECLINED
from booking.schemas.booking import (
    BookingConflictSchema,
    BookingCreateSchema,
    BookingEventSchema,
    BookingQuerySchema,
    BookingSchema,
    ReasonSchema,
    SeriesCancelResultSchema,
    SeriesCancelSchema,
    SeriesChangeSchema,
    SeriesCreateSchema,
    SeriesDecisionResultSchema,
    SeriesDecisionSchema,
    SeriesProblemSchema,
    SeriesResultSchema,
    SeriesSchema,
)
from booking.services.booking import bookings, series
from booking.services.booking.booking_access import BookingFilter
from booking.services.monitoring.attendance import prefetch

blp = Blueprint("bookings", __name__, url_prefix="/api/v1", description="Bookings and series")


# Creating and moving a booking can both meet what is in the way.
booking_conflict_doc = blp.alt_response(
    409,
    schema=BookingConflictSchema,
    description="booking_conflict",
    content_type=PROBLEM_MIMETYPE,
)


@blp.route("/bookings")
class Bookings(View):
    @blp.arguments(BookingQuerySchema, location="query")
    @blp.response(200, BookingSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """List bookings: public ones for everyone, plus your own and those at places you host."""
        filters = BookingFilter(**tupled(args))
        items, total = bookings.list_bookings(
            current_actor(), filters, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        prefetch([item for item in items if isinstance(item, Booking)])
        return items

    @idempotent
    @booking_write_limit
    @blp.doc(**SECURED, **IDEMPOTENCY_DOC)
    @blp.arguments(BookingCreateSchema)
    @blp.response(201, BookingSchema)
    @booking_conflict_doc
    def post(self, data: dict[str, Any]) -> Any:
        """Book a room; 409 `booking_conflict` names what is in the way and alternatives."""
        return bookings.create_booking(current_actor(), data)


@blp.route("/bookings/<id:booking_id>")
class BookingById(View):
    @blp.response(200, BookingSchema)
    def get(self, booking_id: int) -> Any:
        """Read a booking (a private one shows outsiders only room and time)."""
        return bookings.get_booking(current_actor(), booking_id)

    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(BookingCreateSchema(partial=True))
    @blp.response(200, BookingSchema)
    @booking_conflict_doc
    def patch(self, data: dict[str, Any], booking_id: int) -> Any:
        """Change or move a booking (booker, hosts, admins); a move is checked again."""
        return bookings.update_booking(current_actor(), booking_id, data)


@blp.route("/bookings/<id:booking_id>/confirm")
class ConfirmBooking(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Confirm a pending request (hosts of the place, admins)."""
        return bookings.confirm_booking(current_actor(), booking_id, data["reason"])


@blp.route("/bookings/<id:booking_id>/decline")
class DeclineBooking(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Decline a pending request (hosts of the place, admins)."""
        return bookings.decline_booking(current_actor(), booking_id, data["reason"])


@blp.route("/bookings/<id:booking_id>/cancel")
class CancelBooking(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Cancel a booking that has not ended (booker, hosts, admins)."""
        return bookings.cancel_booking(current_actor(), booking_id, data["reason"])


@blp.route("/bookings/<id:booking_id>/history")
class BookingHistory(View):
    @blp.doc(**SECURED)
    @blp.response(200, BookingEventSchema(many=True))
    def get(self, booking_id: int) -> Any:
        """Every change of a booking: who, when, from which status to which, why."""
        return bookings.booking_history(current_actor(), booking_id)


@blp.route("/series")
class SeriesCollection(View):
    @idempotent
    @booking_write_limit
    @blp.doc(**SECURED, **IDEMPOTENCY_DOC)
    @blp.arguments(SeriesCreateSchema)
    @blp.response(201, SeriesResultSchema)
    @blp.alt_response(200, schema=SeriesResultSchema, description="dry run: nothing written")
    @blp.alt_response(
        409,
        schema=SeriesProblemSchema,
        description="series_conflict",
        content_type=PROBLEM_MIMETYPE,
    )
    @blp.alt_response(
        422,
        schema=SeriesProblemSchema,
        description="series_invalid, or input",
        content_type=PROBLEM_MIMETYPE,
    )
    def post(self, data: dict[str, Any]) -> Any:
        """Book a recurring series, all or nothing (or skip what conflicts); dry_run previews."""
        outcome = series.create_series(current_actor(), data)
        body = {
            "series": outcome.series,
            "created": outcome.created,
            "skipped": outcome.skipped,
            "dry_run": outcome.dry_run,
        }
        return (body, 200) if outcome.dry_run else body


@blp.route("/series/<id:series_id>")
class SeriesById(View):
    @blp.doc(**SECURED)
    @blp.response(200, SeriesSchema)
    def get(self, series_id: int) -> Any:
        """Read a series (its booker, hosts of the place, admins)."""
        return series.get_series(current_actor(), series_id)

    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(SeriesChangeSchema)
    @blp.response(200, SeriesSchema)
    def patch(self, data: dict[str, Any], series_id: int) -> Any:
        """Change what applies to every coming date: title, description, visibility, the
        initiative, whether it is free (its booker, hosts of the place, admins)."""
        return series.update_series(current_actor(), series_id, data)


@blp.route("/series/<id:series_id>/cancel")
class CancelSeries(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(SeriesCancelSchema, required=False)
    @blp.response(200, SeriesCancelResultSchema)
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """Cancel every occurrence that has not ended, or this and following (`from`)."""
        found, cancelled = series.cancel_series(
            current_actor(), series_id, data.get("from_"), data["reason"]
        )
        return {"series": found, "cancelled": cancelled}


def _decide_series(series_id: int, data: dict[str, Any], to_status: str) -> dict[str, Any]:
    found, decided = series.decide_series(
        current_actor(), series_id, to_status, data.get("from_"), data["reason"]
    )
    return {"series": found, "decided": decided}


@blp.route("/series/<id:series_id>/confirm")
class ConfirmSeries(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(SeriesDecisionSchema, required=False)
    @blp.response(200, SeriesDecisionResultSchema)
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """Confirm every pending occurrence (hosts, admins); the booker gets one mail."""
        return _decide_series(series_id, data, CONFIRMED)


@blp.route("/series/<id:series_id>/decline")
class DeclineSeries(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(SeriesDecisionSchema, required=False)
    @blp.response(200, SeriesDecisionResultSchema)
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """Decline every pending occurrence (hosts, admins), with a reason; one mail."""
        return _decide_series(series_id, data, DECLINED)
