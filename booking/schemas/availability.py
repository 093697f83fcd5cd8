"""Availability search: query and result schemas."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from booking.schemas.common import (
    SLUG,
    Day,
    DayPartSchema,
    Ids,
    LocalDateTime,
    Repeated,
    Weekdays,
    WhenField,
)
from booking.schemas.place import PLACE_KINDS
from booking.services.search.availability import RoomFreeTime
from booking.services.search.recurring import REASONS, RoomDates


class PlaceNeedsSchema(Schema):
    """What the place must offer (repeated values: any of them)."""

    step_free = fields.Boolean(metadata={"description": "a step-free entrance"})
    ground_floor = fields.Boolean()
    accessible_toilet = fields.Boolean()
    kind = Repeated(fields.String(validate=validate.OneOf(PLACE_KINDS)))
    target_group = Repeated(
        fields.String(validate=validate.Length(min=1, max=40)),
        metadata={"description": "places that welcome any of these groups"},
    )


class AvailabilityQuerySchema(PlaceNeedsSchema, DayPartSchema):
    """Where and when to look for free time, and what the room must offer."""

    from_ = WhenField(
        data_key="from",
        metadata={"type": "string", "description": "date (place's timezone) or time; default now"},
    )
    to = WhenField(
        metadata={
            "type": "string",
            "description": "date (inclusive) or time (exclusive); default from + 7 days; "
            "at most 62 days after from",
        }
    )
    min_duration = fields.Integer(
        validate=validate.Range(5, 1440),
        metadata={"description": "minutes; at least the room's own minimum"},
    )
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    facilities = fields.List(
        fields.String(validate=[validate.Length(min=1, max=40), SLUG]),
        validate=validate.Length(max=20),
    )
    neighbourhood = Ids(metadata={"description": "repeat for any of several"})
    place = Ids(metadata={"description": "repeat for any of several"})
    room = Ids(metadata={"description": "repeat for any of several"})
    group = fields.String(
        validate=validate.OneOf(["room"]),
        metadata={
            "description": "room: one row per room (names, capacity, free intervals); a page "
            "is page_size rooms, and only those are computed"
        },
    )


class RoomAvailabilityQuerySchema(AvailabilityQuerySchema):
    """The same, for one room."""

    class Meta:
        exclude = (
            "capacity",
            "facilities",
            "neighbourhood",
            "place",
            "room",
            "step_free",
            "ground_floor",
            "accessible_toilet",
            "kind",
            "target_group",
            "group",
        )


class LocalTimes:
    """Instants as text in their place's timezone, each written once per answer.

    A search answers tens of thousands of intervals whose edges are few (opening and
    closing times, the grid), and field-by-field serialising was most of a page's time:
    the long lists below are written straight to rows, with the fields the schemas
    document (a test holds the two to the same output).
    """

    def __init__(self) -> None:
        self._written: dict[tuple[object, str], str] = {}

    def __call__(self, value: datetime | int, zone: ZoneInfo) -> str:
        """The instant (or whole seconds since the epoch) in the zone, as RFC 3339."""
        key = (value, zone.key)
        found = self._written.get(key)
        if found is None:
            moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
            found = self._written[key] = moment.astimezone(zone).isoformat()
        return found


class FreeSlotSchema(Schema):
    """A maximal free interval of a room, in the place's timezone."""

    room_id = fields.Integer()
    place_id = fields.Integer()
    start = LocalDateTime()
    end = LocalDateTime()

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """A list is written row by row (LocalTimes); one interval as marshmallow does."""
        if not (self.many if many is None else many):
            return super().dump(obj, many=many)
        text = LocalTimes()
        return [
            {
                "room_id": slot.room_id,
                "place_id": slot.place_id,
                "start": text(slot.start, slot.zone),
                "end": text(slot.end, slot.zone),
            }
            for slot in obj
        ]


def slot_rows(slots: list[Any]) -> list[str]:
    """FreeSlotSchema's rows as JSON text, one string per slot (the stored flat list)."""
    text = LocalTimes()
    return [
        f'{{"room_id":{slot.room_id},"place_id":{slot.place_id},'
        f'"start":"{text(slot.start, slot.zone)}","end":"{text(slot.end, slot.zone)}"}}'
        for slot in slots
    ]


class FreeIntervalSchema(Schema):
    """A free interval inside a room's row."""

    start = LocalDateTime()
    end = LocalDateTime()


class RoomFreeTimeSchema(Schema):
    """With `group=room`: one row per room, its place and room names, capacity, and its free
    intervals (empty when it has none)."""

    room_id = fields.Integer(attribute="room.id")
    room_name = fields.String(attribute="room.name")
    place_id = fields.Integer(attribute="room.place_id")
    place_name = fields.String(attribute="room.place.name")
    capacity = fields.Integer(attribute="room.capacity")
    free = fields.List(fields.Nested(FreeIntervalSchema))


class AvailabilityAnswerSchema(FreeSlotSchema):
    """Free intervals; with `group=room`, rooms with their intervals (RoomFreeTime)."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Each row as what it is: a free interval, or a room with its intervals."""
        rows = list(obj)
        if rows and isinstance(rows[0], RoomFreeTime):
            return room_rows(rows)
        return super().dump(rows, many=many)


def room_rows(rows: list[RoomFreeTime]) -> list[dict[str, Any]]:
    """RoomFreeTimeSchema's rows, written directly (LocalTimes)."""
    text = LocalTimes()
    written = []
    for row in rows:
        room, zone = row.room, row.room.zone
        written.append(
            {
                "room_id": room.id,
                "room_name": room.name,
                "place_id": room.place_id,
                "place_name": room.place.name,
                "capacity": room.capacity,
                "free": [
                    {"start": text(start, zone), "end": text(end, zone)} for start, end in row.spans
                ],
            }
        )
    return written


class FeedQuerySchema(Schema):
    """Options of an availability feed."""

    min_duration = fields.Integer(
        validate=validate.Range(5, 1440),
        metadata={"description": "only free slots at least this many minutes long"},
    )


class RecurringQuerySchema(PlaceNeedsSchema, DayPartSchema):
    """A weekly pattern, and what the room must offer; `time_of_day` or `between`, when
    given, must hold the pattern's time."""

    weekdays = Weekdays(required=True, metadata={"description": "repeat, or tu,th"})
    start_time = fields.Time(
        required=True, format="%H:%M", metadata={"description": "local wall-clock time, 19:00"}
    )
    duration = fields.Integer(required=True, validate=validate.Range(5, 1440))
    from_ = Day(data_key="from", metadata={"description": "first date; default today"})
    until = Day(metadata={"description": "last date, inclusive"})
    weeks = fields.Integer(validate=validate.Range(1, 52), metadata={"description": "or: weeks"})
    capacity = fields.Integer(validate=validate.Range(1, 10_000))
    facilities = fields.List(
        fields.String(validate=[validate.Length(min=1, max=40), SLUG]),
        validate=validate.Length(max=20),
    )
    neighbourhood = Repeated(
        fields.String(validate=validate.Length(min=1, max=80)),
        metadata={"description": "id or slug, as /places takes it; repeat for any of several"},
    )
    place = Ids()
    room = Ids()


class TakenDateSchema(Schema):
    """A date of the pattern the room cannot have, and why."""

    date = fields.Date()
    reason = fields.String(metadata={"enum": list(REASONS)})


class RecurringRoomSchema(Schema):
    """A room's answer to a weekly pattern, and a series body that books it."""

    room_id = fields.Integer()
    room_name = fields.String()
    place_id = fields.Integer()
    place_name = fields.String()
    free_dates = fields.List(fields.Date())
    taken_dates = fields.List(fields.Nested(TakenDateSchema))
    total_dates = fields.Integer()
    series = fields.Dict(metadata={"description": "a ready POST /series body"})


def recurring_rows(answers: list[RoomDates]) -> list[str]:
    """RecurringRoomSchema's rows as JSON text, one string per room: the rooms of one
    search share their dates, so each date's text (free, or taken for a reason) is written
    once and joined into every row."""
    written: list[str] = []
    free_texts: dict[tuple[date, ...], list[str]] = {}
    taken_texts: dict[tuple[date, str], str] = {}
    for answer in answers:
        dates = answer.dates
        free_text = free_texts.get(dates)
        if free_text is None:
            free_text = free_texts[dates] = [f'"{day.isoformat()}"' for day in dates]
        free, taken = [], []
        for index, reason in enumerate(answer.reasons):
            if reason is None:
                free.append(free_text[index])
            else:
                text = taken_texts.get((dates[index], reason))
                if text is None:
                    text = taken_texts[dates[index], reason] = (
                        f'{{"date":{free_text[index]},"reason":"{reason}"}}'
                    )
                taken.append(text)
        written.append(
            f'{{"room_id":{answer.room_id},"room_name":{_JSON.encode(answer.room_name)},'
            f'"place_id":{answer.place_id},"place_name":{_JSON.encode(answer.place_name)},'
            f'"free_dates":[{",".join(free)}],"taken_dates":[{",".join(taken)}],'
            f'"total_dates":{answer.total_dates},"series":{_JSON.encode(answer.series)}}}'
        )
    return written


# One encoder for every value: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
