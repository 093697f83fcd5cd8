"""Secrets that must be read back (a webhook's signing secret, a code waiting to be mailed)
are stored sealed: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key
derived from BOOKING_SECRET_KEY and the purpose, so a copy of the database (or an export)
alone reads none of them. Changing BOOKING_SECRET_KEY makes sealed values unreadable."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from flask import current_app

WEBHOOK_SECRETS = "wijkruimte-webhook-secrets"
MAILED_CODES = "wijkruimte-mailed-codes"
# The address of an erased account, kept only until its last mail is sent.
ERASED_ADDRESSES = "wijkruimte-erased-addresses"


def _fernet(purpose: str) -> Fernet:
    key = str(current_app.secret_key or "")
    digest = hashlib.sha256(f"{purpose}:".encode() + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(purpose: str, secret: str) -> str:
    """The secret as stored."""
    return _fernet(purpose).encrypt(secret.encode()).decode()


def unseal(purpose: str, sealed: str) -> str:
    """The secret back, for the one use it is kept for."""
    return _fernet(purpose).decrypt(sealed.encode()).decode()
