"""Administration: the state of the outbox."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.schemas.outbox import OutboxMessageSchema, OutboxQuerySchema
from booking.services.outbox import status as outbox_status

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration")


@blp.route("/outbox")
class Outbox(View):
    @blp.doc(**SECURED)
    @blp.arguments(OutboxQuerySchema, location="query")
    @blp.response(200, OutboxMessageSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Messages not delivered yet, or failed after 24 hours of retries (admin)."""
        items, total = outbox_status.list_messages(
            current_actor(),
            args.get("status"),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return items
