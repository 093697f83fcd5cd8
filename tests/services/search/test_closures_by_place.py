"""The searches read closures as plain rows: each closure with the atomic rooms it closes,
as `closed_span` says of the Closure objects (the parts of a closed hall, a closed room
itself, nothing for the whole place), and only those that touch the window."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import Closure, utcnow
from booking.services.calendar.closures import closed_span
from booking.services.search.availability import closures_by_place
from tests.factories import Factory


def test_closures_are_what_the_closure_objects_say(clean_app: Flask, make: Factory) -> None:
    now = utcnow().replace(microsecond=0)
    first, second = make.place(), make.place()
    part_a, part_b = make.room(first), make.room(first)
    hall = make.room(first, part_ids=[part_a, part_b])
    single = make.room(first)
    day = timedelta(days=1)
    make.closure(first, now + day, now + 2 * day)  # the whole place
    make.closure(first, now + 3 * day, now + 4 * day, [hall])
    make.closure(first, now + 5 * day, now + 6 * day, [single, part_a])
    make.closure(second, now + day, now + 3 * day, [make.room(second)])
    make.closure(first, now + 40 * day, now + 41 * day)  # outside the window
    with clean_app.app_context():
        found = closures_by_place({first, second}, now, now + 30 * day)
        closures = db.session.scalars(
            select(Closure).where(Closure.start < now + 30 * day).order_by(Closure.id)
        )
        expected: dict[int, list[object]] = {}
        for closure in closures:
            expected.setdefault(closure.place_id, []).append(closed_span(closure))
        assert {place: sorted(spans) for place, spans in found.items()} == {
            place: sorted(spans) for place, spans in expected.items()
        }
        atoms = sorted(sorted(closed) for _span, closed in found[first])
        assert atoms == sorted([[], sorted([part_a, single]), sorted([part_a, part_b])])
        assert closures_by_place({second}, now + 3 * day, now + 30 * day) == {}
