"""Decorators for write endpoints: idempotency keys and the booking-write rate limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address

from booking.api.auth import current_actor
from booking.extensions import limiter
from booking.models import utcnow
from booking.services.authorization import require_account
from booking.services.booking import idempotency

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_DOC: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Retry safely: the same key and body within 24 hours answer the "
            "first successful response again; the same key with another body is a 422.",
        }
    ]
}


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Honour an Idempotency-Key header; put it above the flask-smorest decorators."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = idempotency.check_key(key)
        account = require_account(current_actor())
        print_ = idempotency.fingerprint(request.method, request.path, request.get_data())
        stored = idempotency.claim(account.id, key, print_, utcnow())
        if stored is not None:
            replay = Response(stored.body, status=stored.status_code, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            if stored.location:
                replay.headers["Location"] = stored.location
            return replay
        response: Response = view(*args, **kwargs)
        idempotency.remember(
            account.id,
            key,
            response.status_code,
            response.get_data(as_text=True),
            response.headers.get("Location"),
        )
        return response

    return wrapper


def _caller_key() -> str:
    """Rate-limit per authenticated token, else per address.

    Keyed on the token's id, not the header's text: `bearer`, `BEARER` and extra blanks
    spell the same token and must share one budget.
    """
    actor = current_actor()
    if actor.token_id is not None:
        return f"token:{actor.token_id}"
    return "ip:" + get_remote_address()


def _write_limit() -> str:
    return str(current_app.config["BOOKING_WRITE_RATE_LIMIT"])


# One shared budget for every booking write of a caller.
booking_write_limit = limiter.shared_limit(
    _write_limit, scope="booking-writes", key_func=_caller_key
)
