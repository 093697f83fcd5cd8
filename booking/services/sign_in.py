"""Sign-in by e-mail: a one-time code proves the address, and is also how a lost token is
replaced. The answer never says whether an account exists."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from booking.errors import Invalid
from booking.extensions import db
from booking.models import Account, ApiToken, SignInCode, utcnow
from booking.models.outbox import SIGN_IN_LINK
from booking.services.accounts import account_of_proven_address, normalise_email
from booking.services.outbox import events
from booking.services.privacy.sealing import MAILED_CODES, seal
from booking.services.tokens import entitled_scopes, issue_token

CODE_LIFETIME = timedelta(minutes=30)
# No 0/O, 1/I/L: the code is read from a mail and typed.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(text: str) -> str:
    """The code as typed, without blanks and dashes, in capitals."""
    return "".join(char for char in text.upper() if char in ALPHABET)


def request_link(email: str) -> None:
    """Mail a one-time code to the address, whether or not it has an account."""
    email = normalise_email(email)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    db.session.add(
        SignInCode(
            email=email, code_hash=_hash(code), created_at=now, expires_at=now + CODE_LIFETIME
        )
    )
    account = db.session.scalar(select(Account).where(Account.email == email))
    events.emit(
        SIGN_IN_LINK,
        {
            "email": email,
            # Sealed: readable only with BOOKING_SECRET_KEY, and wiped once mailed or expired.
            "code_sealed": seal(MAILED_CODES, f"{code[:5]}-{code[5:]}"),
            "expires_at": (now + CODE_LIFETIME).isoformat(),
            "locale": account.locale if account else "nl",
            "account_id": account.id if account else None,
        },
    )


def redeem(code: str) -> tuple[Account, ApiToken, str]:
    """Trade a valid code for a token with the account's entitlements (never `admin`).

    An address that has no account yet gets a person's account: the code proved it.
    """
    account = claim(code)
    scopes = sorted(entitled_scopes(account) - {"admin"})
    token, raw = issue_token(account, "sign-in by e-mail", scopes)
    return account, token, raw


def claim(code: str) -> Account:
    """Use a valid code once: the account of its address (made now if it has none)."""
    now = utcnow()
    # One UPDATE claims the code, so two requests with it cannot both succeed.
    claimed = db.session.execute(
        update(SignInCode)
        .where(
            SignInCode.code_hash == _hash(normalise_code(code)),
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignInCode.email)
    ).scalar_one_or_none()
    if claimed is None:
        raise Invalid(
            "This code is not valid: it is wrong, used already, or older than 30 minutes.",
            code="invalid_code",
            errors={"code": ["Not a valid sign-in code."]},
        )
    return account_of_proven_address(claimed, claimed.split("@")[0][:120] or claimed, now)
