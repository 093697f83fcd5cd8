"""One-click decisions from a host's mail: a signed link that names one action (approve or
decline) on one pending booking or series, for one host.

The link only opens a page; the decision is a POST from that page. It is single-use because
the decision changes the state it needs (pending), and it ends with the request: a pending
booking expires at its start. It is also bound to the version of the request it was mailed
for (the booking's `sequence`, or the highest of a series' dates): once the booker moves the
request, pending again, the old link is outdated and the newer mail's link decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from booking.errors import Forbidden, NotFound
from booking.extensions import db
from booking.models import Account

SALT = "wijkruimte.host-decision"
MAX_AGE_SECONDS = 180 * 24 * 3600  # beyond any request's life; the state check ends it sooner
ACTIONS = ("approve", "decline")
KINDS = ("booking", "series")


@dataclass(frozen=True)
class Decision:
    """What a decision link allows: `action` on the booking or series `object_id`, by `host_id`,
    while the request is at `version`."""

    kind: str
    object_id: int
    action: str
    host_id: int
    version: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def decision_token(decision: Decision) -> str:
    """The signed token for a decision link."""
    return str(
        _serializer().dumps(
            [decision.kind, decision.object_id, decision.action, decision.host_id, decision.version]
        )
    )


def read_decision(token: str) -> Decision:
    """The decision a token stands for; 404 for anything not signed by us."""
    try:
        fields = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
        # Links mailed before versions were bound stand for the request as first made.
        kind, object_id, action, host_id, version = [*fields, 0] if len(fields) == 4 else fields
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid.", code="link_not_valid") from None
    if kind not in KINDS or action not in ACTIONS:
        raise NotFound("This link is not valid.", code="link_not_valid")
    return Decision(str(kind), int(object_id), str(action), int(host_id), int(version))


def decision_host(decision: Decision) -> Account:
    """The host a decision link was made for, while the link may act for them: a blocked or
    erased account's links refuse (403), as its tokens and sessions do."""
    host = db.session.get(Account, decision.host_id)
    if host is None or host.erased_at is not None:
        raise NotFound("This link is not valid.", code="link_not_valid")
    if host.blocked_at is not None:
        raise Forbidden("This account is blocked by an administrator.", code="account_blocked")
    return host


def request_version(sequences: list[int]) -> int:
    """The version a link binds to: a booking's sequence, or the highest of a series' dates
    (each rises on every change, so any move of any date outdates the link)."""
    return max(sequences, default=0)
