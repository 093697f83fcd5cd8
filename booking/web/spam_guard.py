"""A spam guard for the anonymous forms, instead of a captcha: a field people never see
(a bot fills it) and a signed moment the form was shown (a bot posts at once, or replays an
old form). Neither asks anything of a person, and both work without JavaScript."""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

HONEYPOT = "website"
STAMP = "t"
# A person needs a few seconds to choose and type; a form older than a day is stale.
FASTEST_SECONDS = 3
OLDEST_SECONDS = 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="wijkruimte.form-shown")


def form_stamp(shown_at: float | None = None) -> str:
    """The signed moment a form is shown."""
    return str(_serializer().dumps(int(shown_at if shown_at is not None else time.time())))


def looks_automated(honeypot: str | None, stamp: str | None) -> bool:
    """Whether a post filled the hidden field, or came too fast, too late or unsigned."""
    if honeypot:
        return True
    try:
        shown_at = int(_serializer().loads(stamp or ""))
    except (BadSignature, ValueError, TypeError):
        return True
    age = time.time() - shown_at
    return not FASTEST_SECONDS <= age <= OLDEST_SECONDS
