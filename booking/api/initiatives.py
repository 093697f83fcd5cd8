"""Initiatives: from idea to trial to running activity; suggestions of free slots."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View, tupled
from booking.schemas.initiative import (
    InitiativeCreateSchema,
    InitiativeDetailSchema,
    InitiativeQuerySchema,
    InitiativeSchema,
    PartnershipSchema,
    SuggestionQuerySchema,
    SuggestionSchema,
    TransitionSchema,
)
from booking.services import initiatives
from booking.services.search.suggestions import suggest

blp = Blueprint("initiatives", __name__, url_prefix="/api/v1", description="Initiatives")


class InitiativeDetail:
    """An initiative with what the caller may see of its activities."""

    def __init__(self, initiative: Any, activities: initiatives.Activities) -> None:
        self._initiative = initiative
        self.upcoming = activities.upcoming
        self.past = activities.past
        self.places = activities.places

    def __getattr__(self, name: str) -> Any:
        return getattr(self._initiative, name)


def _detail(initiative: Any) -> InitiativeDetail:
    actor = current_actor()
    initiatives.reveal_invitations(actor, initiative)
    return InitiativeDetail(initiative, initiatives.activities(actor, initiative))


@blp.route("/initiatives")
class Initiatives(View):
    @blp.arguments(InitiativeQuerySchema, location="query")
    @blp.response(200, InitiativeSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Find initiatives by status, neighbourhood, target group, place, partner or text."""
        items, total = initiatives.list_initiatives(
            initiatives.InitiativeFilter(**tupled(args)),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        actor = current_actor()
        return [initiatives.reveal_invitations(actor, item) for item in items]

    @blp.doc(**SECURED)
    @blp.arguments(InitiativeCreateSchema)
    @blp.response(201, InitiativeDetailSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Start an initiative as an idea; you are its initiator."""
        return _detail(initiatives.create_initiative(current_actor(), data))


@blp.route("/initiatives/<id:initiative_id>")
class InitiativeById(View):
    @blp.response(200, InitiativeDetailSchema)
    def get(self, initiative_id: int) -> Any:
        """Read an initiative with its upcoming and past activities and the places it used."""
        return _detail(initiatives.get_initiative(initiative_id))

    @blp.doc(**SECURED)
    @blp.arguments(InitiativeCreateSchema(partial=True))
    @blp.response(200, InitiativeDetailSchema)
    def patch(self, data: dict[str, Any], initiative_id: int) -> Any:
        """Change an initiative (its initiator, admins); the status changes by transition."""
        return _detail(initiatives.update_initiative(current_actor(), initiative_id, data))


@blp.route("/initiatives/<id:initiative_id>/transition")
class InitiativeTransition(View):
    @blp.doc(**SECURED)
    @blp.arguments(TransitionSchema)
    @blp.response(200, InitiativeDetailSchema)
    def post(self, data: dict[str, Any], initiative_id: int) -> Any:
        """Move on: idea -> trial -> running -> ended; ending needs an outcome."""
        initiative = initiatives.transition(
            current_actor(), initiative_id, data["to"], data.get("outcome"), data["note"]
        )
        return _detail(initiative)


@blp.route("/initiatives/<id:initiative_id>/partnership")
class InitiativePartnership(View):
    @blp.doc(**SECURED)
    @blp.arguments(PartnershipSchema)
    @blp.response(200, InitiativeDetailSchema)
    def post(self, data: dict[str, Any], initiative_id: int) -> Any:
        """Accept or decline an invitation to partner in an initiative (the invited account)."""
        return _detail(
            initiatives.answer_partnership(current_actor(), initiative_id, data["accept"])
        )


@blp.route("/initiatives/<id:initiative_id>/suggestions")
class InitiativeSuggestions(View):
    @blp.arguments(SuggestionQuerySchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    @blp.paginate()
    def get(
        self, args: dict[str, Any], pagination_parameters: PaginationParameters, initiative_id: int
    ) -> Any:
        """Free slots that fit the needs, best first, each with its reasons and a series body."""
        found = suggest(
            initiatives.get_initiative(initiative_id), args.get("from_"), args.get("to")
        )
        pagination_parameters.item_count = len(found)
        first = (pagination_parameters.page - 1) * pagination_parameters.page_size
        return found[first : first + pagination_parameters.page_size]
