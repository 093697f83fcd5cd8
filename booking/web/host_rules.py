"""The booking rules in plain Dutch, `/beheer/<slug>/regels`: the same `policy` as the API,
for the place and, where a room differs, for that room (an empty field: as the place)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from booking.errors import DomainError
from booking.models import Place
from booking.page_texts import page_message
from booking.services import places, rooms
from booking.services.authorization import Actor
from booking.transaction import unit_of_work
from booking.web.hosting import hosted
from booking.web.views import bp


def _number(label: Any, low: int, high: int) -> IntegerField:
    message = _l("A whole number from %(low)d to %(high)d.", low=low, high=high)
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(low, high, message=message)],
        invalid_value_message=message,
    )


class RulesForm(FlaskForm):
    """A policy in words: hours and days rather than minutes."""

    goedkeuren = BooleanField(_l("Approve requests first"))
    vooruit = _number(_l("Booking up to how many days ahead?"), 1, 730)
    van_tevoren = _number(_l("At least how many hours in advance?"), 0, 1440)
    langst = _number(_l("How many hours may a booking last at most?"), 1, 336)
    tussen = _number(_l("Minutes between two bookings (to tidy up)"), 0, 240)


class RoomRulesForm(RulesForm):
    """A room's own rules: empty is as the place."""

    goedkeuren = SelectField(  # type: ignore[assignment]
        _l("Approve requests first"),
        choices=[
            SelectChoice("", _l("as the place")),
            SelectChoice("ja", _l("yes")),
            SelectChoice("nee", _l("no")),
        ],
    )


def _policy(form: RulesForm, room: bool) -> dict[str, Any]:
    """The form as a policy; for a room, an empty field removes its own rule (null)."""

    def scaled(value: int | None, factor: int) -> int | None:
        return None if value is None else value * factor

    policy: dict[str, Any] = {
        "max_days_ahead": form.vooruit.data,
        "min_notice_minutes": scaled(form.van_tevoren.data, 60),
        "max_duration_minutes": scaled(form.langst.data, 60),
        "buffer_minutes": form.tussen.data,
    }
    if room:
        policy["requires_approval"] = {"ja": True, "nee": False}.get(form.goedkeuren.data or "")
        return policy
    policy["requires_approval"] = bool(form.goedkeuren.data)
    # The place's rules are always complete: an emptied field keeps what was set.
    return {key: value for key, value in policy.items() if value is not None}


def _place_form(place: Place, formdata: Any = None) -> RulesForm:
    policy = place.policy
    return RulesForm(
        formdata=formdata,
        goedkeuren=policy["requires_approval"],
        vooruit=policy["max_days_ahead"],
        van_tevoren=policy["min_notice_minutes"] // 60,
        langst=policy["max_duration_minutes"] // 60,
        tussen=policy["buffer_minutes"],
    )


def _room_form(room: Any, formdata: Any = None) -> RoomRulesForm:
    own = room.policy_overrides or {}

    def hours(key: str) -> int | None:
        return own[key] // 60 if own.get(key) is not None else None

    approve = own.get("requires_approval")
    return RoomRulesForm(
        formdata=formdata,
        prefix=f"zaal-{room.id}",
        goedkeuren="" if approve is None else ("ja" if approve else "nee"),
        vooruit=own.get("max_days_ahead"),
        van_tevoren=hours("min_notice_minutes"),
        langst=hours("max_duration_minutes"),
        tussen=own.get("buffer_minutes"),
    )


def _page(place: Place, status: int = 200, **forms: Any) -> Any:
    room_forms = {room.id: forms.pop(f"room_{room.id}", None) for room in place.rooms}
    return (
        render_template(
            "web/host_rules.html",
            place=place,
            form=forms.get("whole") or _place_form(place),
            rooms=[(room, room_forms[room.id] or _room_form(room)) for room in place.rooms],
            refused=forms.get("refused"),
        ),
        status,
    )


@bp.get("/beheer/<string(maxlength=80):slug>/regels")
@hosted
def host_rules(actor: Actor, place: Place) -> Any:
    """The rules of the place and of each room."""
    return _page(place)


@bp.post("/beheer/<string(maxlength=80):slug>/regels")
@hosted
def save_rules(actor: Actor, place: Place) -> Any:
    """Save the place's rules."""
    form = _place_form(place, request.form)
    if not form.validate_on_submit():
        return _page(place, 422, whole=form)
    try:
        unit_of_work(places.update_place)(actor, place.id, {"policy": _policy(form, room=False)})
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(place, error.status, whole=form)
    return redirect(url_for("web.host_rules", slug=place.slug, opgeslagen=1), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/regels/zaal/<int:room_id>")
@hosted
def save_room_rules(actor: Actor, place: Place, room_id: int) -> Any:
    """Save one room's own rules (empty: as the place)."""
    room = next((item for item in place.rooms if item.id == room_id), None)
    if room is None:
        return _page(place, 404)
    form = _room_form(room, request.form)
    if not form.validate_on_submit():
        return _page(place, 422, **{f"room_{room.id}": form})
    try:
        unit_of_work(rooms.update_room)(actor, room.id, {"policy": _policy(form, room=True)})
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(place, error.status, **{f"room_{room.id}": form})
    return redirect(url_for("web.host_rules", slug=place.slug, opgeslagen=1), code=303)
