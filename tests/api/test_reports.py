"""Usage reports: figures recomputed here from the raw rows, access, and safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from booking.extensions import db
from booking.models import Booking, Initiative
from tests.booking_helpers import AMSTERDAM
from tests.factories import Caller, Factory

# The autumn DST day of 2026 has 25 hours; the report spans it.
FIRST, LAST = datetime(2026, 10, 24).date(), datetime(2026, 10, 26).date()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=AMSTERDAM)


def build(make: Factory) -> dict[str, Any]:
    north = make.neighbourhood("Noord")
    place = make.place(name="Huiskamer", opening_hours="24/7", neighbourhood_id=north)
    other = make.place(name="Elders", opening_hours="Mo-Su 09:00-17:00")
    a, b = make.room(place, name="A"), make.room(place, name="B")
    hall = make.room(place, name="Zaal", part_ids=[a, b])
    day_room = make.room(place, name="Dagkamer", opening_hours="Mo-Su 08:00-22:00")
    elsewhere = make.room(other, name="Kamer")
    host = make.account(hosts=[place])
    booker = make.account()
    make.closure(place, at(25, 10), at(25, 12), room_ids=[day_room])

    def rows() -> None:
        youth = Initiative(
            title="Jeugd", initiator_id=booker.id, target_groups=["youth", "parents"]
        )
        women = Initiative(title="Vrouwen", initiator_id=booker.id, target_groups=["women"])
        db.session.add_all([youth, women])
        db.session.flush()
        specs = [
            # room, start, end, status, initiative
            (a, at(24, 10), at(24, 12), "confirmed", youth.id),
            (hall, at(25, 1), at(25, 4), "confirmed", youth.id),  # across the extra hour
            (b, at(25, 20), at(26, 2), "confirmed", women.id),
            (day_room, at(26, 9), at(26, 11), "confirmed", None),
            (a, at(26, 14), at(26, 15), "cancelled", youth.id),
            (b, at(26, 16), at(26, 17), "declined", None),
            (a, at(23, 22), at(24, 1), "confirmed", None),  # starts before the window
            (a, at(27, 10), at(27, 11), "confirmed", women.id),  # after the window
            (elsewhere, at(24, 10), at(24, 11), "confirmed", None),
        ]
        for room, start, end, status, initiative in specs:
            place_id = other if room == elsewhere else place
            db.session.add(
                Booking(
                    room_id=room,
                    place_id=place_id,
                    booked_by_id=booker.id,
                    start=start,
                    end=end,
                    title="Rij",
                    status=status,
                    initiative_id=initiative,
                )
            )
        db.session.commit()

    make.run(rows)
    return {
        "place": place,
        "other": other,
        "rooms": {"A": a, "B": b, "Zaal": hall, "Dagkamer": day_room},
        "host": host,
        "booker": booker,
        "north": north,
    }


def expected_figures(make: Factory, place: int) -> dict[str, Any]:
    """Recompute the place's figures from raw SQL rows, independently of the service."""
    # In UTC: Python subtracts two times of one zone as wall-clock times.
    window = (at(FIRST.day, 0).astimezone(UTC), at(LAST.day + 1, 0).astimezone(UTC))
    hours_in_window = (window[1] - window[0]) / timedelta(hours=1)  # 73: one 25-hour day

    def fetch() -> tuple[list[Any], list[Any], dict[int, list[str]]]:
        bookings = db.session.execute(
            text(
                'SELECT room_id, start, "end", status, initiative_id'
                " FROM bookings WHERE place_id = :p"
            ),
            {"p": place},
        ).all()
        parts = db.session.execute(text("SELECT room_id, part_id FROM room_parts")).all()
        groups = {row.id: row.target_groups for row in db.session.scalars(select(Initiative))}
        return list(bookings), list(parts), groups

    bookings, parts, groups = make.run(fetch)
    part_count: dict[int, int] = {}
    for room_id, _ in parts:
        part_count[room_id] = part_count.get(room_id, 0) + 1

    def aware(value: Any) -> datetime:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    figures = {
        "booked": 0.0,
        "activities": 0,
        "initiatives": set(),
        "groups": {},
        "cancelled": 0,
        "declined": 0,
    }
    for room_id, start, end, status, initiative in bookings:
        start, end = aware(start), aware(end)
        if not (start < window[1] and end > window[0]):
            continue
        if status == "confirmed":
            overlap = (min(end, window[1]) - max(start, window[0])) / timedelta(hours=1)
            figures["booked"] += overlap * part_count.get(room_id, 1)
            figures["activities"] += 1
            if initiative:
                figures["initiatives"].add(initiative)
            for group in groups.get(initiative, []) or ["unspecified"]:
                figures["groups"][group] = figures["groups"].get(group, 0) + 1
        elif status in ("cancelled", "declined"):
            figures[status] += 1
    # Open: A and B 24/7 (73 h each); the day room 14 h a day minus a 2-hour closure.
    figures["open"] = 2 * hours_in_window + (3 * 14 - 2)
    return figures


def test_figures_match_the_raw_rows(client: FlaskClient, make: Factory) -> None:
    world = build(make)
    admin = make.account(admin=True)
    response = client.get(f"/api/v1/reports/usage?from={FIRST}&to={LAST}", headers=admin.headers)
    assert response.status_code == 200, response.json
    (report,) = [p for p in response.json if p["place_id"] == world["place"]]
    expected = expected_figures(make, world["place"])
    assert report["from"] == str(FIRST) and report["to"] == str(LAST)
    assert report["open_hours"] == expected["open"] == 186
    assert report["booked_hours"] == round(expected["booked"], 2)
    assert report["occupancy"] == round(expected["booked"] / expected["open"], 4)
    assert report["activities"] == expected["activities"] == 5
    assert report["initiatives"] == len(expected["initiatives"]) == 2
    assert report["bookings_per_target_group"] == dict(sorted(expected["groups"].items()))
    assert (
        (report["cancelled"], report["declined"])
        == (expected["cancelled"], expected["declined"])
        == (1, 1)
    )
    rooms = {room["name"]: room for room in report["rooms"]}
    assert rooms["A"]["open_hours"] == 73  # the 25-hour day counts 25
    assert rooms["Dagkamer"]["open_hours"] == 40
    # The hall booking (01:00-04:00 on the long day) lasts four real hours.
    assert rooms["Zaal"]["booked_hours"] == 4 and rooms["Zaal"]["activities"] == 1
    assert rooms["A"]["booked_hours"] == 3  # 10-12, and 00:00-01:00 of the one that began before
    assert rooms["B"]["booked_hours"] == 6 and rooms["B"]["declined"] == 1
    assert rooms["Dagkamer"]["occupancy"] == round(2 / 40, 4)


@pytest.mark.parametrize("role", ["host", "admin", "booker", "anonymous"])
def test_who_sees_which_places(client: FlaskClient, make: Factory, role: str) -> None:
    world = build(make)
    callers: dict[str, Caller | None] = {
        "host": world["host"],
        "admin": make.account(admin=True),
        "booker": world["booker"],
        "anonymous": None,
    }
    caller = callers[role]
    response = client.get(
        f"/api/v1/reports/usage?from={FIRST}&to={LAST}", headers=caller.headers if caller else {}
    )
    expected = {"host": 200, "admin": 200, "booker": 403, "anonymous": 401}[role]
    assert response.status_code == expected
    if role == "host":
        assert [p["place_id"] for p in response.json] == [world["place"]]
    if role == "admin":
        assert {p["place_id"] for p in response.json} == {world["place"], world["other"]}
        north = client.get(
            f"/api/v1/reports/usage?from={FIRST}&to={LAST}&neighbourhood={world['north']}",
            headers=caller.headers,  # type: ignore[union-attr]
        )
        assert [p["place_id"] for p in north.json] == [world["place"]]


def test_report_bounds(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    for query in (
        "from=2026-01-01",
        "from=2026-01-01&to=2027-06-01",
        "from=2026-02-01&to=2026-01-01",
        "from=2026-01-01&to=2026-01-02&format=xml",
    ):
        assert (
            client.get(f"/api/v1/reports/usage?{query}", headers=admin.headers).status_code == 422
        ), query


def test_csv_opens_cleanly_and_never_runs_formulas(client: FlaskClient, make: Factory) -> None:
    place = make.place(name='=HYPERLINK("http://evil")', opening_hours="24/7")
    make.room(place, name="@SUM(1+1)")
    make.room(place, name="-2+3")
    make.room(place, name="Gewoon, met komma")
    admin = make.account(admin=True)
    response = client.get(
        f"/api/v1/reports/usage?from={FIRST}&to={LAST}&format=csv", headers=admin.headers
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:7] == ["level", "place_id", "place", "room_id", "room", "from", "to"]
    assert all(len(row) == len(rows[0]) for row in rows)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil")' in cells and "'@SUM(1+1)" in cells and "'-2+3" in cells
    assert "Gewoon, met komma" in cells
    assert {row[5] for row in rows[1:]} == {str(FIRST)} and {row[6] for row in rows[1:]} == {
        str(LAST)
    }
