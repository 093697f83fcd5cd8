"""The recurring search reads its rooms as plain facts: for every filter they must be the
rooms `matching_rooms` loads, in its order, with the same zone, opening hours, policy and
atoms as the Room objects give."""

from __future__ import annotations

from flask import Flask

from booking.extensions import db
from booking.services.booking.policy import DEFAULT_POLICY
from booking.services.calendar.atoms import atom_ids
from booking.services.search.availability import AvailabilityFilter, matching_rooms
from booking.services.search.room_facts import room_facts
from tests.factories import Factory
from tests.venue import Venue


def test_facts_are_what_the_room_objects_say(clean_app: Flask, make: Factory, venue: Venue) -> None:
    lisbon = make.place(
        name='Casa "Lisboa"',
        timezone="Europe/Lisbon",
        opening_hours="Mo-Sa 10:00-20:00",
        policy={**DEFAULT_POLICY, "buffer_minutes": 15},
        step_free=True,
    )
    make.room(lisbon, name="Sala", facilities=["beamer", "keuken"], capacity=12)
    make.room(
        lisbon,
        name="Tuin",
        opening_hours="Mo-Su 08:00-22:00",
        policy_overrides={"granularity_minutes": 60, "requires_approval": True},
        facilities=["keuken"],
        capacity=30,
    )
    make.room(lisbon, name="Closed off", bookable=False)
    filters = [
        AvailabilityFilter(),
        AvailabilityFilter(facilities=("keuken",)),
        AvailabilityFilter(facilities=("beamer", "keuken")),
        AvailabilityFilter(capacity=25),
        AvailabilityFilter(place=(venue.place,)),
        AvailabilityFilter(room=(venue.hall, venue.small)),
        AvailabilityFilter(step_free=True),
        AvailabilityFilter(facilities=("sauna",)),
    ]
    with clean_app.app_context():
        for search in filters:
            rooms, facts = matching_rooms(search), room_facts(search)
            assert [fact.id for fact in facts] == [room.id for room in rooms], search
            for room, fact in zip(rooms, facts, strict=True):
                assert (
                    fact.name,
                    fact.place_id,
                    fact.place_name,
                    fact.capacity,
                    fact.zone,
                    fact.effective_opening_hours,
                    fact.effective_policy,
                    fact.atoms,
                ) == (
                    room.name,
                    room.place_id,
                    room.place.name,
                    room.capacity,
                    room.zone,
                    room.effective_opening_hours,
                    room.effective_policy,
                    atom_ids(room),
                )
        hall = room_facts(AvailabilityFilter(room=(venue.hall,)))[0]
        assert hall.atoms == {venue.a, venue.b}
        tuin = next(f for f in room_facts(AvailabilityFilter()) if f.name == "Tuin")
        assert tuin.effective_policy["granularity_minutes"] == 60
        assert tuin.effective_policy["buffer_minutes"] == 15
        db.session.remove()
