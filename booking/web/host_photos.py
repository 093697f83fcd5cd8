"""The host's photos page, `/beheer/<slug>/fotos`: upload with alt text, describe again,
move up or down, remove. The same services as the API."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import BadRequest
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from booking.errors import DomainError
from booking.models import Place
from booking.page_texts import page_message
from booking.services import photos
from booking.services.authorization import Actor
from booking.transaction import unit_of_work
from booking.web.forms import ButtonForm, clean_text, one_line
from booking.web.hosting import hosted
from booking.web.views import bp


class PhotoForm(FlaskForm):
    """A new photo: the file, and what it shows in words."""

    foto = FileField(_l("Photo (JPEG, PNG or WebP, at most 10 MB)"))
    alt = StringField(
        _l("What does the photo show? (for those who cannot see it)"),
        validators=[DataRequired(), Length(max=photos.MAX_ALT), clean_text, one_line],
    )


def _page(place: Place, form: PhotoForm, status: int = 200, **extra: Any) -> Any:
    return (
        render_template(
            "web/host_photos.html",
            place=place,
            photos=photos.photos_of(place.id),
            form=form,
            button=ButtonForm(),
            max_photos=photos.MAX_PHOTOS,
            urls=photos.photo_urls,
            **extra,
        ),
        status,
    )


@bp.get("/beheer/<string(maxlength=80):slug>/fotos")
@hosted
def host_photos(actor: Actor, place: Place) -> Any:
    """The place's photos, and a form to add one."""
    return _page(place, PhotoForm(formdata=None))


@bp.post("/beheer/<string(maxlength=80):slug>/fotos")
@hosted
def upload_photo(actor: Actor, place: Place) -> Any:
    """Add a photo; a refusal (too large, not an image, too many) is said above the form."""
    form = PhotoForm()
    if not form.validate_on_submit():
        return _page(place, form, 422)
    upload = request.files.get("foto")
    data = upload.read(photos.MAX_BYTES + 1) if upload is not None else b""
    try:
        unit_of_work(photos.add_photo)(actor, place.id, data, form.alt.data)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(place, form, error.status)
    return redirect(url_for("web.host_photos", slug=place.slug), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/fotos/<int:photo_id>")
@hosted
def change_photo(actor: Actor, place: Place, photo_id: int) -> Any:
    """Move a photo (`actie=omhoog|omlaag`), describe it again (`actie=beschrijf`), or remove
    it (`actie=verwijder`)."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    action = request.form.get("actie", "")
    current = {item.id: item for item in photos.photos_of(place.id)}.get(photo_id)
    if current is None:
        raise BadRequest()
    try:
        if action == "verwijder":
            unit_of_work(photos.delete_photo)(actor, photo_id)
        elif action in ("omhoog", "omlaag"):
            step = -1 if action == "omhoog" else 1
            unit_of_work(photos.update_photo)(
                actor, photo_id, {"position": max(1, current.position + step)}
            )
        elif action == "beschrijf":
            unit_of_work(photos.update_photo)(actor, photo_id, {"alt": request.form.get("alt")})
        else:
            raise BadRequest()
    except DomainError as error:
        form = PhotoForm(formdata=None)
        return _page(place, form, error.status, refused=page_message(error))
    return redirect(url_for("web.host_photos", slug=place.slug), code=303)
