"""Places, their hosts, rooms, closures and opening hours."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View, tupled
from booking.models.base import utcnow
from booking.schemas.account import HostSchema
from booking.schemas.place import (
    ClosureCreateSchema,
    ClosureQuerySchema,
    ClosureSchema,
    HostCreateSchema,
    OpeningDaySchema,
    OpeningHoursQuerySchema,
    PlaceChangeSchema,
    PlaceCreateSchema,
    PlaceQuerySchema,
    PlaceSchema,
    RoomChangeSchema,
    RoomCreateSchema,
    RoomSchema,
)
from booking.services import closures, places, rooms
from booking.services.calendar.closures import opening_hours_by_day

blp = Blueprint(
    "places", __name__, url_prefix="/api/v1", description="Places, rooms, closures, opening hours"
)


@blp.route("/places")
class Places(View):
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, PlaceSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Find places by neighbourhood, kind, target group, text or step-free access."""
        items, total = places.list_places(
            places.PlaceFilter(**tupled(args)),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return items

    @blp.doc(**SECURED)
    @blp.arguments(PlaceCreateSchema)
    @blp.response(201, PlaceSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a place (admin)."""
        return places.create_place(current_actor(), data)


@blp.route("/places/<id:place_id>")
class PlaceById(View):
    @blp.response(200, PlaceSchema)
    def get(self, place_id: int) -> Any:
        """Read a place."""
        return places.get_place(place_id)

    @blp.doc(**SECURED)
    @blp.arguments(PlaceChangeSchema(partial=True))
    @blp.response(200, PlaceSchema)
    def patch(self, data: dict[str, Any], place_id: int) -> Any:
        """Change a place (its hosts, admin); `policy` is merged key by key."""
        return places.update_place(current_actor(), place_id, data)

    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, place_id: int) -> None:
        """Delete a place with its rooms and closures (admin)."""
        places.delete_place(current_actor(), place_id)


@blp.route("/places/<id:place_id>/hosts")
class PlaceHosts(View):
    @blp.doc(**SECURED)
    @blp.response(200, HostSchema(many=True))
    def get(self, place_id: int) -> Any:
        """The hosts of a place with their e-mail (its hosts, admins)."""
        return places.place_hosts(current_actor(), place_id)

    @blp.doc(**SECURED)
    @blp.arguments(HostCreateSchema)
    @blp.response(201, HostSchema(many=True))
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """Make an account a host of the place (admin); answers the hosts."""
        return places.add_host(current_actor(), place_id, data["account_id"])


@blp.route("/places/<id:place_id>/hosts/<id:account_id>")
class PlaceHostById(View):
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, place_id: int, account_id: int) -> None:
        """Remove a host from the place (admin)."""
        places.remove_host(current_actor(), place_id, account_id)


@blp.route("/places/<id:place_id>/rooms")
class PlaceRooms(View):
    @blp.response(200, RoomSchema(many=True))
    def get(self, place_id: int) -> Any:
        """List the rooms of a place."""
        return rooms.list_rooms(places.get_place(place_id))

    @blp.doc(**SECURED)
    @blp.arguments(RoomCreateSchema)
    @blp.response(201, RoomSchema)
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """Add a room to a place (its hosts, admin)."""
        return rooms.create_room(current_actor(), place_id, data)


@blp.route("/rooms/<id:room_id>")
class RoomById(View):
    @blp.response(200, RoomSchema)
    def get(self, room_id: int) -> Any:
        """Read a room."""
        return rooms.get_room(room_id)

    @blp.doc(**SECURED)
    @blp.arguments(RoomChangeSchema(partial=True))
    @blp.response(200, RoomSchema)
    def patch(self, data: dict[str, Any], room_id: int) -> Any:
        """Change a room (hosts of its place, admin); `policy` is merged, null removes a key."""
        return rooms.update_room(current_actor(), room_id, data)

    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, room_id: int) -> None:
        """Delete a room (hosts of its place, admin)."""
        rooms.delete_room(current_actor(), room_id)


@blp.route("/places/<id:place_id>/closures")
class PlaceClosures(View):
    @blp.arguments(ClosureQuerySchema, location="query")
    @blp.response(200, ClosureSchema(many=True))
    @blp.paginate()
    def get(
        self, args: dict[str, Any], pagination_parameters: PaginationParameters, place_id: int
    ) -> Any:
        """List a place's closures that have not ended (or all, with include_past)."""
        ending_after = None if args["include_past"] else utcnow()
        items, total = closures.list_closures(
            place_id, ending_after, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items

    @blp.doc(**SECURED)
    @blp.arguments(ClosureCreateSchema)
    @blp.response(201, ClosureSchema)
    @blp.alt_response(200, schema=ClosureSchema, description="dry run: nothing written")
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """Close the place or some rooms for a period (hosts, admin); lists the bookings it hits."""
        closure = closures.create_closure(current_actor(), place_id, **data)
        return (closure, 200) if data["dry_run"] else closure


@blp.route("/closures/<id:closure_id>")
class ClosureById(View):
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, closure_id: int) -> None:
        """Remove a closure (hosts of its place, admin)."""
        closures.delete_closure(current_actor(), closure_id)


@blp.route("/places/<id:place_id>/opening-hours")
class PlaceOpeningHours(View):
    @blp.arguments(OpeningHoursQuerySchema, location="query")
    @blp.response(200, OpeningDaySchema(many=True))
    def get(self, args: dict[str, Any], place_id: int) -> Any:
        """Opening hours resolved per date (holidays, room override and closures applied)."""
        place, days = opening_hours_by_day(
            place_id, args.get("from_"), args.get("to"), args.get("room")
        )
        zone = place.zone
        return [
            {
                "date": day,
                "intervals": [
                    {"start": s.astimezone(zone).isoformat(), "end": e.astimezone(zone).isoformat()}
                    for s, e in intervals
                ],
            }
            for day, intervals in days
        ]
