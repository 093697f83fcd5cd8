"""The place's own page to edit, `/beheer/<slug>/plek`: who it is for, its text, rules,
accessibility, address and contact, and what it counts. The same service as the API's
PATCH /places/{id}; the slug and the neighbourhood are shown, not edited (an admin's)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, Length, Optional

from booking.errors import DomainError
from booking.labels import GROUPS
from booking.models import Place
from booking.page_texts import page_message
from booking.schemas.place import PHONE_PATTERN
from booking.services import places
from booking.services.authorization import Actor
from booking.transaction import unit_of_work
from booking.web.forms import (
    CheckboxesField,
    MonitoringForm,
    clean_text,
    email_field,
    one_line,
    phone_field,
)
from booking.web.hosting import hosted
from booking.web.views import bp


class ProfileForm(MonitoringForm):
    """What the place says about itself, and (as on the report page) what it counts."""

    beschrijving = TextAreaField(
        _l("About the place (paragraphs; no layout)"),
        validators=[Optional(), Length(max=5000), clean_text],
    )
    doelgroepen = CheckboxesField(_l("Who is it for?"), choices=[])
    drempelvrij = BooleanField(_l("Step-free entrance"))
    begane_grond = BooleanField(_l("On the ground floor"))
    toilet = BooleanField(_l("Accessible toilet"))
    huisregels = TextAreaField(
        _l("House rules"), validators=[Optional(), Length(max=5000), clean_text]
    )
    straat = StringField(
        _l("Street and number"), validators=[Optional(), Length(max=160), one_line]
    )
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=16), one_line])
    plaats = StringField(_l("Town"), validators=[Optional(), Length(max=120), one_line])
    email = email_field(_l("Contact e-mail"), required=False)
    telefoon = phone_field(_l("Phone"), PHONE_PATTERN)
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("A web address starting with https://")),
            Length(max=300),
        ],
    )


def _form(place: Place, formdata: Any = None) -> ProfileForm:
    settings = place.monitoring_settings
    form = ProfileForm(
        formdata=formdata,
        beschrijving=place.description or "",
        doelgroepen=list(place.target_groups or []),
        drempelvrij=place.step_free,
        begane_grond=place.ground_floor,
        toilet=place.accessible_toilet,
        huisregels=place.house_rules or "",
        straat=place.street or "",
        postcode=place.postcode or "",
        plaats=place.city or "",
        email=place.contact_email or "",
        telefoon=place.phone or "",
        website=place.website or "",
        aanwezigheid=settings["attendance"],
        feedback=bool(settings["feedback"]),
    )
    known = [(code, str(label)) for code, label in GROUPS.items()]
    # A tag set through the API that has no Dutch label yet stays choosable as it is.
    known += [(code, code) for code in (place.target_groups or []) if code not in GROUPS]
    form.doelgroepen.choices = known
    return form


def _page(place: Place, form: ProfileForm, status: int = 200) -> Any:
    return render_template("web/host_profile.html", place=place, form=form), status


@bp.get("/beheer/<string(maxlength=80):slug>/plek")
@hosted
def host_profile(actor: Actor, place: Place) -> Any:
    """The place's profile as a form."""
    return _page(place, _form(place))


@bp.post("/beheer/<string(maxlength=80):slug>/plek")
@hosted
def save_profile(actor: Actor, place: Place) -> Any:
    """Save the profile; a refusal keeps everything as typed."""
    form = _form(place, request.form)
    if not form.validate_on_submit():
        return _page(place, form, 422)

    def text(value: str | None) -> str:
        return (value or "").strip()

    data: dict[str, Any] = {
        "description": text(form.beschrijving.data),
        "target_groups": list(form.doelgroepen.data or []),
        "accessibility": {
            "step_free": bool(form.drempelvrij.data),
            "ground_floor": bool(form.begane_grond.data),
            "accessible_toilet": bool(form.toilet.data),
        },
        "house_rules": text(form.huisregels.data),
        "address": {
            "street": text(form.straat.data),
            "postcode": text(form.postcode.data),
            "city": text(form.plaats.data),
        },
        "contact_email": text(form.email.data) or None,
        "phone": text(form.telefoon.data) or None,
        "website": text(form.website.data) or None,
        "monitoring": {"attendance": form.aanwezigheid.data, "feedback": bool(form.feedback.data)},
    }
    try:
        unit_of_work(places.update_place)(actor, place.id, data)
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(place, form, error.status)
    return redirect(url_for("web.host_profile", slug=place.slug, opgeslagen=1), code=303)
