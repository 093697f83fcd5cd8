"""The demo data set: real Rotterdam place names, invented rooms, hours and accessibility."""

from __future__ import annotations

import csv
import hashlib
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from booking.demo.initiatives import seed_demo_initiatives
from booking.demo.monitoring import seed_demo_monitoring
from booking.extensions import db
from booking.models import Neighbourhood, Place, Room
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.common import slugify, unique_slug

# Dutch, as the places themselves write: demo data shows what a real place would say.
DEMO_NOTE = (
    "Voorbeeldgegevens: de naam is die van een echte Rotterdamse buurtplek; het adres, het "
    "contact, de ruimtes, openingstijden, toegankelijkheid en doelgroepen zijn hier verzonnen."
)
# A reserved domain (RFC 2606): a demo contact address reaches nobody.
DEMO_MAIL_DOMAIN = "voorbeeld.example"

# Per kind: opening hours, target groups, and rooms as (name, capacity, facilities).
KIND_PROFILES: dict[str, dict[str, Any]] = {
    "huiskamer": {
        "hours": "Mo-Fr 10:00-16:00; Sa 12:00-16:00; PH off",
        "groups": ["everyone", "elderly", "neighbours"],
        "rooms": [("Huiskamer", 20, ["kitchen", "coffee"]), ("Spreekkamer", 6, ["table"])],
    },
    "buurthuis": {
        "hours": "Mo-Fr 09:00-22:00; Sa 10:00-17:00; PH off",
        "groups": ["everyone", "youth", "women"],
        "rooms": [
            ("Zaal A", 40, ["projector", "chairs"]),
            ("Zaal B", 40, ["chairs", "piano"]),
            ("Keuken", 12, ["kitchen"]),
            ("Vergaderkamer", 10, ["table", "whiteboard", "wifi"]),
        ],
        # The hall combines Zaal A and Zaal B (the first two rooms).
        "combined": ("Grote zaal (A+B)", 90, ["projector", "chairs", "stage"]),
    },
    "dienstencentrum": {
        "hours": "Mo-Fr 08:30-17:00; PH off",
        "groups": ["elderly", "everyone"],
        "rooms": [
            ("Restaurant", 50, ["kitchen", "tables"]),
            ("Activiteitenruimte", 25, ["chairs"]),
        ],
    },
    "kerk": {
        "hours": "Tu-Th 10:00-21:00; Sa 10:00-16:00; Su 12:00-17:00; PH off",
        "groups": ["everyone", "spanish-speakers"],
        "rooms": [
            ("Kerkzaal", 120, ["piano", "chairs", "sound"]),
            ("Consistoriekamer", 12, ["table"]),
        ],
    },
    "inloophuis": {
        "hours": "Mo-Fr 10:00-17:00; PH off",
        "groups": ["everyone", "newcomers"],
        "rooms": [("Inloopruimte", 30, ["coffee", "kitchen"])],
    },
    "kringloop": {
        "hours": "Mo-Sa 10:00-17:00; PH off",
        "groups": ["everyone"],
        "rooms": [("Reparatiehoek", 10, ["tools", "workbench"])],
    },
    "wijkservicepunt": {
        "hours": "Mo-Fr 09:00-17:00; PH off",
        "groups": ["everyone"],
        "rooms": [("Spreekkamer", 6, ["table", "wifi"]), ("Groepsruimte", 16, ["whiteboard"])],
    },
    "jongeren": {
        "hours": "Tu-Fr 14:00-22:00; Sa 12:00-23:00; PH off",
        "groups": ["youth"],
        "rooms": [
            ("Jongerenruimte", 35, ["sound", "games"]),
            ("Studieplek", 12, ["wifi", "tables"]),
        ],
    },
    "leeszaal": {
        "hours": "Mo-Fr 10:00-18:00; Sa 10:00-16:00; PH off",
        "groups": ["everyone", "youth", "newcomers"],
        "rooms": [("Leeszaal", 40, ["books", "wifi", "tables"]), ("Taalhoek", 8, ["table"])],
    },
}


def _flag(name: str, salt: str) -> bool:
    """A stable pseudo-random yes/no per place, so the demo is the same on every machine."""
    return hashlib.sha256(f"{salt}:{name}".encode()).digest()[0] % 3 != 0


def read_places() -> list[dict[str, str]]:
    """The demo data set's rows (real Rotterdam places), as the CSV file has them."""
    with (
        resources.files("booking.demo")
        .joinpath("rotterdam-places.csv")
        .open(encoding="utf-8") as handle
    ):
        return list(csv.DictReader(handle))


def seed_demo() -> int:
    """Load the demo places with neighbourhoods and rooms; returns the number of places."""
    neighbourhoods: dict[str, Neighbourhood] = {}
    rows = read_places()
    for row in rows:
        name = row["neighbourhood"].strip()
        if name and name not in neighbourhoods:
            neighbourhood = Neighbourhood(slug=slugify(name), name=name, city="Rotterdam")
            db.session.add(neighbourhood)
            neighbourhoods[name] = neighbourhood
    db.session.flush()
    for row in rows:
        profile = KIND_PROFILES.get(row["kind"], KIND_PROFILES["huiskamer"])
        name = row["name"].strip()
        slug = unique_slug(Place, name)
        place = Place(
            slug=slug,
            name=name,
            kind=row["kind"] if row["kind"] in KIND_PROFILES else "other",
            neighbourhood=neighbourhoods.get(row["neighbourhood"].strip()),
            street=row["street"].strip(),
            postcode=row["postcode"].strip(),
            city="Rotterdam",
            contact_email=f"{slug}@{DEMO_MAIL_DOMAIN}",
            description=DEMO_NOTE,
            target_groups=list(profile["groups"]),
            step_free=_flag(name, "step"),
            ground_floor=_flag(name, "ground"),
            accessible_toilet=_flag(name, "toilet"),
            house_rules="Iedereen is welkom. Laat de ruimte netjes achter.",
            opening_hours=profile["hours"],
            policy={**DEFAULT_POLICY, "requires_approval": row["kind"] == "kerk"},
            is_demo=True,
        )
        db.session.add(place)
        rooms = [
            Room(name=r_name, capacity=cap, facilities=list(fac), policy_overrides={})
            for r_name, cap, fac in profile["rooms"]
        ]
        place.rooms.extend(rooms)
        if "combined" in profile:
            r_name, cap, fac = profile["combined"]
            place.rooms.append(
                Room(
                    name=r_name,
                    capacity=cap,
                    facilities=list(fac),
                    policy_overrides={"min_duration_minutes": 60},
                    parts=rooms[:2],
                )
            )
    db.session.flush()
    demo_places = list(db.session.scalars(select(Place).where(Place.is_demo).order_by(Place.id)))
    seed_demo_initiatives(demo_places)
    seed_demo_monitoring(demo_places)
    return len(rows)


def database_is_empty() -> bool:
    """Whether no place exists yet."""
    return not db.session.scalar(select(func.count()).select_from(Place))
