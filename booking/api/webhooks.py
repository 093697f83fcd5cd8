"""Partner webhooks: subscribe, test, and see how deliveries went."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.schemas.outbox import DeliverySchema
from booking.schemas.webhook import (
    WebhookChangeSchema,
    WebhookCreateSchema,
    WebhookSchema,
    WebhookWithSecretSchema,
)
from booking.services.outbox import subscriptions

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Partner webhooks")


@blp.route("/webhooks")
class Webhooks(View):
    @blp.doc(**SECURED)
    @blp.response(200, WebhookSchema(many=True))
    def get(self) -> Any:
        """Your webhook subscriptions."""
        return subscriptions.list_own(current_actor())

    @blp.doc(**SECURED)
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookWithSecretSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Subscribe a URL to events; the signing secret is shown only in this response."""
        subscription, secret = subscriptions.create(current_actor(), data)
        subscription.secret = secret  # type: ignore[attr-defined]
        return subscription


@blp.route("/webhooks/<id:webhook_id>")
class WebhookById(View):
    @blp.doc(**SECURED)
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id: int) -> Any:
        """One of your subscriptions."""
        return subscriptions.owned(current_actor(), webhook_id)

    @blp.doc(**SECURED)
    @blp.arguments(WebhookChangeSchema(partial=True))
    @blp.response(200, WebhookWithSecretSchema)
    def patch(self, data: dict[str, Any], webhook_id: int) -> Any:
        """Change events, filters, URL or `enabled`; `rotate_secret: true` answers a new secret."""
        subscription, secret = subscriptions.update(current_actor(), webhook_id, data)
        subscription.secret = secret  # type: ignore[attr-defined]
        return subscription

    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, webhook_id: int) -> None:
        """Unsubscribe."""
        subscriptions.delete(current_actor(), webhook_id)


@blp.route("/webhooks/<id:webhook_id>/test")
class WebhookTest(View):
    @blp.doc(**SECURED)
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: int) -> Any:
        """Send a `webhook.test` event to this subscription; answers the delivery it made
        (follow it in `GET /webhooks/{id}/deliveries`)."""
        return subscriptions.send_test(current_actor(), webhook_id)


@blp.route("/webhooks/<id:webhook_id>/deliveries")
class WebhookDeliveries(View):
    @blp.doc(**SECURED)
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters, webhook_id: int) -> Any:
        """Deliveries of this subscription, newest first, with their last answer."""
        items, total = subscriptions.deliveries(
            current_actor(), webhook_id, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return items


@blp.route("/webhooks/<id:webhook_id>/deliveries/<id:delivery_id>/retry")
class RetryDelivery(View):
    @blp.doc(**SECURED)
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: int, delivery_id: int) -> Any:
        """Deliver one message again now, a failed one too."""
        return subscriptions.retry(current_actor(), webhook_id, delivery_id)
