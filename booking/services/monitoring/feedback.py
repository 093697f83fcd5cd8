"""How it was: anonymous feedback on a place (and optionally one activity), a score of 1
to 5 and a comment. No account and nothing personal is kept; hosts may hide a comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking.errors import Invalid, NotFound
from booking.extensions import db
from booking.models import Booking, Feedback, Place, utcnow
from booking.services.authorization import Actor, require_place_manager
from booking.services.common import fetch_page, get_or_404
from booking.text import first_forbidden_character

MAX_COMMENT = 1000
MAX_LISTED = 500


def _place_asking(place_id: int) -> Place:
    place = get_or_404(Place, place_id)
    if not place.monitoring_settings["feedback"]:
        raise Invalid(
            "This place does not ask for feedback.",
            code="feedback_off",
            errors={"place_id": ["Feedback is switched off here."]},
        )
    return place


def give_feedback(
    place_id: int,
    data: dict[str, Any],
    now: datetime | None = None,
    form_nonce: str | None = None,
) -> Feedback:
    """Keep one anonymous answer for a place that asks for feedback; a page's form
    (`form_nonce`) is kept once, however often it is sent."""
    place = _place_asking(place_id)
    if form_nonce is not None:
        kept = db.session.scalar(select(Feedback).where(Feedback.form_nonce == form_nonce))
        if kept is not None:
            return kept
    score, comment = data.get("score"), (data.get("comment") or "").strip()
    errors: dict[str, list[str]] = {}
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors["score"] = ["A whole number from 1 to 5."]
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [f"At most {MAX_COMMENT} characters."]
    elif first_forbidden_character(comment) is not None:
        errors["comment"] = ["Holds a character that is not allowed."]
    booking_id = data.get("booking_id")
    if booking_id is not None:
        booking = db.session.get(Booking, booking_id)
        # Only a public activity of this place: the answer must not reveal a private one.
        if booking is None or booking.place_id != place.id or booking.visibility != "public":
            errors["booking_id"] = ["Not a public activity of this place."]
    if errors:
        raise Invalid("The feedback is not valid.", code="invalid_feedback", errors=errors)
    feedback = Feedback(
        place_id=place.id,
        booking_id=booking_id,
        score=score,
        comment=comment,
        hidden=False,
        created_at=now or utcnow(),
        form_nonce=form_nonce,
    )
    db.session.add(feedback)
    db.session.flush()
    return feedback


def list_feedback(
    actor: Actor, place_id: int, page: int, page_size: int
) -> tuple[list[Feedback], int]:
    """The place's feedback, newest first, hidden ones included (hosts and admins)."""
    require_place_manager(actor, get_or_404(Place, place_id))
    stmt = (
        select(Feedback)
        .where(Feedback.place_id == place_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    return fetch_page(stmt, page, page_size)


def hide_feedback(actor: Actor, feedback_id: int, hidden: bool) -> Feedback:
    """Hide an abusive comment (or show it again); the score still counts."""
    feedback = db.session.get(Feedback, feedback_id)
    if feedback is None:
        raise NotFound(f"Feedback {feedback_id} does not exist.")
    require_place_manager(actor, get_or_404(Place, feedback.place_id))
    feedback.hidden = hidden
    db.session.flush()
    return feedback
