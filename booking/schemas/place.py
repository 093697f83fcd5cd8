"""Neighbourhood, place, room, closure and opening-hours schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from booking.models.monitoring import ATTENDANCE_MODES
from booking.schemas.common import (
    SLUG,
    Day,
    DayPartSchema,
    FeedLinks,
    Flag,
    Id,
    Ids,
    Instant,
    Line,
    LocalDateTime,
    Name,
    Repeated,
    Tags,
    Text,
    Timestamps,
    Timezone,
)

PLACE_KINDS = (
    "buurthuis",
    "huiskamer",
    "dienstencentrum",
    "kerk",
    "inloophuis",
    "kringloop",
    "wijkservicepunt",
    "jongeren",
    "leeszaal",
    "wijktuin",
    "bibliotheek",
    "school",
    "other",
)


class NeighbourhoodCreateSchema(Schema):
    """Input for a neighbourhood."""

    slug = fields.String(validate=[validate.Length(min=1, max=80), SLUG])
    name = Name(required=True)
    city = Name(required=True)


class NeighbourhoodSchema(Timestamps):
    """A neighbourhood, with its activities feed and its free-room feed."""

    id = fields.Integer(dump_only=True)
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    city = fields.String(dump_only=True)
    feeds = FeedLinks("/feeds/neighbourhoods/{id}.ics", "name")
    free_slot_feeds = FeedLinks("/feeds/availability/neighbourhoods/{id}.ics", "name")


class PolicyInputSchema(Schema):
    """Booking policy fields; null removes a room's override."""

    granularity_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.OneOf([5, 10, 15, 20, 30, 60])
    )
    min_duration_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(5, 1440)
    )
    max_duration_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(5, 14 * 1440)
    )
    min_notice_minutes = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(0, 60 * 1440)
    )
    max_days_ahead = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 730))
    buffer_minutes = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 240))
    requires_approval = Flag(allow_none=True)
    max_active_bookings = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(1, 1000)
    )


class AddressSchema(Schema):
    """A postal address."""

    street = Text(160)
    postcode = Text(16)
    city = Text(120)


# A place's phone number, in the API and on the host's profile page.
PHONE_PATTERN = r"^\+?[0-9 ()-]{6,30}$"
PHONE = validate.Regexp(PHONE_PATTERN, error="Digits, spaces, ( ) - and a leading +.")


class AccessibilitySchema(Schema):
    """Accessibility features of a place."""

    step_free = Flag()
    ground_floor = Flag()
    accessible_toilet = Flag()


class MonitoringSchema(Schema):
    """What a place chooses to monitor: ask for attendance (of the booker or the hosts, or
    not), and whether anyone may give anonymous feedback."""

    attendance = fields.String(validate=validate.OneOf(ATTENDANCE_MODES))
    feedback = fields.Boolean()


class PlaceCreateSchema(Schema):
    """Input for a place; on PATCH every field is optional."""

    slug = fields.String(validate=[validate.Length(min=1, max=80), SLUG])
    name = Name(160, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PLACE_KINDS))
    neighbourhood_id = Id(allow_none=True)
    address = fields.Nested(AddressSchema)
    timezone = Timezone()
    description = Text(5000)
    target_groups = Tags(20)
    accessibility = fields.Nested(AccessibilitySchema)
    house_rules = Text(5000)
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(
        allow_none=True,
        validate=validate.Regexp(PHONE_PATTERN, error="Not a phone number."),
    )
    website = fields.Url(
        allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=300)
    )
    opening_hours = Name(1000)
    policy = fields.Nested(PolicyInputSchema)
    monitoring = fields.Nested(MonitoringSchema)
    latitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(-180, 180))


class PlaceChangeSchema(PlaceCreateSchema):
    """A change to a place; new opening hours may cancel the bookings they no longer cover."""

    cancel_affected = Flag(
        load_only=True,
        metadata={"description": "cancel the active bookings the new hours no longer cover"},
    )


class PolicySchema(Schema):
    """A complete booking policy."""

    granularity_minutes = fields.Integer()
    min_duration_minutes = fields.Integer()
    max_duration_minutes = fields.Integer()
    min_notice_minutes = fields.Integer()
    max_days_ahead = fields.Integer()
    buffer_minutes = fields.Integer()
    requires_approval = fields.Boolean()
    max_active_bookings = fields.Integer()


class PlaceSchema(Timestamps):
    """A place."""

    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    neighbourhood_id = fields.Integer(allow_none=True)
    address = fields.Nested(AddressSchema)
    timezone = fields.String()
    description = fields.String()
    target_groups = fields.List(fields.String())
    accessibility = fields.Nested(AccessibilitySchema)
    house_rules = fields.String()
    contact_email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    opening_hours = fields.String()
    policy = fields.Nested(PolicySchema)
    monitoring = fields.Nested(MonitoringSchema, attribute="monitoring_settings")
    is_demo = fields.Boolean()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    feeds = FeedLinks("/feeds/places/{id}.ics", "name")
    free_slot_feeds = FeedLinks("/feeds/availability/places/{id}.ics", "name")
    affected_bookings = fields.List(
        fields.Nested(lambda: AffectedBookingSchema()),
        metadata={"description": "after new opening hours: the bookings they no longer cover"},
    )


class PlaceQuerySchema(DayPartSchema):
    """Filters of the place list; weekdays with a part of the day: open then, next 4 weeks."""

    neighbourhood = Repeated(
        fields.String(validate=validate.Length(min=1, max=80)),
        metadata={"description": "id or slug; repeat for any of several"},
    )
    kind = Repeated(fields.String(validate=validate.OneOf(PLACE_KINDS)))
    target_group = Repeated(
        fields.String(validate=validate.Length(min=1, max=40)),
        metadata={"description": "places that welcome any of these groups"},
    )
    q = fields.String(validate=validate.Length(max=100))
    step_free = fields.Boolean()
    ground_floor = fields.Boolean()
    accessible_toilet = fields.Boolean()
    place = Ids(metadata={"description": "repeat for any of several"})


class HostCreateSchema(Schema):
    """Input to add a host."""

    account_id = Id(required=True)


class RoomCreateSchema(Schema):
    """Input for a room; on PATCH every field is optional."""

    name = Name(required=True)
    capacity = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5000))
    facilities = Tags(30)
    opening_hours = fields.String(allow_none=True, validate=validate.Length(min=1, max=1000))
    policy = fields.Nested(PolicyInputSchema)
    part_ids = fields.List(Id(), validate=validate.Length(max=12))
    bookable = Flag()


class RoomChangeSchema(RoomCreateSchema):
    """A change to a room; new hours or `bookable: false` may cancel the bookings they hit."""

    cancel_affected = Flag(
        load_only=True,
        metadata={"description": "cancel the active bookings the change leaves out"},
    )


class RoomSchema(Timestamps):
    """A room; `policy` holds only its overrides, `effective_policy` the result."""

    id = fields.Integer()
    place_id = fields.Integer()
    name = fields.String()
    capacity = fields.Integer()
    facilities = fields.List(fields.String())
    opening_hours = fields.String(allow_none=True)
    policy = fields.Dict()
    effective_policy = fields.Nested(PolicySchema)
    part_ids = fields.List(fields.Integer())
    bookable = fields.Boolean()
    feeds = FeedLinks("/feeds/rooms/{id}.ics", "name")
    affected_bookings = fields.List(
        fields.Nested(lambda: AffectedBookingSchema()),
        metadata={"description": "after new hours or bookable=false: the bookings hit"},
    )


class ClosureCreateSchema(Schema):
    """Input for a closure; no room_ids closes the whole place."""

    start = Instant(required=True)
    end = Instant(required=True)
    reason = Line(200, load_default="")
    room_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=100))
    cancel_affected = Flag(
        load_default=False,
        metadata={"description": "cancel the active bookings it covers (their bookers are told)"},
    )
    dry_run = Flag(
        load_default=False, metadata={"description": "only show which bookings it would hit"}
    )


class AffectedBookingSchema(Schema):
    """An active booking that a change hits, in the place's timezone."""

    id = fields.Integer()
    room_id = fields.Integer()
    start = fields.String()
    end = fields.String()
    title = fields.String()
    status = fields.String()


class ClosureSchema(Timestamps):
    """A closure, in the place's timezone."""

    id = fields.Integer()
    place_id = fields.Integer()
    room_ids = fields.List(fields.Integer())
    start = LocalDateTime()
    end = LocalDateTime()
    reason = fields.String()
    dry_run = fields.Boolean()
    affected_bookings = fields.List(
        fields.Nested(AffectedBookingSchema),
        metadata={"description": "on creation: the active bookings it covers"},
    )


class ClosureQuerySchema(Schema):
    """Filters of the closure list."""

    include_past = fields.Boolean(
        load_default=False, metadata={"description": "also closures that have ended"}
    )


class OpeningHoursQuerySchema(Schema):
    """Window of resolved opening hours (dates in the place's timezone, inclusive)."""

    from_ = Day(data_key="from", metadata={"description": "first date; default today"})
    to = Day(metadata={"description": "last date, inclusive; default from + 6 days"})
    room = Id(
        strict=False, metadata={"description": "resolve for this room (its override and closures)"}
    )


class IntervalSchema(Schema):
    """An open interval."""

    start = fields.String()
    end = fields.String()


class OpeningDaySchema(Schema):
    """Open intervals of one local date."""

    date = fields.Date()
    intervals = fields.List(fields.Nested(IntervalSchema))
