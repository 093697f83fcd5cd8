"""Initiatives: input, output, queries, transitions and suggestions."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate

from booking.models.initiative import INITIATIVE_STATUSES, OUTCOMES, TIMES_OF_DAY, WEEKDAYS
from booking.schemas.booking import BookingSchema
from booking.schemas.common import (
    SLUG,
    Day,
    FeedLinks,
    Flag,
    Id,
    Ids,
    LocalDateTime,
    Name,
    Repeated,
    Tags,
    Text,
    Timestamps,
    WhenField,
)


class NeedsSchema(Schema):
    """What the initiative needs from a room and a time."""

    capacity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 10_000))
    facilities = Tags(20, load_default=list)
    duration_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(15, 720)
    )
    weekdays = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS)),
        validate=validate.Length(max=7),
        load_default=list,
        metadata={"description": 'preferred weekdays, e.g. ["tu", "th"]; empty = any'},
    )
    time_of_day = fields.String(
        allow_none=True,
        validate=validate.OneOf(TIMES_OF_DAY),
        metadata={"description": "morning 08-12, afternoon 12-17, evening 17-22"},
    )
    start_time = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="Use HH:MM."),
        metadata={"description": "a fixed start time, 19:00 (instead of a time of day)"},
    )
    step_free = Flag(allow_none=True)
    ground_floor = Flag(allow_none=True)
    accessible_toilet = Flag(allow_none=True)


class InitiativeCreateSchema(Schema):
    """A new initiative; it starts as an idea, its initiator is the caller."""

    title = Name(200, required=True)
    summary = Text(500)
    description = Text(5000)
    partner_ids = fields.List(Id(), validate=validate.Length(max=20))
    target_groups = Tags(20)
    neighbourhood_id = Id(allow_none=True)
    needs = fields.Nested(NeedsSchema)
    trial_starts_on = Day(allow_none=True)
    trial_ends_on = Day(allow_none=True)
    lessons = Text(5000)


class TransitionRecordSchema(Schema):
    """One step in an initiative's life."""

    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    from_status = fields.String()
    to_status = fields.String()
    outcome = fields.String(allow_none=True)
    note = fields.String()


class InitiativeSchema(Timestamps):
    """An initiative."""

    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    description = fields.String()
    status = fields.String()
    initiator_id = fields.Integer()
    # Partners that accepted; those still invited are listed for the initiator and admins.
    partner_ids = fields.List(fields.Integer())
    invited_partner_ids = fields.Method(
        "_invited",
        metadata={
            "type": "array",
            "items": {"type": "integer"},
            "description": "Invited, not yet accepted partners (initiator and admins only).",
        },
    )
    target_groups = fields.List(fields.String())
    neighbourhood_id = fields.Integer(allow_none=True)
    needs = fields.Dict()
    trial_starts_on = fields.Date(allow_none=True)
    trial_ends_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    lessons = fields.String()
    feeds = FeedLinks("/feeds/initiatives/{id}.ics", "title")

    def _invited(self, initiative: Any) -> list[int] | None:
        if not getattr(initiative, "show_invited", False):
            return None
        return list(initiative.invited_partner_ids)

    @post_dump
    def _omit_invitations_for_others(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("invited_partner_ids") is None:
            data.pop("invited_partner_ids", None)
        return data


class PartnershipSchema(Schema):
    """The invited account's answer."""

    accept = fields.Boolean(required=True)


class PlaceRefSchema(Schema):
    """A place, briefly."""

    id = fields.Integer()
    name = fields.String()


class InitiativeDetailSchema(InitiativeSchema):
    """An initiative with its activities, the places it used, and its history."""

    upcoming = fields.List(fields.Nested(BookingSchema))
    past = fields.List(fields.Nested(BookingSchema))
    places = fields.List(fields.Nested(PlaceRefSchema))
    transitions = fields.List(fields.Nested(TransitionRecordSchema))


class InitiativeQuerySchema(Schema):
    """Filters of the initiative list."""

    status = Repeated(fields.String(validate=validate.OneOf(INITIATIVE_STATUSES)))
    neighbourhood = Ids()
    target_group = Repeated(fields.String(validate=[validate.Length(max=40), SLUG]))
    place = Ids(metadata={"description": "initiatives with activities there"})
    partner = Ids()
    q = fields.String(validate=validate.Length(min=1, max=100))


class TransitionSchema(Schema):
    """Where to move the initiative; an outcome is required to end it."""

    to = fields.String(required=True, validate=validate.OneOf(INITIATIVE_STATUSES))
    outcome = fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES))
    note = Text(1000, load_default="")


class SuggestionQuerySchema(Schema):
    """The window to look in (default: from the trial's start, two weeks)."""

    from_ = WhenField(data_key="from", metadata={"type": "string"})
    to = WhenField(metadata={"type": "string"})


class RankReasonSchema(Schema):
    """Why a suggestion ranks where it does."""

    code = fields.String()
    points = fields.Integer()
    detail = fields.String()


class SuggestedSeriesSchema(Schema):
    """A body for POST /series that books this slot weekly for the trial."""

    room_id = fields.Integer()
    start = fields.String()
    end = fields.String()
    title = fields.String()
    rrule = fields.String()
    initiative_id = fields.Integer()
    on_conflict = fields.String()


class SuggestionSchema(Schema):
    """A weekly slot that fits every need over the trial: how many dates are free, its score
    and the reasons for it, and a series body that books it."""

    room_id = fields.Integer()
    place_id = fields.Integer()
    place_name = fields.String()
    room_name = fields.String()
    weekday = fields.String()
    start_time = fields.String()
    free_dates = fields.List(fields.Date())
    total_dates = fields.Integer()
    start = LocalDateTime(metadata={"description": "the first free date"})
    end = LocalDateTime()
    score = fields.Integer()
    reasons = fields.List(fields.Nested(RankReasonSchema))
    series = fields.Nested(SuggestedSeriesSchema)
