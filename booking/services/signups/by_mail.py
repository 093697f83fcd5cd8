"""Signing up without a token, and leaving by a mailed link.

A sign-up from the pages or an anonymous API call waits, unconfirmed and holding nothing, with
only the hash of its code, until the mailed link is followed: that proves the address. It
lives 24 hours, and never past `closes_at`. Whether the address is signed up already is said
only then, to whoever followed the link, never to whoever typed the address.

Every mail about a sign-up carries a cancel link: signed, so it needs no row of its own, and
worth something only while the sign-up stands."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from booking.errors import Conflict, Forbidden, Invalid, NotFound
from booking.extensions import db
from booking.models import Signup, utcnow
from booking.models.outbox import SIGNUP_LINK
from booking.models.signup import ACTIVE_SIGNUPS, UNCONFIRMED
from booking.services.accounts import normalise_email, prove_address
from booking.services.outbox.events import emit
from booking.services.privacy.sealing import MAILED_CODES, seal
from booking.services.signups.notices import tell_placed
from booking.services.signups.quotas import closes_at
from booking.services.signups.signing_up import (
    Person,
    account_of_address,
    check_party,
    leave,
    open_activity,
    place,
)

LINK_LIFETIME = timedelta(hours=24)
_CANCEL_SALT = "wijkruimte.signup-cancel"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def ask(booking_id: int, data: dict[str, Any], locale: str, now: datetime | None = None) -> Signup:
    """Keep an unconfirmed sign-up and mail the link that confirms it."""
    now = now or utcnow()
    booking = open_activity(booking_id, now, lock=False)
    party = int(data.get("party_size") or 1)
    check_party(booking, party)
    name, email = (data.get("name") or "").strip(), (data.get("email") or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Your name is needed."]
    if not email:
        errors["email"] = ["An e-mail address is needed for the link."]
    if errors:
        raise Invalid("A name and an e-mail address are needed.", errors=errors)
    email = normalise_email(email)
    account = account_of_address(email)
    if account is not None and account.blocked_at is not None:
        raise Forbidden("This account is blocked by an administrator.", code="account_blocked")
    code = secrets.token_urlsafe(24)
    signup = Signup(
        booking_id=booking.id,
        account_id=None,
        name=name,
        email=email,
        party_size=party,
        note=data.get("note"),
        status=UNCONFIRMED,
        checked_in=False,
        created_at=now,
        locale=account.locale if account else locale,
        confirm_hash=_hash(code),
        expires_at=min(now + LINK_LIFETIME, closes_at(booking)),
    )
    db.session.add(signup)
    db.session.flush()
    emit(
        SIGNUP_LINK,
        {
            "signup_ids": [signup.id],
            "booking_id": booking.id,
            "place_id": booking.place_id,
            # Sealed: readable only with BOOKING_SECRET_KEY, and wiped once mailed or expired.
            "code_sealed": seal(MAILED_CODES, code),
            "expires_at": signup.expires_at.isoformat() if signup.expires_at else None,
        },
    )
    return signup


def waiting(code: str, now: datetime | None = None) -> Signup:
    """The unconfirmed sign-up a link stands for, while it may still be confirmed."""
    now = now or utcnow()
    signup = db.session.scalar(select(Signup).where(Signup.confirm_hash == _hash(code)))
    if signup is None or signup.status != UNCONFIRMED:
        raise NotFound("This link is not valid, or it was used already.", code="link_not_valid")
    if signup.expires_at is not None and signup.expires_at <= now:
        raise NotFound("This link has expired; sign up again.", code="link_expired")
    return signup


def confirm(code: str, now: datetime | None = None) -> list[Signup]:
    """Follow the mailed link: the sign-up is placed now (confirmed or waitlisted), under the
    same lock and rules as with a token. The link proved the address, so an account that
    has it owns the sign-up."""
    now = now or utcnow()
    asked = waiting(code, now)
    # One UPDATE claims the link, so two clicks cannot both place it. An error after this
    # rolls the claim back with everything else: the link can be used again.
    claimed = db.session.execute(
        update(Signup)
        .where(Signup.id == asked.id, Signup.status == UNCONFIRMED)
        .values(confirm_hash=None)
        .returning(Signup.id)
    ).scalar_one_or_none()
    if claimed is None:
        raise NotFound("This link was used already.", code="link_not_valid")
    account = account_of_address(asked.email)
    if account is not None:
        if account.blocked_at is not None:
            raise Forbidden("This account is blocked by an administrator.", code="account_blocked")
        prove_address(account, now)
    person = Person(
        name=asked.name,
        email=asked.email,
        account_id=account.id if account else None,
        party_size=asked.party_size,
        note=asked.note,
        locale=account.locale if account else asked.locale,
    )
    placed = place(asked.booking_id, person, now)
    # The asked row only carried the request: the placed rows are the sign-up.
    db.session.delete(asked)
    tell_placed(placed)
    return placed


# The cancel link of every sign-up mail.


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_CANCEL_SALT)


def cancel_token(signup: Signup) -> str:
    """The token of the link that cancels this sign-up (it names the address too, so a
    sign-up erased and its id reused never answers to an old link)."""
    return str(_serializer().dumps([signup.id, _hash(signup.email.lower())[:16]]))


def of_cancel_link(token: str) -> Signup:
    """The sign-up a cancel link names; 404 when forged or when it no longer stands."""
    try:
        signup_id, address = _serializer().loads(token)
        signup = db.session.get(Signup, int(signup_id))
    except (BadSignature, ValueError, TypeError):
        signup = None
    if signup is None or _hash(signup.email.lower())[:16] != address:
        raise NotFound("This link is not valid (any more).", code="link_not_valid")
    return signup


def cancel_by_link(token: str, now: datetime | None = None) -> Signup:
    """Leave the activity through the mailed link; 409 once it is over or cancelled."""
    now = now or utcnow()
    signup = of_cancel_link(token)
    if signup.status not in ACTIVE_SIGNUPS:
        raise Conflict("This sign-up was cancelled already.", code="signup_cancelled")
    if signup.booking.end <= now:
        raise Conflict("This activity is over.", code="signups_closed")
    leave(signup, now)
    return signup
