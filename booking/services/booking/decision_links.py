"""One-click decisions from a host's mail: a signed link that names one action (approve or
decline) on one pending booking or series, for one host.

The link only opens a page; the decision is a POST from that page. It is single-use because
the decision changes the state it needs (pending), and it ends with the request: a pending
booking expires at its start.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from booking.errors import NotFound

SALT = "wijkruimte.host-decision"
MAX_AGE_SECONDS = 180 * 24 * 3600  # beyond any request's life; the state check ends it sooner
ACTIONS = ("approve", "decline")
KINDS = ("booking", "series")


@dataclass(frozen=True)
class Decision:
    """What a decision link allows: `action` on the booking or series `object_id`, by `host_id`."""

    kind: str
    object_id: int
    action: str
    host_id: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def decision_token(decision: Decision) -> str:
    """The signed token for a decision link."""
    return str(
        _serializer().dumps([decision.kind, decision.object_id, decision.action, decision.host_id])
    )


def read_decision(token: str) -> Decision:
    """The decision a token stands for; 404 for anything not signed by us."""
    try:
        kind, object_id, action, host_id = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid.", code="link_not_valid") from None
    if kind not in KINDS or action not in ACTIONS:
        raise NotFound("This link is not valid.", code="link_not_valid")
    return Decision(str(kind), int(object_id), str(action), int(host_id))
