"""Availability: free intervals of rooms."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest.pagination import PaginationParameters

from booking.api.base import Blueprint, View, page_of, tupled
from booking.errors import PROBLEM_MIMETYPE
from booking.models import utcnow
from booking.schemas.availability import (
    AvailabilityAnswerSchema,
    AvailabilityQuerySchema,
    FreeSlotSchema,
    RecurringQuerySchema,
    RecurringRoomSchema,
    RoomAvailabilityQuerySchema,
    recurring_rows,
    slot_rows,
)
from booking.schemas.common import ProblemSchema
from booking.services.neighbourhoods import neighbourhood_ids
from booking.services.search.answers import AnswerChanged, flat_availability
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
    "headers": {
        "ETag": {
            "description": "the flat list: names the whole answer this page is a slice of; "
            "send it as If-Match with the next pages to page one answer (412 once the data "
            "changed), or as If-None-Match to revalidate a page (304)",
            "schema": {"type": "string"},
        }
    },
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
    @blp.doc(
        responses={"200": GROUPED_RESPONSE},
        parameters=[
            {
                "in": "header",
                "name": name,
                "required": False,
                "schema": {"type": "string"},
                "description": description,
            }
            for name, description in (
                ("If-Match", "the flat list: the first page's ETag, to page that answer"),
                ("If-None-Match", "the flat list: a page's ETag, to revalidate it"),
            )
        ],
    )
    @blp.alt_response(304, description="the flat list: the page is unchanged")
    @blp.alt_response(
        412,
        schema=ProblemSchema,
        description="answer_changed: the data changed since the page whose ETag was sent "
        "as If-Match; fetch from page 1 again",
        content_type=PROBLEM_MIMETYPE,
    )
    @blp.paginate(max_page_size=COMPUTED_PAGE_SIZE)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Free intervals of bookable rooms: opening hours minus closures and bookings;
        `group=room` pages by room and computes only the page's rooms; the flat list is
        computed once per version of the data and paged as slices of that answer."""
        grouped = args.pop("group", None) == "room"
        filters = _filter(args)
        if grouped:
            rows, total = availability_by_room(
                filters, pagination_parameters.page, pagination_parameters.page_size
            )
            pagination_parameters.item_count = total
            return rows
        return _flat_page(filters, pagination_parameters)


def _flat_page(filters: AvailabilityFilter, pagination: PaginationParameters) -> Response:
    """One page of the flat list, a slice of the answer kept for this data version; its
    ETag names that answer (If-Match pins it, If-None-Match revalidates the page)."""
    if_match = request.if_match
    pinned = None
    if if_match and not if_match.star_tag:
        pinned = next(iter(if_match.as_set()), "")
    answer = flat_availability(filters, slot_rows, pinned)
    pagination.item_count = answer.rows.total
    if answer.etag in request.if_none_match:
        response = Response(status=304)
    else:
        first = (pagination.page - 1) * pagination.page_size
        rows = answer.rows.page(first, pagination.page_size)
        if rows is None:  # the store lost part of it since the answer was looked up
            if pinned:
                raise AnswerChanged("The availability answer expired; fetch it from page 1.")
            rows = slot_rows(find_availability(filters))[first : first + pagination.page_size]
        response = Response(f"[{','.join(rows)}]\n", mimetype="application/json")
    response.set_etag(answer.etag)
    return response


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
        answers = recurring_availability(filters, pattern)
        rows = recurring_rows(page_of(answers, pagination_parameters))
        return Response(f"[{','.join(rows)}]\n", mimetype="application/json")
