"""Place kinds, target groups and facilities in words, in the reader's language: for the
pages, and for the CATEGORIES of calendar feeds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "buurthuis": _l("community centre"),
    "huiskamer": _l("neighbourhood living room"),
    "dienstencentrum": _l("service centre"),
    "kerk": _l("church"),
    "inloophuis": _l("drop-in house"),
    "kringloop": _l("second-hand shop"),
    "wijkservicepunt": _l("neighbourhood service point"),
    "jongeren": _l("youth centre"),
    "leeszaal": _l("reading room"),
    "wijktuin": _l("community garden"),
    "bibliotheek": _l("library"),
    "school": _l("school"),
    "other": _l("other place"),
}
# Target groups and facilities are free tags; these are the common ones, in words.
GROUPS = {
    "everyone": _l("everyone"),
    "elderly": _l("older people"),
    "neighbours": _l("neighbours"),
    "youth": _l("young people"),
    "women": _l("women"),
    "newcomers": _l("newcomers"),
    "spanish-speakers": _l("Spanish speakers"),
    "children": _l("children"),
    "parents": _l("parents"),
}
FACILITIES = {
    "books": _l("books"),
    "chairs": _l("chairs"),
    "coffee": _l("coffee"),
    "games": _l("games"),
    "kitchen": _l("kitchen"),
    "piano": _l("piano"),
    "projector": _l("projector"),
    "sound": _l("sound system"),
    "stage": _l("stage"),
    "table": _l("table"),
    "tables": _l("tables"),
    "tools": _l("tools"),
    "whiteboard": _l("whiteboard"),
    "wifi": _l("wifi"),
    "workbench": _l("workbench"),
}


def kind_label(code: str) -> str:
    """A place kind in words."""
    return str(KINDS.get(code, code))


def group_label(code: str) -> str:
    """A target group in words (a tag not listed: its words)."""
    return str(GROUPS.get(code, code.replace("-", " ")))


# A booking's status in words, for hosts' feeds and pages.
BOOKING_STATUSES = {
    "pending": _l("waiting for approval"),
    "confirmed": _l("confirmed"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}
