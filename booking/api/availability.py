"""Availability: free intervals of rooms."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.base import Blueprint, View, page_of, tupled
from booking.models import utcnow
from booking.schemas.availability import (
    AvailabilityAnswerSchema,
    AvailabilityQuerySchema,
    FreeSlotSchema,
    RecurringQuerySchema,
    RecurringRoomSchema,
    RoomAvailabilityQuerySchema,
)
from booking.services.neighbourhoods import neighbourhood_ids
from booking.services.search.availability import (
    AvailabilityFilter,
    availability_by_room,
    find_availability,
)
from booking.services.search.recurring import pattern_from, recurring_availability

blp = Blueprint("availability", __name__, url_prefix="/api/v1", description="Free time in rooms")


def _filter(args: dict[str, Any], **fixed: Any) -> AvailabilityFilter:
    return AvailabilityFilter(**tupled({**args, **fixed}))


# Computed lists: a partner may take up to this many rows a page.
COMPUTED_PAGE_SIZE = 1000

GROUPED_RESPONSE: dict[str, Any] = {
    "description": "Free intervals; with group=room one row per room (RoomFreeTime)",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/AvailabilityAnswer"},
                        {"$ref": "#/components/schemas/RoomFreeTime"},
                    ]
                },
            }
        }
    },
}


@blp.route("/availability")
class Availability(View):
    @blp.arguments(AvailabilityQuerySchema, location="query")
    @blp.response(200, AvailabilityAnswerSchema(many=True))
    @blp.doc(responses={"200": GROUPED_RESPONSE})
    @blp.paginate(max_page_size=COMPUTED_PAGE_SIZE)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Free intervals of bookable rooms: opening hours minus closures and bookings;
        `group=room` pages by room and computes only the page's rooms."""
        grouped = args.pop("group", None) == "room"
        filters = _filter(args)
        if grouped:
            rows, total = availability_by_room(
                filters, pagination_parameters.page, pagination_parameters.page_size
            )
            pagination_parameters.item_count = total
            return rows
        return page_of(find_availability(filters), pagination_parameters)


@blp.route("/rooms/<id:room_id>/availability")
class RoomAvailability(View):
    @blp.arguments(RoomAvailabilityQuerySchema, location="query")
    @blp.response(200, FreeSlotSchema(many=True))
    @blp.paginate(max_page_size=COMPUTED_PAGE_SIZE)
    def get(
        self, args: dict[str, Any], pagination_parameters: PaginationParameters, room_id: int
    ) -> Any:
        """Free intervals of one room."""
        return page_of(find_availability(_filter(args, room=(room_id,))), pagination_parameters)


@blp.route("/availability/recurring")
class RecurringAvailability(View):
    @blp.arguments(RecurringQuerySchema, location="query")
    @blp.response(200, RecurringRoomSchema(many=True))
    @blp.paginate(max_page_size=COMPUTED_PAGE_SIZE)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Rooms free on every date of a weekly pattern (most free dates first), with why not."""
        pattern = pattern_from(args, utcnow().date())
        filters = _filter(
            {
                k: v
                for k, v in args.items()
                if k
                not in {"weekdays", "start_time", "duration", "from_", "until", "weeks", "between"}
            },
            neighbourhood=neighbourhood_ids(tuple(args.get("neighbourhood", ()))),
        )
        return page_of(recurring_availability(filters, pattern), pagination_parameters)
