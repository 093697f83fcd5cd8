"""Authentication: from the Authorization header to the acting account."""

from __future__ import annotations

from flask import g, request

from booking.errors import Unauthorized
from booking.services.authorization import Actor
from booking.services.tokens import authenticate_token


def current_actor() -> Actor:
    """The caller of this request: anonymous, or the owner of a valid bearer token."""
    if "actor" not in g:
        g.actor = _actor_from_header(request.headers.get("Authorization"))
    actor: Actor = g.actor
    return actor


def _actor_from_header(header: str | None) -> Actor:
    if not header:
        return Actor.anonymous()
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized(
            "Use 'Authorization: Bearer <token>'.", code="invalid_authorization_header"
        )
    token = authenticate_token(credentials.strip())
    return Actor(account=token.account, scopes=frozenset(token.scopes), token_id=token.id)
