"""Who may do what: the acting account, its token scopes, and per-object checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from booking.errors import Forbidden, Unauthorized
from booking.extensions import db
from booking.models import Account, Place, PlaceHost


@dataclass(frozen=True)
class Actor:
    """The caller of a service: an account with the scopes of the token it used, or nobody."""

    account: Account | None
    scopes: frozenset[str] = frozenset()
    token_id: int | None = None

    @classmethod
    def anonymous(cls) -> Actor:
        """An actor without an account."""
        return cls(account=None)

    @property
    def is_admin(self) -> bool:
        """An admin account acting with the `admin` scope."""
        return self.account is not None and self.account.is_admin and "admin" in self.scopes


def require_account(actor: Actor) -> Account:
    """The actor's account, or 401 for an anonymous caller."""
    if actor.account is None:
        raise Unauthorized("This endpoint needs an API token.")
    return actor.account


def require_scope(actor: Actor, scope: str) -> Account:
    """The actor's account, provided its token carries `scope`."""
    account = require_account(actor)
    if scope not in actor.scopes:
        raise Forbidden(f"This token lacks the '{scope}' scope.", code="insufficient_scope")
    return account


def require_admin(actor: Actor) -> Account:
    """The actor's account, provided it is an admin acting with the `admin` scope."""
    account = require_account(actor)
    if not account.is_admin:
        raise Forbidden("Only administrators may do this.", code="admin_required")
    return require_scope(actor, "admin")


def is_host(account: Account, place_id: int) -> bool:
    """Whether the account hosts the place."""
    found = db.session.scalar(
        select(PlaceHost.account_id).where(
            PlaceHost.account_id == account.id, PlaceHost.place_id == place_id
        )
    )
    return found is not None


def require_place_manager(actor: Actor, place: Place) -> Account:
    """The actor's account, provided it may manage the place (its host, or an admin)."""
    account = require_account(actor)
    if actor.is_admin:
        return account
    if not is_host(account, place.id):
        raise Forbidden("Only the hosts of this place and admins may do this.", code="not_a_host")
    return require_scope(actor, "manage")


def can_manage(actor: Actor, place_id: int) -> bool:
    """Whether the actor may use host powers at the place (a host with `manage`, or an admin)."""
    if actor.is_admin:
        return True
    account = actor.account
    return account is not None and "manage" in actor.scopes and is_host(account, place_id)


def managed_place_ids(actor: Actor) -> frozenset[int]:
    """Ids of the places the actor hosts with the `manage` scope (one query, for lists)."""
    account = actor.account
    if account is None or "manage" not in actor.scopes:
        return frozenset()
    return frozenset(account.hosted_place_ids)
