"""Bookings and series: input, output and query schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.models.booking import STATUSES, VISIBILITIES
from booking.schemas.common import (
    Flag,
    Id,
    Ids,
    Instant,
    Line,
    LocalDateTime,
    Name,
    ProblemSchema,
    Text,
    Timestamps,
    WhenField,
)

MAX_ATTENDEES = 10_000


class SignupSettingsSchema(Schema):
    """Whether and how an activity takes sign-ups (DESIGN §15)."""

    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ATTENDEES))
    waitlist = fields.Boolean(load_default=True, truthy={True}, falsy={False})
    closes_minutes_before = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(0, 60 * 24 * 60)
    )
    whole_series = fields.Boolean(
        load_default=False,
        truthy={True},
        falsy={False},
        metadata={"description": "a series only: one sign-up holds a place on every coming date"},
    )


# A caller's phone number, in the API and on the host's booking form.
CALLER_PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{5,38}$"


class OnBehalfSchema(Schema):
    """Someone who phoned or walked in: a name, and an e-mail or a phone number."""

    name = Name(120, required=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Regexp(CALLER_PHONE_PATTERN))

    @validates_schema
    def _reachable(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("email") and not data.get("phone"):
            raise ValidationError("An e-mail address or a phone number.", field_name="email")


class BookingCreateSchema(Schema):
    """A booking request; times must carry an offset and be valid local times of the place."""

    room_id = Id(required=True)
    start = Instant(required=True)
    end = Instant(required=True)
    title = Name(200, required=True)
    description = Text(2000)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    expected_attendees = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(1, MAX_ATTENDEES)
    )
    free_of_charge = fields.Boolean(
        allow_none=True,
        truthy={True},
        falsy={False},
        metadata={"description": "true: free, false: it costs something, null: not said"},
    )
    signups = fields.Nested(
        SignupSettingsSchema,
        allow_none=True,
        metadata={"description": "null: walk-in (the default); a public activity only"},
    )
    outside_opening_hours = Flag(
        metadata={"description": "hosts and admins only: book outside opening hours or closures"}
    )
    initiative_id = Id(
        allow_none=True,
        metadata={"description": "its initiator, partners, hosts of the place and admins may link"},
    )
    on_behalf_of = fields.Nested(
        OnBehalfSchema,
        allow_none=True,
        metadata={"description": "hosts of the place only: book for someone who phoned"},
    )


class BookerSchema(Schema):
    """Who booked: the e-mail only for the booker, the place's hosts and admins."""

    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class BookingSchema(Timestamps):
    """A booking. Private bookings show outsiders only room and time (`details_hidden`)."""

    # Withheld (null) on a private booking shown to an outsider, as every other detail.
    created_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    updated_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    id = fields.Integer()
    room_id = fields.Integer()
    place_id = fields.Integer()
    start = LocalDateTime()
    end = LocalDateTime()
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    visibility = fields.String()
    status = fields.String(attribute="current_status")
    expected_attendees = fields.Integer(allow_none=True)
    free_of_charge = fields.Boolean(allow_none=True)
    initiative_id = fields.Integer(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    booked_by = fields.Integer(attribute="booker_id", allow_none=True)
    booker = fields.Nested(
        BookerSchema,
        allow_none=True,
        metadata={"description": "e-mail only for the booker, the place's hosts and admins"},
    )
    outside_opening_hours = fields.Boolean(allow_none=True)
    on_behalf_of = fields.Dict(
        allow_none=True,
        metadata={
            "description": "name, email, phone of the caller a host booked for (involved only)"
        },
    )
    signups = fields.Method(
        "_signups",
        allow_none=True,
        metadata={
            "description": "null: walk-in; else capacity, waitlist, closes_minutes_before, "
            "closes_at, taken, waiting, places_left (counts only, never names)"
        },
    )
    sequence = fields.Integer(allow_none=True)
    details_hidden = fields.Boolean()
    attendance = fields.Method(
        "_attendance",
        allow_none=True,
        metadata={"description": "how many came (count, first_time, note); null until recorded"},
    )

    def _signups(self, booking: Any) -> Any:
        from booking.services.signups.quotas import signups_json

        return signups_json(booking)

    def _attendance(self, booking: Any) -> Any:
        from booking.services.monitoring.attendance import shown_attendance

        return shown_attendance(booking)


class BookingQuerySchema(Schema):
    """Filters of the booking list."""

    room = Ids(metadata={"description": "repeat for any of several"})
    place = Ids(metadata={"description": "repeat for any of several"})
    initiative = Ids(metadata={"description": "repeat for any of several"})
    from_ = WhenField(
        data_key="from",
        metadata={
            "type": "string",
            "description": "date (place's timezone) or RFC 3339 time; default now",
        },
    )
    to = WhenField(
        metadata={
            "type": "string",
            "description": "date (inclusive) or RFC 3339 time (exclusive)",
        }
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(STATUSES)), validate=validate.Length(max=5)
    )
    mine = fields.Boolean(load_default=False, metadata={"description": "only your own bookings"})


class ReasonSchema(Schema):
    """Why a booking is confirmed, declined or cancelled."""

    reason = Line(500, load_default="")


class BookingEventSchema(Schema):
    """One change in a booking's history."""

    at = LocalDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String()
    changes = fields.Dict()


class SeriesCreateSchema(BookingCreateSchema):
    """A recurring booking: the first occurrence, an RRULE, and what to do with conflicts."""

    rrule = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"example": "FREQ=WEEKLY;BYDAY=TU;COUNT=10"},
    )
    on_conflict = fields.String(load_default="fail", validate=validate.OneOf(["fail", "skip"]))
    dry_run = Flag(load_default=False)


class SignupInputSchema(Schema):
    """A sign-up: name and address default to the account's."""

    name = Name(120)
    email = fields.Email(validate=validate.Length(max=254))
    party_size = fields.Integer(
        load_default=1, strict=True, validate=validate.Range(1, MAX_ATTENDEES)
    )
    note = Text(500, allow_none=True)


class SignupSchema(Schema):
    """A sign-up, for its owner, the organiser, hosts and admins."""

    id = fields.Integer()
    booking_id = fields.Integer()
    status = fields.String(metadata={"enum": ["confirmed", "waitlisted", "cancelled"]})
    whole_series = fields.Method("_whole_series")
    position = fields.Method("_position", allow_none=True)
    party_size = fields.Integer()
    name = fields.String()
    email = fields.String()
    note = fields.String(allow_none=True)
    checked_in = fields.Boolean()
    created_at = fields.AwareDateTime()

    def _position(self, signup: Any) -> Any:
        from booking.services.signups.waitinglist import position_of

        return position_of(signup)

    def _whole_series(self, signup: Any) -> bool:
        return signup.series_id is not None


class UnconfirmedSignupSchema(Schema):
    """A sign-up without a token: it counts once the mailed link is followed."""

    status = fields.String(metadata={"enum": ["unconfirmed"]})
    detail = fields.String()


class CheckInSchema(Schema):
    """Whether a confirmed sign-up came."""

    checked_in = fields.Boolean(required=True, truthy={True}, falsy={False})


class SignupQuerySchema(Schema):
    """Filters of one's own sign-ups."""

    mine = fields.Boolean(load_default=True)


class SeriesChangeSchema(Schema):
    """What a change of a series sets on every coming date."""

    title = Name(200)
    description = Text(2000)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    initiative_id = Id(allow_none=True)
    free_of_charge = fields.Boolean(allow_none=True, truthy={True}, falsy={False})


class SeriesSchema(Timestamps):
    """A series; `start` and `end` are its first occurrence as asked."""

    id = fields.Integer(allow_none=True)
    room_id = fields.Integer()
    place_id = fields.Integer()
    rrule = fields.String()
    start = LocalDateTime()
    end = LocalDateTime()
    title = fields.String()
    status = fields.String()
    initiative_id = fields.Integer(allow_none=True)
    booked_by = fields.Integer(attribute="booked_by_id")
    occurrences = fields.Integer()
    booking_ids = fields.List(fields.Integer())


class SkippedSchema(Schema):
    """An occurrence that was not booked, and why."""

    start = fields.String()
    end = fields.String()
    reason = fields.String()
    detail = fields.String()


class SeriesResultSchema(Schema):
    """What `POST /series` did, or with `dry_run` would do."""

    series = fields.Nested(SeriesSchema)
    created = fields.List(fields.Nested(BookingSchema))
    skipped = fields.List(fields.Nested(SkippedSchema))
    dry_run = fields.Boolean()


class SeriesCancelSchema(Schema):
    """Cancel all occurrences that have not ended, or those from a time on."""

    from_ = Instant(data_key="from", metadata={"description": "this and following"})
    reason = Line(500, load_default="")


class SeriesCancelResultSchema(Schema):
    """The series and the occurrences that were cancelled."""

    series = fields.Nested(SeriesSchema)
    cancelled = fields.List(fields.Nested(BookingSchema))


class SeriesDecisionSchema(SeriesCancelSchema):
    """Confirm or decline every pending occurrence, or those from a time on."""


class SeriesDecisionResultSchema(Schema):
    """The series and the occurrences that were decided."""

    series = fields.Nested(SeriesSchema)
    decided = fields.List(fields.Nested(BookingSchema))


class SlotSchema(Schema):
    """A time interval in the place's timezone."""

    start = fields.String()
    end = fields.String()


class AlternativeSchema(SlotSchema):
    """A free slot offered instead."""

    room_id = fields.Integer()


class ConflictSlotSchema(SlotSchema):
    """What is in the way: a span (buffer included), whether it is a request waiting for
    approval or a booking, and the id only where it is the booker's own."""

    status = fields.String(metadata={"enum": ["pending", "confirmed"]})
    booking_id = fields.Integer()


class BookingConflictSchema(ProblemSchema):
    """409 `booking_conflict`: what is in the way (no private details) and free alternatives."""

    conflicts = fields.List(fields.Nested(ConflictSlotSchema))
    alternatives = fields.List(fields.Nested(AlternativeSchema))


class SeriesProblemSchema(ProblemSchema):
    """409 `series_conflict` / 422 `series_invalid`: every occurrence that cannot be booked."""

    problems = fields.List(fields.Nested(SkippedSchema))
