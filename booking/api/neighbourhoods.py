"""Neighbourhoods."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.schemas.place import NeighbourhoodCreateSchema, NeighbourhoodSchema
from booking.services import neighbourhoods

blp = Blueprint("neighbourhoods", __name__, url_prefix="/api/v1", description="Neighbourhoods")


@blp.route("/neighbourhoods")
class Neighbourhoods(View):
    @blp.response(200, NeighbourhoodSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> Any:
        """List neighbourhoods."""
        items, total = neighbourhoods.list_neighbourhoods(
            pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items

    @blp.doc(**SECURED)
    @blp.arguments(NeighbourhoodCreateSchema)
    @blp.response(201, NeighbourhoodSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a neighbourhood (admin)."""
        return neighbourhoods.create_neighbourhood(current_actor(), data)


@blp.route("/neighbourhoods/<id:neighbourhood_id>")
class NeighbourhoodById(View):
    @blp.response(200, NeighbourhoodSchema)
    def get(self, neighbourhood_id: int) -> Any:
        """Read a neighbourhood."""
        return neighbourhoods.get_neighbourhood(neighbourhood_id)

    @blp.doc(**SECURED)
    @blp.arguments(NeighbourhoodCreateSchema(partial=True))
    @blp.response(200, NeighbourhoodSchema)
    def patch(self, data: dict[str, Any], neighbourhood_id: int) -> Any:
        """Change a neighbourhood (admin)."""
        return neighbourhoods.update_neighbourhood(current_actor(), neighbourhood_id, data)
