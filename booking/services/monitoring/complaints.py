"""Complaints and suggestions: anyone files one about a place; the hosts (and, where set,
the organisation's contact) hear at once; it moves from received to in progress to handled
with an answer. The term is six weeks, as the Dutch general administrative law sets for
complaints (Awb 9:11): a reminder goes to the hosts at four weeks, and an escalation to the
organisation's contact at six."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from booking.errors import Conflict, Invalid
from booking.extensions import db
from booking.models import Complaint, Place, utcnow
from booking.models.monitoring import (
    COMPLAINT_KINDS,
    HANDLED,
    IN_PROGRESS,
    RECEIVED,
)
from booking.services.authorization import Actor, require_place_manager
from booking.services.common import fetch_page, get_or_404
from booking.services.outbox.events import emit
from booking.text import first_forbidden_character, has_line_break

TERM = timedelta(weeks=6)
REMINDER_AFTER = timedelta(weeks=4)
MAX_TEXT = 4000
EMAIL_SHAPE = "@"

COMPLAINT_RECEIVED = "monitoring.complaint_received"
COMPLAINT_REMINDER = "monitoring.complaint_reminder"
COMPLAINT_ESCALATED = "monitoring.complaint_escalated"
COMPLAINT_ANSWERED = "monitoring.complaint_answered"
COMPLAINT_MAILS = (COMPLAINT_RECEIVED, COMPLAINT_REMINDER, COMPLAINT_ESCALATED, COMPLAINT_ANSWERED)


def _payload(complaint: Complaint) -> dict[str, Any]:
    # Only ids and the language: the mail reads the rest when it is sent, so an address
    # wiped by the retention rules is gone from the outbox too.
    return {
        "complaint_id": complaint.id,
        "place_id": complaint.place_id,
        "locale": complaint.locale,
    }


def _text_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in COMPLAINT_KINDS:
        errors["kind"] = ["One of: complaint, suggestion."]
    text = (data.get("text") or "").strip()
    if not text or len(text) > MAX_TEXT:
        errors["text"] = [f"From 1 to {MAX_TEXT} characters."]
    for field, most in (("name", 120), ("email", 254)):
        value = data.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > most or has_line_break(value):
            errors[field] = [f"One line of at most {most} characters."]
    email = data.get("email") or ""
    if email and (EMAIL_SHAPE not in email or " " in email.strip()):
        errors["email"] = ["Not an e-mail address."]
    for field in ("text", "name", "email"):
        if isinstance(data.get(field), str) and first_forbidden_character(data[field]) is not None:
            errors[field] = ["Holds a character that is not allowed."]
    return errors


def file_complaint(
    place_id: int,
    data: dict[str, Any],
    locale: str = "nl",
    now: datetime | None = None,
    form_nonce: str | None = None,
) -> Complaint:
    """Keep a complaint or suggestion and tell the hosts (no account needed); a page's form
    (`form_nonce`) is kept once, however often it is sent."""
    place = get_or_404(Place, place_id)
    if form_nonce is not None:
        kept = db.session.scalar(select(Complaint).where(Complaint.form_nonce == form_nonce))
        if kept is not None:
            return kept
    errors = _text_errors(data)
    if errors:
        raise Invalid("The complaint is not valid.", code="invalid_complaint", errors=errors)
    now = now or utcnow()
    complaint = Complaint(
        place_id=place.id,
        kind=data["kind"],
        text=data["text"].strip(),
        name=(data.get("name") or "").strip() or None,
        email=(data.get("email") or "").strip() or None,
        locale=locale if locale in ("nl", "en") else "nl",
        status=RECEIVED,
        answer="",
        received_at=now,
        due_at=now + TERM,
        form_nonce=form_nonce,
    )
    db.session.add(complaint)
    db.session.flush()
    # Only the id: the mail reads the address when it is sent, so an erased one is gone.
    emit(COMPLAINT_RECEIVED, _payload(complaint))
    return complaint


def get_complaint(actor: Actor, complaint_id: int) -> Complaint:
    """One complaint, for the hosts of its place and admins."""
    complaint = get_or_404(Complaint, complaint_id)
    require_place_manager(actor, get_or_404(Place, complaint.place_id))
    return complaint


def list_complaints(
    actor: Actor, place_id: int, page: int, page_size: int
) -> tuple[list[Complaint], int]:
    """A place's complaints, open ones first, then newest (hosts and admins)."""
    require_place_manager(actor, get_or_404(Place, place_id))
    stmt = (
        select(Complaint)
        .where(Complaint.place_id == place_id)
        .order_by((Complaint.status == HANDLED).asc(), Complaint.received_at.desc(), Complaint.id)
    )
    return fetch_page(stmt, page, page_size)


def update_complaint(
    actor: Actor, complaint_id: int, data: dict[str, Any], now: datetime | None = None
) -> Complaint:
    """Move a complaint on: in progress, or handled with an answer (mailed to the filer)."""
    complaint = get_complaint(actor, complaint_id)
    status, answer = data.get("status"), (data.get("answer") or "").strip()
    if status not in (IN_PROGRESS, HANDLED):
        raise Invalid(
            "The status is in_progress or handled.",
            code="invalid_complaint",
            errors={"status": ["One of: in_progress, handled."]},
        )
    if len(answer) > MAX_TEXT or first_forbidden_character(answer) is not None:
        raise Invalid(
            "The answer is too long or holds a character that is not allowed.",
            code="invalid_complaint",
            errors={"answer": [f"At most {MAX_TEXT} characters."]},
        )
    if complaint.status == HANDLED:
        raise Conflict("This complaint is handled already.", code="complaint_handled")
    if status == HANDLED and not answer:
        raise Invalid(
            "Say how it was handled: the answer is what the filer reads.",
            code="answer_required",
            errors={"answer": ["Required when handled."]},
        )
    now = now or utcnow()
    complaint.status = status
    if answer:
        complaint.answer = answer
    if status == HANDLED:
        complaint.handled_at = now
        complaint.handled_by_id = actor.account.id if actor.account else None
        if complaint.email:
            emit(COMPLAINT_ANSWERED, _payload(complaint))
    db.session.flush()
    return complaint


def follow_up_complaints(now: datetime | None = None) -> dict[str, int]:
    """Remind the hosts of complaints open four weeks; escalate those open six weeks to the
    organisation's contact. Each once. The worker runs this; `--as-of` moves `now`."""
    now = now or utcnow()
    open_ones = list(
        db.session.scalars(
            select(Complaint).where(Complaint.status != HANDLED).order_by(Complaint.id)
        )
    )
    reminded = escalated = 0
    for complaint in open_ones:
        if complaint.reminded_at is None and now >= complaint.received_at + REMINDER_AFTER:
            complaint.reminded_at = now
            emit(COMPLAINT_REMINDER, _payload(complaint))
            reminded += 1
        if complaint.escalated_at is None and now >= complaint.due_at:
            complaint.escalated_at = now
            emit(COMPLAINT_ESCALATED, _payload(complaint))
            escalated += 1
    db.session.flush()
    return {"reminded": reminded, "escalated": escalated}


def organisation_contact() -> str:
    """The organisation's address for complaints (BOOKING_COMPLAINTS_EMAIL), or ''."""
    return str(current_app.config.get("COMPLAINTS_EMAIL") or "")
