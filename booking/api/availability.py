"""Availability: free intervals of rooms."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.base import Blueprint, View, page_of, tupled
from booking.models import utcnow
from booking.schemas.availability import (
    AvailabilityQuerySchema,
    FreeSlotSchema,
    RecurringQuerySchema,
    RecurringRoomSchema,
    RoomAvailabilityQuerySchema,
)
from booking.services.search.availability import AvailabilityFilter, find_availability
from booking.services.search.recurring import pattern_from, recurring_availability

blp = Blueprint("availability", __name__, url_prefix="/api/v1", description="Free time in rooms")


def _filter(args: dict[str, Any], **fixed: Any) -> AvailabilityFilter:
    return AvailabilityFilter(**tupled({**args, **fixed}))


@blp.route("/availability")
class Availability(View):
    @blp.arguments(AvailabilityQuerySchema, location="query")
    @blp.response(200, FreeSlotSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Free intervals of bookable rooms: opening hours minus closures and bookings."""
        return page_of(find_availability(_filter(args)), pagination_parameters)


@blp.route("/rooms/<id:room_id>/availability")
class RoomAvailability(View):
    @blp.arguments(RoomAvailabilityQuerySchema, location="query")
    @blp.response(200, FreeSlotSchema(many=True))
    @blp.paginate()
    def get(
        self, args: dict[str, Any], pagination_parameters: PaginationParameters, room_id: int
    ) -> Any:
        """Free intervals of one room."""
        return page_of(find_availability(_filter(args, room=(room_id,))), pagination_parameters)


@blp.route("/availability/recurring")
class RecurringAvailability(View):
    @blp.arguments(RecurringQuerySchema, location="query")
    @blp.response(200, RecurringRoomSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Rooms free on every date of a weekly pattern (most free dates first), with why not."""
        pattern = pattern_from(args, utcnow().date())
        filters = _filter(
            {
                k: v
                for k, v in args.items()
                if k
                not in {"weekdays", "start_time", "duration", "from_", "until", "weeks", "between"}
            }
        )
        return page_of(recurring_availability(filters, pattern), pagination_parameters)
