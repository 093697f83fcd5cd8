"""A year of monitoring at two demo places, so `make run` shows a full report: weekly
activities with their visitor counts, anonymous feedback, and two complaints (one handled
on time, one open). A demo host hosts both places. Everything is invented and marked demo;
the numbers come from a fixed hash, so the demo is the same on every machine."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from booking.demo.initiatives import demo_account
from booking.extensions import db
from booking.models import Attendance, Booking, Complaint, Feedback, Place, PlaceHost, utcnow
from booking.services.monitoring.complaints import TERM

WEEKS = 52
COMMENTS = (
    "Gezellig, en de koffie was goed.",
    "Fijn dat dit er is in de buurt.",
    "Het was wat druk, maar leuk.",
    "Ik kom volgende week weer.",
    "De zaal was koud.",
)


def _number(*parts: object) -> int:
    """A stable pseudo-random number from its parts."""
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:4], "big")


def _at(day: date, hour: int, place: Place) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=place.zone)


def _room(place: Place) -> int:
    return min(room.id for room in place.rooms if not room.parts)


def seed_demo_monitoring(places: list[Place]) -> int:
    """Monitoring data at the first buurthuis and huiskamer; returns the bookings made."""
    by_kind: dict[str, Place] = {}
    for place in places:
        by_kind.setdefault(place.kind, place)
    chosen = [p for p in (by_kind.get("buurthuis"), by_kind.get("huiskamer")) if p is not None]
    if not chosen:
        return 0
    host = demo_account("Gastvrouw Anja (demo)", "person", "gastvrouw")
    volunteers = demo_account("Buurtvrijwilligers (demo)", "organisation", "vrijwilligers")
    today = utcnow().astimezone(chosen[0].zone).date()
    made = 0
    for place in chosen:
        place.monitoring = {"attendance": "hosts", "feedback": True}
        db.session.add(PlaceHost(place_id=place.id, account_id=host.id))
        # Weekday mornings: a coffee morning on Tuesday, a meeting on Thursday afternoon,
        # inside every demo kind's opening hours.
        for week in range(1, WEEKS + 1):
            monday = today - timedelta(days=today.weekday(), weeks=week)
            for weekday, hour, title in ((1, 10, "Koffieochtend"), (3, 13, "Buurtoverleg")):
                day = monday + timedelta(days=weekday)
                booking = Booking(
                    room_id=_room(place),
                    place_id=place.id,
                    booked_by_id=volunteers.id,
                    start=_at(day, hour, place),
                    end=_at(day, hour + 2, place),
                    title=title,
                    status="confirmed",
                    sequence=0,
                )
                db.session.add(booking)
                db.session.flush()
                made += 1
                seed = _number(place.id, day, title)
                if seed % 10 == 0:
                    continue  # about one in ten without a count, as in life
                count = 6 + seed % 15
                db.session.add(
                    Attendance(
                        booking_id=booking.id,
                        place_id=place.id,
                        count=count,
                        first_time=seed % 4,
                        note="",
                        recorded_at=booking.end + timedelta(hours=15),
                        recorded_by_id=host.id,
                    )
                )
                if seed % 3 == 0:
                    db.session.add(
                        Feedback(
                            place_id=place.id,
                            booking_id=booking.id,
                            score=(3, 4, 4, 5, 5)[seed % 5],
                            comment=COMMENTS[seed % len(COMMENTS)] if seed % 2 else "",
                            hidden=False,
                            created_at=booking.end + timedelta(hours=1),
                        )
                    )
    place = chosen[0]
    handled_on = utcnow() - timedelta(weeks=12)
    db.session.add_all(
        [
            Complaint(
                place_id=place.id,
                kind="complaint",
                text="De verwarming stond tijdens het buurtoverleg uit.",
                locale="nl",
                status="handled",
                answer="Dank voor het melden. De thermostaat is vervangen.",
                received_at=handled_on - timedelta(days=10),
                due_at=handled_on - timedelta(days=10) + TERM,
                handled_at=handled_on,
                handled_by_id=host.id,
            ),
            Complaint(
                place_id=place.id,
                kind="suggestion",
                text="Kan de koffieochtend ook op zaterdag?",
                locale="nl",
                status="received",
                answer="",
                received_at=utcnow() - timedelta(days=9),
                due_at=utcnow() - timedelta(days=9) + TERM,
            ),
        ]
    )
    db.session.flush()
    return made
