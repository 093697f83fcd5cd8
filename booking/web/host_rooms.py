"""The rooms of a place, `/beheer/<slug>/zalen`: add, rename, capacity, facilities, the
parts of a combined hall, bookable on or off, and remove (refused while bookings are ahead,
which the page then lists). The same services as the API."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from booking.errors import DomainError
from booking.labels import FACILITIES
from booking.models import Place, Room, utcnow
from booking.models.booking import CONFIRMED, PENDING
from booking.page_texts import page_message
from booking.services import rooms
from booking.services.authorization import Actor
from booking.services.booking import bookings
from booking.services.booking.booking_access import BookingFilter
from booking.transaction import unit_of_work
from booking.web.forms import ButtonForm, CheckboxesField, clean_text, one_line
from booking.web.hosting import hosted
from booking.web.views import bp


class RoomForm(FlaskForm):
    """A room: its name, how many people, what is there, its parts, and whether it is booked."""

    naam = StringField(
        _l("Name of the room"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )
    capaciteit = IntegerField(
        _l("How many people fit in?"),
        validators=[
            DataRequired(),
            NumberRange(1, 5000, message=_l("Give a number from 1 to 5000.")),
        ],
        invalid_value_message=_l("Give a number from 1 to 5000."),
    )
    voorzieningen = CheckboxesField(_l("What is there?"), choices=[])
    delen = CheckboxesField(_l("A combined hall of these rooms (optional)"), choices=[])
    boekbaar = BooleanField(_l("Can be booked"), default=True)


def _form(place: Place, room: Room | None = None, formdata: Any = None) -> RoomForm:
    values: dict[str, Any] = {}
    if room is not None:
        values = {
            "naam": room.name,
            "capaciteit": room.capacity,
            "voorzieningen": list(room.facilities or []),
            "delen": [str(part) for part in room.part_ids],
            "boekbaar": room.bookable,
        }
    form = RoomForm(formdata=formdata, prefix=f"zaal-{room.id}" if room else "nieuw", **values)
    known = [(code, str(label)) for code, label in FACILITIES.items()]
    extra = [(code, code) for code in (room.facilities if room else []) if code not in FACILITIES]
    form.voorzieningen.choices = known + extra
    form.delen.choices = [
        (str(other.id), other.name)
        for other in place.rooms
        if (room is None or other.id != room.id) and not other.parts
    ]
    return form


def _data(form: RoomForm) -> dict[str, Any]:
    return {
        "name": " ".join((form.naam.data or "").split()),
        "capacity": form.capaciteit.data,
        "facilities": list(form.voorzieningen.data or []),
        "part_ids": [int(item) for item in form.delen.data or []],
        "bookable": bool(form.boekbaar.data),
    }


def _page(actor: Actor, place: Place, status: int = 200, **extra: Any) -> Any:
    forms = {
        room.id: extra.pop(f"room_{room.id}", None) or _form(place, room) for room in place.rooms
    }
    return (
        render_template(
            "web/host_rooms.html",
            place=place,
            forms=forms,
            new=extra.pop("new", None) or _form(place),
            button=ButtonForm(),
            **extra,
        ),
        status,
    )


@bp.get("/beheer/<string(maxlength=80):slug>/zalen")
@hosted
def host_rooms(actor: Actor, place: Place) -> Any:
    """The place's rooms, each as a form, and one to add a room."""
    return _page(actor, place)


@bp.post("/beheer/<string(maxlength=80):slug>/zalen")
@hosted
def add_room(actor: Actor, place: Place) -> Any:
    """Add a room."""
    form = _form(place, None, request.form)
    if not form.validate_on_submit():
        return _page(actor, place, 422, new=form)
    try:
        unit_of_work(rooms.create_room)(actor, place.id, _data(form))
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(actor, place, error.status, new=form)
    return redirect(url_for("web.host_rooms", slug=place.slug, opgeslagen=1), code=303)


def _room_of(place: Place, room_id: int) -> Room:
    room = next((item for item in place.rooms if item.id == room_id), None)
    if room is None:
        raise BadRequest()
    return room


@bp.post("/beheer/<string(maxlength=80):slug>/zalen/<int:room_id>")
@hosted
def save_room(actor: Actor, place: Place, room_id: int) -> Any:
    """Change a room."""
    room = _room_of(place, room_id)
    form = _form(place, room, request.form)
    if not form.validate_on_submit():
        return _page(actor, place, 422, **{f"room_{room.id}": form})
    try:
        unit_of_work(rooms.update_room)(actor, room.id, _data(form))
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(actor, place, error.status, **{f"room_{room.id}": form})
    return redirect(url_for("web.host_rooms", slug=place.slug, opgeslagen=1), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/zalen/<int:room_id>/weg")
@hosted
def remove_room(actor: Actor, place: Place, room_id: int) -> Any:
    """Remove a room; with bookings ahead it stays, and the page lists them."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    room = _room_of(place, room_id)
    try:
        unit_of_work(rooms.delete_room)(actor, room.id)
    except DomainError as error:
        ahead, _total = bookings.list_bookings(
            actor,
            BookingFilter(room=(room.id,), from_=utcnow(), status=(PENDING, CONFIRMED)),
            1,
            100,
        )
        return _page(actor, place, error.status, refused=error, blocking_room=room, blocking=ahead)
    return redirect(url_for("web.host_rooms", slug=place.slug, opgeslagen=1), code=303)
