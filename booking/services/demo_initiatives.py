"""Demo initiatives in every state, with real bookings, so reports and suggestions show life.

The people, the school and the initiatives are invented and marked as demo data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from booking.extensions import db
from booking.models import Account, Place, utcnow
from booking.services.authorization import Actor
from booking.services.initiatives import create_initiative, transition
from booking.services.series import create_series

DEMO_DOMAIN = "demo.wijkruimte.invalid"


def _account(name: str, kind: str, local: str) -> Account:
    account = Account(name=name, email=f"{local}@{DEMO_DOMAIN}", kind=kind, is_demo=True)
    db.session.add(account)
    db.session.flush()
    return account


def _next(weekday: int, today: date, weeks: int = 0) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def _weekly(
    actor: Actor,
    initiative_id: int,
    title: str,
    place: Place,
    first: date,
    hours: tuple[int, int],
    count: int,
    now: datetime,
) -> None:
    room = next(room for room in place.rooms if not room.parts)
    start = datetime.combine(first, time(hours[0]), tzinfo=place.zone)
    data: dict[str, Any] = {
        "room_id": room.id,
        "start": start,
        "end": datetime.combine(first, time(hours[1]), tzinfo=place.zone),
        "title": title,
        "rrule": f"FREQ=WEEKLY;COUNT={count}",
        "on_conflict": "skip",
        "initiative_id": initiative_id,
    }
    create_series(actor, data, now=now)


def seed_demo_initiatives(places: list[Place]) -> int:
    """Four initiatives (idea, trial, running, ended) at demo places; returns how many."""
    by_kind: dict[str, Place] = {}
    for place in places:
        by_kind.setdefault(place.kind, place)
    buurthuis = by_kind.get("buurthuis") or places[0]
    huiskamer = by_kind.get("huiskamer") or places[0]
    resident = _account("Samira (demo)", "person", "samira")
    school = _account("Basisschool De Kleine Wereld (demo)", "organisation", "school")
    actor = Actor(resident, frozenset({"read", "book"}))
    now = utcnow()
    today = now.astimezone(buurthuis.zone).date()
    past = now - timedelta(weeks=10)
    past_day = past.astimezone(buurthuis.zone).date()

    def initiative(title: str, summary: str, **fields: Any) -> int:
        created = create_initiative(
            actor,
            {
                "title": title,
                "summary": summary,
                "description": "Demo: an invented initiative to show how Wijkruimte works.",
                "neighbourhood_id": buurthuis.neighbourhood_id,
                **fields,
            },
        )
        return created.id

    language = initiative(
        "Taalcafé Nederlands",
        "Every week Dutch conversation over coffee, for newcomers and neighbours.",
        target_groups=["newcomers", "everyone"],
        needs={
            "capacity": 15,
            "duration_minutes": 120,
            "weekdays": ["tu"],
            "time_of_day": "evening",
        },
    )
    _weekly(actor, language, "Taalcafé", buurthuis, _next(1, past_day), (19, 21), 6, past)
    _weekly(actor, language, "Taalcafé", buurthuis, _next(1, today, 1), (19, 21), 8, now)
    transition(actor, language, "trial", None, "First six evenings as a trial.")
    transition(actor, language, "running", None, "Twenty regulars; it continues.")

    homework = initiative(
        "Huiswerkklas",
        "Homework help with volunteers from the neighbourhood and the primary school.",
        partner_ids=[school.id],
        target_groups=["youth"],
        needs={
            "capacity": 12,
            "duration_minutes": 90,
            "weekdays": ["we"],
            "time_of_day": "afternoon",
        },
        trial_starts_on=_next(2, today, 1),
        trial_ends_on=_next(2, today, 7),
    )
    _weekly(actor, homework, "Huiswerkklas", huiskamer, _next(2, today, 1), (14, 15), 6, now)
    transition(actor, homework, "trial", None, "Six Wednesdays to see if children come.")

    initiative(
        "Repair café",
        "Bring what is broken; volunteers repair it with you.",
        target_groups=["everyone"],
        needs={
            "capacity": 20,
            "facilities": ["tables"],
            "duration_minutes": 180,
            "weekdays": ["sa"],
        },
    )

    knitting = initiative(
        "Breiclub",
        "Knitting together on Thursday mornings.",
        target_groups=["elderly", "women"],
        needs={
            "capacity": 10,
            "duration_minutes": 120,
            "weekdays": ["th"],
            "time_of_day": "morning",
        },
        lessons="Mornings suited the group; the walk to the place did not.",
    )
    _weekly(actor, knitting, "Breiclub", huiskamer, _next(3, past_day), (10, 12), 5, past)
    transition(actor, knitting, "trial", None, "")
    transition(actor, knitting, "ended", "moved", "The group moved to the library, nearer to most.")
    db.session.flush()
    return 4
