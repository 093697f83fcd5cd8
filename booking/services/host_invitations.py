"""Co-hosts (DESIGN §16): a place's hosts invite someone by e-mail. The mailed link signs the
invited person in and makes them host (following it proves the address); an account can
also accept through the API, but only once its own address is proven, so an account that
merely claims the address never becomes host. Fourteen days, and withdrawable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.errors import Conflict, Forbidden, NotFound
from booking.extensions import db
from booking.models import Account, HostInvitation, Place, utcnow
from booking.services.accounts import account_of_proven_address, normalise_email
from booking.services.authorization import Actor, require_account, require_place_manager
from booking.services.outbox.events import emit
from booking.services.places import get_place, make_host
from booking.services.privacy.sealing import MAILED_CODES, seal

LIFETIME = timedelta(days=14)
HOST_INVITED = "place.host_invited"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(actor: Actor, place_id: int, email: str, now: datetime | None = None) -> HostInvitation:
    """Invite an address to host the place (its hosts, admins) and mail it the link."""
    now = now or utcnow()
    place = get_place(place_id)
    inviter = require_place_manager(actor, place)
    address = normalise_email(email)
    token = secrets.token_urlsafe(24)
    invitation = HostInvitation(
        place_id=place.id,
        email=address,
        invited_by_id=inviter.id,
        token_hash=_hash(token),
        expires_at=now + LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    emit(
        HOST_INVITED,
        {
            "invitation_id": invitation.id,
            "place_id": place.id,
            "email": address,
            "invited_by": inviter.id,
            # Sealed, and wiped once mailed or expired, as every mailed code.
            "code_sealed": seal(MAILED_CODES, token),
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation


def invitations_of(actor: Actor, place_id: int) -> list[HostInvitation]:
    """The place's invitations, newest first (its hosts, admins)."""
    place = get_place(place_id)
    require_place_manager(actor, place)
    return list(
        db.session.scalars(
            select(HostInvitation)
            .where(HostInvitation.place_id == place.id)
            .order_by(HostInvitation.id.desc())
        )
    )


def _managed(actor: Actor, invitation_id: int) -> HostInvitation:
    invitation = db.session.get(HostInvitation, invitation_id)
    if invitation is None:
        raise NotFound(f"Invitation {invitation_id} does not exist.")
    require_place_manager(actor, invitation.place)
    return invitation


def withdraw(actor: Actor, invitation_id: int, now: datetime | None = None) -> None:
    """Withdraw an invitation not yet accepted (the place's hosts, admins)."""
    invitation = _managed(actor, invitation_id)
    _refuse_if_done(invitation, now or utcnow())
    invitation.withdrawn_at = now or utcnow()


def _refuse_if_done(invitation: HostInvitation, now: datetime) -> None:
    status = invitation.status_at(now)
    if status != "pending":
        raise Conflict(f"This invitation is {status}.", code=f"invitation_{status}")


def accept(actor: Actor, invitation_id: int, now: datetime | None = None) -> HostInvitation:
    """Accept from an account whose address is the invited one and is proven (else 403
    `email_not_verified`)."""
    now = now or utcnow()
    account = require_account(actor)
    invitation = db.session.get(HostInvitation, invitation_id)
    if invitation is None or normalise_email(account.email) != invitation.email:
        raise NotFound(f"Invitation {invitation_id} does not exist.")
    if not account.email_verified:
        raise Forbidden(
            "Prove your address first (a mailed sign-in code), then accept.",
            code="email_not_verified",
        )
    _refuse_if_done(invitation, now)
    return _accepted(invitation, account, now)


def _accepted(invitation: HostInvitation, account: Account, now: datetime) -> HostInvitation:
    invitation.accepted_at, invitation.accepted_by_id = now, account.id
    make_host(invitation.place, account)
    return invitation


def pending_by_token(token: str, now: datetime | None = None) -> HostInvitation:
    """The invitation a mailed link stands for, while it may be accepted."""
    invitation = db.session.scalar(
        select(HostInvitation).where(HostInvitation.token_hash == _hash(token))
    )
    if invitation is None:
        raise NotFound("This invitation link does not work.", code="link_not_valid")
    status = invitation.status_at(now or utcnow())
    if status == "expired":
        raise NotFound(
            "This invitation has expired. Ask the host for a new one.", code="link_expired"
        )
    if status != "pending":
        raise NotFound("This invitation was used or withdrawn.", code="link_not_valid")
    return invitation


def accept_by_link(token: str, name: str, now: datetime | None = None) -> tuple[Place, Account]:
    """Follow the mailed link: the address is proven, its account (made now if it has none)
    becomes host. The caller signs it in."""
    now = now or utcnow()
    invitation = pending_by_token(token, now)
    account = account_of_proven_address(
        invitation.email, name or invitation.email.split("@")[0], now
    )
    _accepted(invitation, account, now)
    return invitation.place, account
