"""Initiatives: create, find, change, move through their life, and who may book for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select

from booking.errors import Conflict, Forbidden, Invalid
from booking.extensions import db
from booking.models import Account, Booking, Initiative, InitiativeTransition, Place, utcnow
from booking.models.booking import CONFIRMED
from booking.models.initiative import ENDED, IDEA, TRANSITIONS, initiative_partners
from booking.services.authorization import Actor, can_manage, require_account, require_scope
from booking.services.booking.booking_access import RedactedBooking, present
from booking.services.common import fetch_page, get_or_404, list_contains_any, text_matches
from booking.services.notify import outbox
from booking.services.places import check_neighbourhood

MAX_PARTNERS = 20
MAX_ACTIVITIES = 100


@dataclass(frozen=True)
class InitiativeFilter:
    """Filters of the initiative list."""

    # Each filter takes any of several values; empty means: do not filter.
    status: tuple[str, ...] = ()
    neighbourhood: tuple[int, ...] = ()
    target_group: tuple[str, ...] = ()
    place: tuple[int, ...] = ()
    partner: tuple[int, ...] = ()
    initiator: tuple[int, ...] = ()
    q: str | None = None


def _query(filters: InitiativeFilter) -> Select[Any]:
    stmt = select(Initiative).order_by(Initiative.id.desc())
    if filters.status:
        stmt = stmt.where(Initiative.status.in_(filters.status))
    if filters.neighbourhood:
        stmt = stmt.where(Initiative.neighbourhood_id.in_(filters.neighbourhood))
    if filters.target_group:
        stmt = stmt.where(list_contains_any(Initiative.target_groups, filters.target_group))
    if filters.place:
        stmt = stmt.where(
            exists().where(
                Booking.initiative_id == Initiative.id, Booking.place_id.in_(filters.place)
            )
        )
    if filters.partner:
        stmt = stmt.where(
            exists().where(
                initiative_partners.c.initiative_id == Initiative.id,
                initiative_partners.c.account_id.in_(filters.partner),
            )
        )
    if filters.initiator:
        stmt = stmt.where(Initiative.initiator_id.in_(filters.initiator))
    if filters.q:
        stmt = stmt.where(
            text_matches(filters.q, Initiative.title, Initiative.summary, Initiative.description)
        )
    return stmt


def list_initiatives(
    filters: InitiativeFilter, page: int, page_size: int
) -> tuple[list[Initiative], int]:
    """Initiatives matching the filters, newest first."""
    return fetch_page(_query(filters), page, page_size)


def get_initiative(initiative_id: int) -> Initiative:
    """One initiative (public)."""
    return get_or_404(Initiative, initiative_id)


def _partners(partner_ids: list[int]) -> list[Account]:
    if len(set(partner_ids)) > MAX_PARTNERS:
        raise Invalid(
            f"At most {MAX_PARTNERS} partners.",
            errors={"partner_ids": [f"At most {MAX_PARTNERS}."]},
        )
    found = list(
        db.session.scalars(
            select(Account).where(Account.id.in_(set(partner_ids))).order_by(Account.id)
        )
    )
    missing = sorted(set(partner_ids) - {account.id for account in found})
    if missing:
        raise Invalid(
            "Some partners do not exist.",
            code="unknown_account",
            errors={"partner_ids": [f"Account {number} does not exist." for number in missing]},
        )
    return found


def _apply(initiative: Initiative, data: dict[str, Any]) -> None:
    data = dict(data)
    if "partner_ids" in data:
        initiative.partners = _partners(data.pop("partner_ids"))
    if "neighbourhood_id" in data:
        check_neighbourhood(data["neighbourhood_id"])
    for key, value in data.items():
        setattr(initiative, key, value)
    starts, ends = initiative.trial_starts_on, initiative.trial_ends_on
    if starts and ends and ends < starts:
        raise Invalid(
            "The trial cannot end before it starts.",
            errors={"trial_ends_on": ["Must not be before trial_starts_on."]},
        )


def create_initiative(actor: Actor, data: dict[str, Any]) -> Initiative:
    """Start an initiative as an idea (scope `book`); the caller is its initiator."""
    account = require_scope(actor, "book")
    initiative = Initiative(initiator_id=account.id, status=IDEA, needs={})
    with db.session.no_autoflush:
        _apply(initiative, data)
    db.session.add(initiative)
    db.session.flush()
    return initiative


def _require_initiator(actor: Actor, initiative: Initiative) -> Account:
    account = require_account(actor)
    if actor.is_admin:
        return account
    if initiative.initiator_id != account.id:
        raise Forbidden(
            "Only the initiator and admins may change an initiative.", code="not_the_initiator"
        )
    return require_scope(actor, "book")


def update_initiative(actor: Actor, initiative_id: int, data: dict[str, Any]) -> Initiative:
    """Change an initiative's description, needs, partners or trial (initiator, admins)."""
    initiative = get_initiative(initiative_id)
    _require_initiator(actor, initiative)
    _apply(initiative, data)
    db.session.flush()
    return initiative


def transition(
    actor: Actor, initiative_id: int, to: str, outcome: str | None, note: str
) -> Initiative:
    """Move an initiative on: idea -> trial -> running -> ended (idea and trial may end)."""
    initiative = get_initiative(initiative_id)
    account = _require_initiator(actor, initiative)
    if to not in TRANSITIONS[initiative.status]:
        allowed = ", ".join(TRANSITIONS[initiative.status]) or "nothing"
        raise Conflict(
            f"An initiative that is {initiative.status} can go to {allowed}, not to {to}.",
            code="invalid_transition",
        )
    if to == ENDED and not outcome:
        raise Invalid(
            "Say how it ended: continued, stopped or moved.",
            code="outcome_required",
            errors={"outcome": ["Required when ending an initiative."]},
        )
    if to != ENDED and outcome:
        raise Invalid(
            "An outcome is given only when the initiative ends.",
            errors={"outcome": ["Only with to=ended."]},
        )
    initiative.transitions.append(
        InitiativeTransition(
            actor_id=account.id,
            at=utcnow(),
            from_status=initiative.status,
            to_status=to,
            outcome=outcome,
            note=note,
        )
    )
    from_status = initiative.status
    initiative.status = to
    if outcome:
        initiative.outcome = outcome
    db.session.flush()
    outbox.emit(
        "initiative.transitioned",
        {
            "initiative_id": initiative.id,
            "title": initiative.title,
            "from": from_status,
            "to": to,
            "outcome": outcome,
            "note": note,
            "actor_id": account.id,
        },
    )
    return initiative


def may_link(actor: Actor, initiative: Initiative, place_id: int) -> bool:
    """Its initiator, its partners, hosts of the place and admins may book for it."""
    account = actor.account
    if account is None:
        return False
    involved = {initiative.initiator_id, *initiative.partner_ids}
    return account.id in involved or can_manage(actor, place_id)


def linkable_initiative(actor: Actor, initiative_id: int | None, place_id: int) -> int | None:
    """The initiative a booking may name; 403 for outsiders, 409 once it has ended."""
    if initiative_id is None:
        return None
    initiative = get_or_404(Initiative, initiative_id)
    if not may_link(actor, initiative, place_id):
        raise Forbidden(
            "Only the initiator, partners, hosts of the place and admins may book for it.",
            code="not_linked",
        )
    if initiative.status == ENDED:
        raise Conflict("This initiative has ended.", code="initiative_ended")
    return initiative.id


@dataclass(frozen=True)
class Activities:
    """An initiative's bookings as the caller may see them, and the places it used."""

    upcoming: list[Booking | RedactedBooking]
    past: list[Booking | RedactedBooking]
    places: list[Place]


def activities(actor: Actor, initiative: Initiative, now: datetime | None = None) -> Activities:
    """Upcoming and past activities (at most 100 each) and the places used."""
    now = now or utcnow()
    linked = select(Booking).where(Booking.initiative_id == initiative.id)
    upcoming_rows = db.session.scalars(
        linked.where(Booking.end > now).order_by(Booking.start).limit(MAX_ACTIVITIES)
    )
    past_rows = db.session.scalars(
        linked.where(Booking.end <= now).order_by(Booking.start.desc()).limit(MAX_ACTIVITIES)
    )

    def shown(rows: Any) -> list[Booking | RedactedBooking]:
        return [item for row in rows if (item := present(actor, row, now)) is not None]

    places = db.session.scalars(
        select(Place)
        .where(
            exists().where(
                Booking.place_id == Place.id,
                Booking.initiative_id == initiative.id,
                Booking.status == CONFIRMED,
            )
        )
        .order_by(Place.name)
    )
    return Activities(shown(upcoming_rows), shown(past_rows), list(places))
