"""Demo initiatives in every state, and a week of coming activities, so the pages, reports
and suggestions show life.

The people, the school, the initiatives and the activities are invented and marked as demo
data. Their texts are Dutch, as the people who would write them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from booking.extensions import db
from booking.models import Account, Place, utcnow
from booking.services.authorization import Actor
from booking.services.booking.series import create_series
from booking.services.initiatives import answer_partnership, create_initiative, transition

DEMO_DOMAIN = "demo.wijkruimte.invalid"


def demo_account(name: str, kind: str, local: str) -> Account:
    account = Account(
        name=name,
        email=f"{local}@{DEMO_DOMAIN}",
        kind=kind,
        is_demo=True,
        email_verified_at=utcnow(),
    )
    db.session.add(account)
    db.session.flush()
    return account


def _next(weekday: int, today: date, weeks: int = 0) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def _coming(weekday: int, today: date) -> date:
    """The first date after today on this weekday (0 = Monday)."""
    return _next(weekday, today + timedelta(days=1))


def _weekly(
    actor: Actor,
    initiative_id: int | None,
    title: str,
    place: Place,
    first: date,
    hours: tuple[int, int],
    count: int,
    now: datetime,
    signup_places: int | None = None,
    **fields: Any,
) -> None:
    room = next(room for room in place.rooms if not room.parts)
    if signup_places is not None:
        fields["signups"] = {"capacity": min(signup_places, room.capacity)}
    start = datetime.combine(first, time(hours[0]), tzinfo=place.zone)
    data: dict[str, Any] = {
        "room_id": room.id,
        "start": start,
        "end": datetime.combine(first, time(hours[1]), tzinfo=place.zone),
        "title": title,
        "rrule": f"FREQ=WEEKLY;COUNT={count}",
        "on_conflict": "skip",
        "initiative_id": initiative_id,
        **fields,
    }
    create_series(actor, data, now=now)


def seed_demo_initiatives(places: list[Place]) -> int:
    """Four initiatives (idea, trial, running, ended) at demo places; returns how many."""
    by_kind: dict[str, Place] = {}
    for place in places:
        by_kind.setdefault(place.kind, place)
    buurthuis = by_kind.get("buurthuis") or places[0]
    huiskamer = by_kind.get("huiskamer") or places[0]
    resident = demo_account("Samira (demo)", "person", "samira")
    school = demo_account("Basisschool De Kleine Wereld (demo)", "organisation", "school")
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
                "description": "Voorbeeld: een verzonnen initiatief dat laat zien hoe "
                "Wijkruimte werkt.",
                "neighbourhood_id": buurthuis.neighbourhood_id,
                **fields,
            },
        )
        return created.id

    language = initiative(
        "Taalcafé Nederlands",
        "Elke week Nederlands praten bij de koffie, voor nieuwkomers en buren.",
        target_groups=["newcomers", "everyone"],
        needs={
            "capacity": 15,
            "duration_minutes": 120,
            "weekdays": ["tu"],
            "time_of_day": "evening",
        },
    )
    _weekly(actor, language, "Taalcafé", buurthuis, _next(1, past_day), (19, 21), 6, past)
    _weekly(actor, language, "Taalcafé", buurthuis, _coming(1, today), (19, 21), 8, now)
    transition(actor, language, "trial", None, "De eerste zes avonden als proef.")
    transition(actor, language, "running", None, "Twintig vaste bezoekers; het gaat door.")

    homework = initiative(
        "Huiswerkklas",
        "Huiswerkhulp door vrijwilligers uit de buurt en de basisschool.",
        partner_ids=[school.id],
        target_groups=["youth"],
        needs={
            "capacity": 12,
            "duration_minutes": 90,
            "weekdays": ["we"],
            "time_of_day": "afternoon",
        },
        trial_starts_on=_coming(2, today),
        trial_ends_on=_coming(2, today) + timedelta(weeks=6),
    )
    # The school said yes (in the demo, at once).
    answer_partnership(Actor(school, frozenset({"read", "book"})), homework, True)
    _weekly(actor, homework, "Huiswerkklas", huiskamer, _coming(2, today), (14, 15), 6, now)
    transition(actor, homework, "trial", None, "Zes woensdagen om te zien of kinderen komen.")

    initiative(
        "Repair café",
        "Neem mee wat kapot is; vrijwilligers repareren het samen met jou.",
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
        "Samen breien op donderdagochtend.",
        target_groups=["elderly", "women"],
        needs={
            "capacity": 10,
            "duration_minutes": 120,
            "weekdays": ["th"],
            "time_of_day": "morning",
        },
        lessons="De ochtend paste bij de groep; de wandeling naar de plek niet.",
    )
    _weekly(actor, knitting, "Breiclub", huiskamer, _next(3, past_day), (10, 12), 5, past)
    transition(actor, knitting, "trial", None, "")
    transition(
        actor,
        knitting,
        "ended",
        "moved",
        "De groep ging naar de bibliotheek, dichter bij de meesten.",
    )
    _activities(by_kind, resident, now, today)
    db.session.flush()
    return 4


def _activities(by_kind: dict[str, Place], resident: Account, now: datetime, today: date) -> None:
    """The coming weeks' regular activities without an initiative, one of them private."""
    club = demo_account("Bewonersvereniging (demo)", "organisation", "bewoners")
    actor = Actor(club, frozenset({"read", "book"}))
    centre = by_kind.get("dienstencentrum")
    if centre is not None:
        for weekday in (0, 3):
            first = _coming(weekday, today)
            _weekly(actor, None, "Koffieochtend", centre, first, (10, 12), 4, now)
    reading = by_kind.get("leeszaal")
    if reading is not None:
        first = _coming(2, today)
        # Sign-ups: the tables hold twelve children.
        _weekly(
            actor,
            None,
            "Knutselmiddag voor kinderen",
            reading,
            first,
            (15, 17),
            4,
            now,
            signup_places=12,
        )
    service = by_kind.get("wijkservicepunt")
    if service is not None:
        first = _coming(1, today)
        # Private: the pages show it only as "Bezet".
        _weekly(
            Actor(resident, frozenset({"read", "book"})),
            None,
            "Spreekuur schuldhulp",
            service,
            first,
            (10, 11),
            4,
            now,
            visibility="private",
        )
