"""Private calendar feeds: create, list and revoke their secret URLs."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.feeds.links import subscribe_links
from booking.schemas.feed import FeedTokenCreatedSchema, FeedTokenCreateSchema, FeedTokenSchema
from booking.services import feed_tokens

blp = Blueprint("feed_tokens", __name__, url_prefix="/api/v1", description="Private feeds")


def feed_url(raw: str) -> str:
    """The absolute URL of a private feed, under PUBLIC_BASE_URL (never the Host header)."""
    return str(current_app.config["PUBLIC_BASE_URL"]) + url_for("feeds.PrivateFeed", token=raw)


@blp.route("/feed-tokens")
class FeedTokens(View):
    @blp.doc(**SECURED)
    @blp.response(200, FeedTokenSchema(many=True))
    def get(self) -> Any:
        """Your private feeds (without their secrets)."""
        return feed_tokens.list_feed_tokens(current_actor())

    @blp.doc(**SECURED)
    @blp.arguments(FeedTokenCreateSchema, required=False)
    @blp.response(201, FeedTokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a private feed URL; hosts' feeds include their places' requests."""
        token, raw = feed_tokens.create_feed_token(current_actor(), data["name"])
        return {
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "include_hosted": token.include_hosted,
            "created_at": token.created_at,
            "updated_at": token.updated_at,
            "token": raw,
            "url": feed_url(raw),
            "feeds": subscribe_links(
                url_for("feeds.PrivateFeed", token=raw), token.name or "Wijkruimte"
            ),
        }


@blp.route("/feed-tokens/<id:token_id>")
class FeedTokenById(View):
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a private feed; its URL answers 404 from now on."""
        feed_tokens.revoke_feed_token(current_actor(), token_id)
