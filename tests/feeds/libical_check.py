"""Read an iCalendar file with libical (Evolution's parser) through GObject introspection.

Run with the system Python that has python3-gi and gir1.2-ical-3.0:
    /usr/bin/python3 tests/feeds/libical_check.py FILE [FILE ...]
Prints JSON: how many errors libical found (parse errors and iTIP restriction violations,
which it adds as X-LIC-ERROR properties) and every event in UTC; for several files, an
object of these by file.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def _status(event: "ICalGLib.Component") -> str:
    prop = event.get_first_property(ICalGLib.PropertyKind.STATUS_PROPERTY)
    return prop.get_value_as_string() if prop is not None else ""


def main() -> None:
    """Report on one file, or on each of several."""
    if len(sys.argv) == 2:
        print(json.dumps(check(sys.argv[1])))
    else:
        print(json.dumps({path: check(path) for path in sys.argv[1:]}))


def check(path: str) -> dict:
    """Parse, check the restrictions of METHOD:PUBLISH, and report."""
    with open(path, encoding="utf-8") as source:
        calendar = ICalGLib.Component.new_from_string(source.read())
    restrictions_hold = ICalGLib.restriction_check(calendar)
    errors = []
    for kind in (
        ICalGLib.ComponentKind.VCALENDAR_COMPONENT,
        ICalGLib.ComponentKind.VEVENT_COMPONENT,
    ):
        components = [calendar] if kind == ICalGLib.ComponentKind.VCALENDAR_COMPONENT else []
        if kind == ICalGLib.ComponentKind.VEVENT_COMPONENT:
            event = calendar.get_first_component(kind)
            while event is not None:
                components.append(event)
                event = calendar.get_next_component(kind)
        for component in components:
            prop = component.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
            while prop is not None:
                errors.append(prop.as_ical_string().strip())
                prop = component.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    events = []
    event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        start = event.get_dtstart()
        events.append(
            {
                "uid": event.get_uid(),
                "summary": event.get_summary(),
                "start": start.as_ical_string(),
                "all_day": bool(start.is_date()),
                "utc": bool(start.is_utc()),
                "sequence": event.get_sequence(),
                "status": _status(event),
            }
        )
        event = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    return {"restrictions_hold": bool(restrictions_hold), "errors": errors, "events": events}


if __name__ == "__main__":
    main()
