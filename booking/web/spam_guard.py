"""A spam guard for the anonymous forms, instead of a captcha: a field people never see
(a bot fills it) and a signed moment the form was shown, with a nonce (a bot posts at once,
or replays an old form). Neither asks anything of a person, and both work without
JavaScript.

The moment is in milliseconds with a low floor: a quick person who taps a face and sends
within two seconds is a person. A post judged too quick or too old is shown again with a
plea to send once more, never thanked and dropped. A filled hidden field or a forged stamp
is a bot: thanked, and not kept. The nonce is kept with what was sent, so one shown form is
kept once however often it is posted (feedback.form_nonce, complaints.form_nonce)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

HONEYPOT = "website"
STAMP = "t"
# Faster than this, nobody read the form; older than a day, it is stale.
FASTEST_MS = 1200
OLDEST_MS = 24 * 3600 * 1000
BOT, AGAIN, HUMAN = "bot", "again", "human"


@dataclass(frozen=True)
class Verdict:
    """What a post looks like (`bot`, `again` or `human`), and its form's nonce."""

    kind: str
    nonce: str = ""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="wijkruimte.form-shown")


def form_stamp(shown_at: float | None = None) -> str:
    """The signed moment a form is shown (milliseconds), with a nonce of its own."""
    moment = shown_at if shown_at is not None else time.time()
    return str(_serializer().dumps([int(moment * 1000), secrets.token_urlsafe(12)]))


def judge(honeypot: str | None, stamp: str | None, now: float | None = None) -> Verdict:
    """A bot (hidden field filled, stamp forged), a person to ask again (too quick, stale),
    or a person."""
    if honeypot:
        return Verdict(BOT)
    try:
        shown_ms, nonce = _serializer().loads(stamp or "")
        age = (now if now is not None else time.time()) * 1000 - int(shown_ms)
    except (BadSignature, ValueError, TypeError):
        return Verdict(BOT)
    if not FASTEST_MS <= age <= OLDEST_MS:
        return Verdict(AGAIN, str(nonce))
    return Verdict(HUMAN, str(nonce))
