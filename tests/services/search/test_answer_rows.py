"""The long search answers are written straight to rows (LocalTimes) for speed: each must be
exactly what the documented marshmallow schema gives for the same objects, across a DST
switch, in two timezones, with names that need escaping."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema

from booking.extensions import db
from booking.schemas.availability import (
    FreeSlotSchema,
    RecurringRoomSchema,
    RoomFreeTimeSchema,
    recurring_rows,
    room_rows,
    slot_rows,
)
from booking.services.search.availability import (
    AvailabilityFilter,
    availability_by_room,
    find_availability,
)
from booking.services.search.recurring import Pattern, recurring_availability
from tests.booking_helpers import book
from tests.factories import Factory
from tests.venue import Venue

SPRING_2027 = date(2027, 3, 22)  # DST starts on 28 March


def one_by_one(schema: type[Schema], items: list[Any]) -> list[Any]:
    """What marshmallow writes for each item alone (the direct path is only for lists)."""
    return [schema().dump(item) for item in items]


def test_direct_rows_are_what_the_schemas_write(
    clean_app: Flask, client: FlaskClient, venue: Venue, make: Factory
) -> None:
    lisbon = make.place(
        name='Casa "Lisboa" & co', opening_hours="Mo-Su 09:00-21:00", timezone="Europe/Lisbon"
    )
    make.room(lisbon, name="Sala <1>")
    assert book(client, venue.host, venue.a, SPRING_2027, "10:00", "12:00").status_code == 201
    evening = book(client, venue.host, venue.hall, date(2027, 3, 29), "19:00", "21:00")
    assert evening.status_code == 201
    filters = AvailabilityFilter(from_=SPRING_2027, to=SPRING_2027 + timedelta(days=10))
    with clean_app.app_context():
        slots = find_availability(filters)
        assert len(slots) > 20
        assert FreeSlotSchema(many=True).dump(slots) == one_by_one(FreeSlotSchema, slots)
        # The stored flat list: each row's JSON text is the schema's row.
        assert [json.loads(row) for row in slot_rows(slots)] == one_by_one(FreeSlotSchema, slots)
        rows, total = availability_by_room(filters, 1, 100)
        assert total == len(rows) == 5
        assert room_rows(rows) == RoomFreeTimeSchema(many=True).dump(rows)
        pattern = Pattern(
            (0, 3), time(19), timedelta(minutes=90), SPRING_2027, SPRING_2027 + timedelta(weeks=3)
        )
        answers = recurring_availability(AvailabilityFilter(), pattern)
        assert any(answer.taken_dates for answer in answers)
        assert [json.loads(row) for row in recurring_rows(answers)] == one_by_one(
            RecurringRoomSchema, answers
        )
        db.session.remove()
