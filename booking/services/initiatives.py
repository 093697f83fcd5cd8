"""Initiatives: create, find, change, move through their life, and who may book for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, insert, select, update

from booking.errors import Conflict, Forbidden, Invalid
from booking.extensions import db
from booking.feeds.stamps import revise_bookings
from booking.models import Account, Booking, Initiative, InitiativeTransition, Place, utcnow
from booking.models.booking import CONFIRMED
from booking.models.initiative import ENDED, IDEA, TRANSITIONS, initiative_partners
from booking.models.outbox import PARTNER_INVITED
from booking.services.authorization import Actor, can_manage, require_account, require_scope
from booking.services.booking.booking_access import RedactedBooking, present
from booking.services.common import fetch_page, get_or_404, list_contains_any, text_matches
from booking.services.neighbourhoods import check_neighbourhood
from booking.services.outbox import events

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
                initiative_partners.c.accepted_at.is_not(None),
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


def newest_initiatives(filters: InitiativeFilter, limit: int) -> list[Initiative]:
    """The first `limit` of `list_initiatives`, without counting them all."""
    return list(db.session.scalars(_query(filters).limit(limit)))


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


def _invite(actor: Actor, initiative: Initiative, partner_ids: list[int]) -> None:
    """Make the listed accounts the initiative's partners or invitees: partners who stay
    listed keep their acceptance, new ones are invited (and mailed) until they accept, and
    those no longer listed are dropped. The initiative is flushed (it has an id)."""
    wanted = {account.id for account in _partners(partner_ids)} - {initiative.initiator_id}
    table = initiative_partners.c
    listed = set(
        db.session.scalars(select(table.account_id).where(table.initiative_id == initiative.id))
    )
    if listed - wanted:
        db.session.execute(
            delete(initiative_partners).where(
                table.initiative_id == initiative.id, table.account_id.in_(listed - wanted)
            )
        )
    now = utcnow()
    for account_id in sorted(wanted - listed):
        db.session.execute(
            insert(initiative_partners).values(
                initiative_id=initiative.id, account_id=account_id, created_at=now
            )
        )
        events.emit(
            PARTNER_INVITED,
            {
                "initiative_id": initiative.id,
                "title": initiative.title,
                "account_id": account_id,
                "actor_id": actor_id_of(actor),
            },
        )
    db.session.expire(initiative, ["partners", "invited"])


def actor_id_of(actor: Actor) -> int | None:
    """The acting account's id, if any."""
    return actor.account.id if actor.account is not None else None


def answer_partnership(actor: Actor, initiative_id: int, accept: bool) -> Initiative:
    """The invited account accepts (and becomes a partner) or declines (and is no longer
    listed). A partner may also step down by declining. Anyone else: 403 `not_invited`."""
    account = require_account(actor)
    initiative = get_initiative(initiative_id)
    table = initiative_partners.c
    row = (table.initiative_id == initiative.id) & (table.account_id == account.id)
    if db.session.scalar(select(table.account_id).where(row)) is None:
        raise Forbidden(
            "Only an account the initiator listed as a partner can answer.", code="not_invited"
        )
    if accept:
        db.session.execute(
            update(initiative_partners)
            .where(row, table.accepted_at.is_(None))
            .values(accepted_at=utcnow())
        )
    else:
        db.session.execute(delete(initiative_partners).where(row))
    db.session.expire(initiative, ["partners", "invited"])
    return initiative


def invitations(account: Account) -> list[Initiative]:
    """The initiatives that invited the account as a partner and wait for its answer."""
    table = initiative_partners.c
    return list(
        db.session.scalars(
            select(Initiative)
            .join(initiative_partners, table.initiative_id == Initiative.id)
            .where(table.account_id == account.id, table.accepted_at.is_(None))
            .order_by(Initiative.id)
        )
    )


def reveal_invitations(actor: Actor, initiative: Initiative) -> Initiative:
    """Let the answer show who is invited: to the initiator and admins only."""
    account = actor.account
    if actor.is_admin or (account is not None and account.id == initiative.initiator_id):
        initiative.show_invited = True  # type: ignore[attr-defined]
    return initiative


def _apply(initiative: Initiative, data: dict[str, Any]) -> None:
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
    data = dict(data)
    partner_ids = data.pop("partner_ids", None)
    initiative = Initiative(initiator_id=account.id, status=IDEA, needs={})
    with db.session.no_autoflush:
        _apply(initiative, data)
    db.session.add(initiative)
    db.session.flush()
    if partner_ids:
        _invite(actor, initiative, partner_ids)
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
    data = dict(data)
    partner_ids = data.pop("partner_ids", None)
    groups_before = list(initiative.target_groups or [])
    _apply(initiative, data)
    db.session.flush()
    if list(initiative.target_groups or []) != groups_before:
        # Its activities' CATEGORIES changed in every feed that shows them.
        revise_bookings(Booking.initiative_id == initiative.id)
    if partner_ids is not None:
        _invite(actor, initiative, partner_ids)
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
    events.emit(
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
