"""Reusable fields and validators with the contract's bounds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import available_timezones

from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, validate

from booking.models.base import MAX_ID
from booking.models.initiative import DAY_PARTS, TIMES_OF_DAY, WEEKDAYS
from booking.text import has_line_break, is_blank

SLUG = validate.Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and '-'."
)
# Dates, and instants taken in UTC, must fall in these years (first inclusive, last exclusive).
SUPPORTED_YEARS = range(2000, 2100)
_TIMEZONES = frozenset(available_timezones())


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A positive 32-bit database id; JSON ids must be numbers, query ids are text."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


MAX_FILTER_VALUES = 50


def Ids(**kwargs: Any) -> fields.List:
    """A query filter that may repeat (`place=1&place=2`): any of these ids."""
    return fields.List(Id(strict=False), validate=validate.Length(max=MAX_FILTER_VALUES), **kwargs)


def Repeated(field: fields.Field, **kwargs: Any) -> fields.List:
    """A query filter that may repeat: any of these values."""
    return fields.List(field, validate=validate.Length(max=MAX_FILTER_VALUES), **kwargs)


class Weekdays(fields.List):
    """Weekday names (mo ... su), repeated (`weekdays=tu&weekdays=th`) or joined (`tu,th`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(min=1, max=7))
        super().__init__(fields.String(validate=validate.OneOf(WEEKDAYS)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = [part for item in value for part in item.split(",")]
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A JSON boolean: only true or false (not 0, 1 or "yes", which query strings may use)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        # A type check, not `value in {True}`: 1 == True in Python, and so in a set.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Text(max_length: int, **kwargs: Any) -> fields.String:
    """A string with a maximum length."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def Name(max_length: int = 120, **kwargs: Any) -> fields.String:
    """One line (a name, a title) with a maximum length, not blank."""
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), _one_line, _not_blank], **kwargs
    )


def Line(max_length: int, **kwargs: Any) -> fields.String:
    """One line (a reason, a label) with a maximum length; it may be empty."""
    return fields.String(validate=[validate.Length(max=max_length), _one_line], **kwargs)


def Tags(max_items: int, **kwargs: Any) -> fields.List:
    """A list of slug-like tags (target groups, facilities)."""
    return fields.List(
        fields.String(validate=[validate.Length(min=1, max=40), SLUG]),
        validate=validate.Length(max=max_items),
        **kwargs,
    )


def _one_line(value: str) -> None:
    # It ends up in a mail's Subject or a calendar's SUMMARY, where a line break is an error.
    if has_line_break(value):
        raise ValidationError("Must be one line, without line breaks or control characters.")


def _not_blank(value: str) -> None:
    if is_blank(value):
        raise ValidationError("Must not be blank (invisible characters alone count as blank).")


def _in_supported_range(value: date) -> None:
    # Check the local year first: converting 0001-01-01T00:00+18:00 to UTC overflows.
    if value.year not in SUPPORTED_YEARS:
        raise ValidationError("Must be between 2000 and 2100.")
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
    if value.year not in SUPPORTED_YEARS:
        raise ValidationError("Must be between 2000 and 2100.")


def Day(**kwargs: Any) -> fields.Date:
    """An ISO date between 2000 and 2100."""
    return fields.Date(validate=_in_supported_range, **kwargs)


def _known_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError("Not a known IANA timezone (e.g. Europe/Amsterdam).")


AWARE_MESSAGES: dict[str, Any] = {
    "invalid": "Not a date and time: use RFC 3339, like 2027-01-12T19:00:00+01:00.",
    "invalid_awareness": "Add an offset such as +01:00 or Z: 2027-01-12T19:00:00+01:00.",
}


def Instant(**kwargs: Any) -> fields.AwareDateTime:
    """An RFC 3339 datetime that must carry an offset; naive input is a 422."""
    return fields.AwareDateTime(
        format="iso", validate=_in_supported_range, error_messages=AWARE_MESSAGES, **kwargs
    )


def Timezone(**kwargs: Any) -> fields.String:
    """An IANA timezone name."""
    return fields.String(validate=[validate.Length(max=64), _known_timezone], **kwargs)


class LocalDateTime(fields.DateTime):
    """Dumps an instant with the UTC offset of its place (the object's `zone`)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        zone = (obj.get("zone") if isinstance(obj, dict) else getattr(obj, "zone", None)) or UTC
        return value.astimezone(zone).isoformat()


class Timestamps(Schema):
    """created_at and updated_at, read-only."""

    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


WHEN_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+ -][0-9]{2}:[0-9]{2}))?$"
)


class WhenField(fields.Field):
    """A query bound: a date (`2027-01-12`) or an RFC 3339 datetime with an offset."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": WHEN_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        # An unencoded "+01:00" in a query string arrives as " 01:00".
        text = re.sub(r" (\d\d:\d\d)$", r"+\1", str(value))
        parsed: date | datetime
        if len(text) == 10:
            parsed = fields.Date()._deserialize(text, attr, data)
        else:
            parsed = fields.AwareDateTime(format="iso", error_messages=AWARE_MESSAGES)._deserialize(
                text, attr, data
            )
        _in_supported_range(parsed)
        return parsed


class SubscribeSchema(Schema):
    """One feed, ready to subscribe to."""

    ics = fields.String(metadata={"description": "the feed's URL (download or subscribe)"})
    webcal = fields.String(metadata={"description": "opens the calendar app (Apple, Outlook)"})
    google = fields.String(metadata={"description": "adds it to Google Calendar"})
    outlook = fields.String(metadata={"description": "adds it to Outlook.com"})


class FeedLinks(fields.Nested):
    """The subscribe links of the object's feed (`path` takes the object's id)."""

    def __init__(self, path: str, name_attribute: str, **kwargs: Any) -> None:
        super().__init__(SubscribeSchema, dump_only=True, **kwargs)
        self.path, self.name_attribute = path, name_attribute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        """Computed from the object's id and name, under the public base URL."""
        from booking.feeds.links import subscribe_links

        return subscribe_links(self.path.format(id=obj.id), str(getattr(obj, self.name_attribute)))


class ProblemSchema(Schema):
    """An RFC 9457 problem; `code` is stable and machine-readable.

    Problems may carry members of their own (`conflicts`, `alternatives`, and `unknown`:
    the unknown query parameters), so the document allows more properties than these.
    """

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.Dict(metadata={"description": "field -> messages (422 only)"})
    violations = fields.List(
        fields.String(), metadata={"description": "every broken booking rule's code (422)"}
    )


class DayPartSchema(Schema):
    """Weekdays and a local part of the day, as a search filter.

    Loads as `weekdays` (numbers, 0 = Monday) and `between` (two local times), whichever
    of `time_of_day` and `between` was given.
    """

    weekdays = Weekdays(metadata={"description": "only these weekdays: repeat, or tu,th"})
    time_of_day = fields.String(
        validate=validate.OneOf(TIMES_OF_DAY),
        metadata={"description": "morning 08-12, afternoon 12-17, evening 17-22"},
    )
    between = fields.String(
        validate=validate.Regexp(
            r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
            error="Use HH:MM-HH:MM, like 17:00-22:00.",
        ),
        metadata={"description": "only this local part of the day, HH:MM-HH:MM"},
    )

    @post_load
    def _as_numbers_and_times(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "weekdays" in data:
            data["weekdays"] = tuple(sorted({WEEKDAYS.index(name) for name in data["weekdays"]}))
        part, span = data.pop("time_of_day", None), data.pop("between", None)
        if part and span:
            raise ValidationError("Give time_of_day or between, not both.", "between")
        if part:
            data["between"] = DAY_PARTS[part]
        elif span:
            begin, end = span.split("-")
            data["between"] = (_clock(begin), _clock(end))
        return data


def _clock(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)
