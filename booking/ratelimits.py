"""Rate limits fail open: a limit storage (Redis) that is away must not take the service down."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Flask, current_app

from booking.metrics import RATE_LIMIT_STORAGE_ERRORS

# A stalled Redis must cost a request a moment, not a worker.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class FailOpenReporter(logging.Filter):
    """Turns Flask-Limiter's swallowed storage errors into one counted warning line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and "Swallowing error" in record.getMessage():
            RATE_LIMIT_STORAGE_ERRORS.inc()
            error = record.exc_info[1] if record.exc_info else None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "rate-limit storage unavailable, request served without a limit: %r"
            record.args = (error,)
            record.exc_info = record.exc_text = None
        return True


def email_link_limit() -> str:
    """The limit on mailing a link or code to an address (per client, and per address)."""
    return str(current_app.config["EMAIL_LINK_RATE_LIMIT"])


# The one budget of code redemptions per client address, shared by the API's redeem and the
# pages' sign-in form, so that guessing on one does not reset the count on the other.
CODE_REDEMPTION_SCOPE = "sign-in-code"


# The one budget of anonymous input (feedback and complaints) per client address, shared by
# the API and the pages, so that one does not reset the count of the other.
ANONYMOUS_INPUT_SCOPE = "anonymous-input"


def anonymous_input_limit() -> str:
    """Anonymous feedback and complaints per client address (BOOKING_FEEDBACK_RATE_LIMIT):
    enough for a room full of people on the place's wifi after an activity."""
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


# The one budget of mailed links per client address, and per e-mail address, shared by the
# pages' request and sign-in forms and the API's sign-in code: a link is a mail, whichever
# door asked for it.
MAILED_LINKS_SCOPE = "mailed-links"
MAILED_LINKS_ADDRESS_SCOPE = "mailed-links-address"


def mailed_address_key() -> str:
    """The rate-limit key of the address a link is mailed to: the form's or the JSON's
    `email`, hashed."""
    from flask import request

    body = request.get_json(silent=True) if request.is_json else None
    email = body.get("email") if isinstance(body, dict) else request.form.get("email")
    return email_key("mailed", email)


def mailed_link_limits(view: Any, *, only_sent: bool = False, exempt_when: Any = None) -> Any:
    """The one budget of mailed links on a view, per client and per address; `only_sent`:
    a page's post refused for a typo (no redirect) costs nothing; `exempt_when`: a call
    that mails no link (one with a token) is not counted."""
    from booking.extensions import limiter

    deduct_when = mail_was_sent if only_sent else None
    per_address = limiter.shared_limit(
        email_link_limit,
        scope=MAILED_LINKS_ADDRESS_SCOPE,
        key_func=mailed_address_key,
        deduct_when=deduct_when,
        exempt_when=exempt_when,
    )
    per_client = limiter.shared_limit(
        email_link_limit, scope=MAILED_LINKS_SCOPE, deduct_when=deduct_when, exempt_when=exempt_when
    )
    return per_client(per_address(view))


def with_token() -> bool:
    """Whether the request carries a token (it then mails no confirm link)."""
    from flask import request

    return bool(request.headers.get("Authorization"))


def anonymous_mailed_link_limits(view: Any) -> Any:
    """`mailed_link_limits` for an API call that mails a link only without a token."""
    return mailed_link_limits(view, exempt_when=with_token)


def mailed_page_link_limits(view: Any) -> Any:
    """`mailed_link_limits` for a page's form: only a mail sent counts."""
    return mailed_link_limits(view, only_sent=True)


def mail_was_sent(response: Any) -> bool:
    """Whether a page's form went through and so mails a link (it answers with a redirect):
    a post refused for a typo costs nothing of the e-mail limit."""
    return int(response.status_code) == 303


def email_key(prefix: str, email: object) -> str:
    """A rate-limit key for an e-mail address, hashed: keys may sit in Redis."""
    text = email.strip().lower() if isinstance(email, str) else ""
    return f"{prefix}:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def limiter_config(storage_uri: str) -> dict[str, Any]:
    """Flask-Limiter settings: swallow storage errors, bounded waits for Redis."""
    options = dict(REDIS_TIMEOUTS) if storage_uri.startswith(("redis", "rediss")) else {}
    return {"RATELIMIT_SWALLOW_ERRORS": True, "RATELIMIT_STORAGE_OPTIONS": options}


def install_fail_open_reporting(app: Flask) -> None:
    """Count and log each request that a missing limit storage let through."""
    from booking.extensions import limiter

    if not any(isinstance(f, FailOpenReporter) for f in limiter.logger.filters):
        limiter.logger.addFilter(FailOpenReporter())
