"""The installation coordinator's pages (`is_admin`, DESIGN §16): `/beheer` lists the
neighbourhoods and places and sets them up, `/beheer/accounts` finds an account and blocks,
unblocks or erases it after a confirmation, `/beheer/outbox` shows mail that did not go out
and sends it again. Admin powers on the pages come from `is_admin` alone; anyone else 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from booking.errors import DomainError
from booking.extensions import db
from booking.labels import kind_label
from booking.models import Account, Neighbourhood, Place
from booking.page_texts import page_message
from booking.schemas.place import PLACE_KINDS
from booking.services import host_invitations, neighbourhoods, places
from booking.services.accounts import normalise_email, set_blocked
from booking.services.authorization import Actor
from booking.services.outbox import status as outbox_status
from booking.services.privacy.erasure import erase_account_as_admin
from booking.services.tokens import entitled_scopes
from booking.transaction import unit_of_work
from booking.web.forms import ButtonForm, clean_text, email_field, one_line
from booking.web.session import account_or_sign_in
from booking.web.views import bp


def administered(view: Callable[..., Any]) -> Callable[..., Any]:
    """An admin's page, called with the admin as an actor; sign in first, 403 for others."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        account = account_or_sign_in()
        if isinstance(account, Response):
            return account
        if not account.is_admin:
            abort(403)
        return view(Actor(account, frozenset(entitled_scopes(account))), **kwargs)

    return wrapper


class NeighbourhoodForm(FlaskForm):
    """A neighbourhood: its name and town."""

    naam = StringField(
        _l("Name of the neighbourhood"),
        validators=[DataRequired(), Length(max=120), clean_text, one_line],
    )
    stad = StringField(
        _l("Town"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )


class NewPlaceForm(FlaskForm):
    """A new place and the address of its first host."""

    naam = StringField(
        _l("Name of the place"), validators=[DataRequired(), Length(max=160), clean_text, one_line]
    )
    soort = SelectField(_l("Kind of place"), choices=[])
    wijk = SelectField(_l("Neighbourhood"), choices=[], validators=[Optional()])
    email = email_field()


def _new_place_form(formdata: Any = None) -> NewPlaceForm:
    form = NewPlaceForm() if formdata is not None else NewPlaceForm(formdata=None)
    form.soort.choices = [(kind, str(kind_label(kind))) for kind in PLACE_KINDS]
    form.wijk.choices = [("", str(_l("none")))] + [
        (str(item.id), item.name)
        for item in db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name))
    ]
    form.email.label.text = str(_l("E-mail of its first host"))
    return form


def _overview(status: int = 200, **extra: Any) -> Any:
    return (
        render_template(
            "web/admin.html",
            neighbourhoods=list(
                db.session.scalars(
                    select(Neighbourhood).order_by(Neighbourhood.city, Neighbourhood.name)
                )
            ),
            places=list(db.session.scalars(select(Place).order_by(Place.name))),
            neighbourhood_form=extra.pop("neighbourhood_form", None)
            or NeighbourhoodForm(formdata=None),
            place_form=extra.pop("place_form", None) or _new_place_form(),
            button=ButtonForm(),
            **extra,
        ),
        status,
    )


@bp.get("/beheer")
@administered
def admin_overview(actor: Actor) -> Any:
    """Neighbourhoods and places, and the forms to add them."""
    return _overview()


@bp.post("/beheer/wijken")
@administered
def admin_add_neighbourhood(actor: Actor) -> Any:
    """Add a neighbourhood."""
    form = NeighbourhoodForm()
    if not form.validate_on_submit():
        return _overview(422, neighbourhood_form=form)
    try:
        unit_of_work(neighbourhoods.create_neighbourhood)(
            actor, {"name": form.naam.data, "city": form.stad.data}
        )
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _overview(error.status, neighbourhood_form=form)
    flash(_("Added: %(name)s.", name=form.naam.data))
    return redirect(url_for("web.admin_overview"), code=303)


@bp.post("/beheer/wijken/<int:neighbourhood_id>")
@administered
def admin_edit_neighbourhood(actor: Actor, neighbourhood_id: int) -> Any:
    """Rename a neighbourhood or change its town."""
    form = NeighbourhoodForm(prefix=f"wijk-{neighbourhood_id}")
    if not form.validate_on_submit():
        return _overview(422)
    try:
        unit_of_work(neighbourhoods.update_neighbourhood)(
            actor, neighbourhood_id, {"name": form.naam.data, "city": form.stad.data}
        )
    except DomainError as error:
        return _overview(error.status, refused=error)
    flash(_("Saved: %(name)s.", name=form.naam.data))
    return redirect(url_for("web.admin_overview"), code=303)


@bp.post("/beheer/plekken")
@administered
def admin_add_place(actor: Actor) -> Any:
    """Create a place and invite its first host by e-mail."""
    form = _new_place_form(request.form)
    if not form.validate_on_submit():
        return _overview(422, place_form=form)
    data: dict[str, Any] = {
        "name": " ".join((form.naam.data or "").split()),
        "kind": form.soort.data,
    }
    if form.wijk.data:
        data["neighbourhood_id"] = int(form.wijk.data)

    def create_and_invite() -> Place:
        place = places.create_place(actor, data)
        host_invitations.invite(actor, place.id, form.email.data or "")
        return place

    try:
        place = unit_of_work(create_and_invite)()
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _overview(error.status, place_form=form)
    flash(_("Added: %(name)s. Its first host is invited by mail.", name=place.name))
    return redirect(url_for("web.admin_overview"), code=303)


@bp.post("/beheer/plekken/<int:place_id>/archiveer")
@administered
def admin_archive_place(actor: Actor, place_id: int) -> Any:
    """Archive a place: out of search, lists and feeds; refused while bookings are ahead."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        place = unit_of_work(places.archive_place)(actor, place_id)
    except DomainError as error:
        return _overview(error.status, refused=error)
    flash(_("Archived: %(name)s. Its history stays.", name=place.name))
    return redirect(url_for("web.admin_overview"), code=303)


# Accounts.


class FindForm(FlaskForm):
    """Find an account by its e-mail address."""

    class Meta:
        csrf = False  # a search changes nothing

    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)])


@bp.get("/beheer/accounts")
@administered
def admin_accounts(actor: Actor) -> Any:
    """Find an account by e-mail: what it hosts, and whether it is blocked."""
    form = FindForm(request.args)
    found = None
    if form.email.data:
        found = db.session.scalar(
            select(Account).where(Account.email == normalise_email(form.email.data))
        )
    return render_template(
        "web/admin_accounts.html",
        form=form,
        found=found,
        button=ButtonForm(),
        searched=bool(form.email.data),
    )


ACTIONS = {"blokkeer": "block", "deblokkeer": "unblock", "verwijder": "erase"}


@bp.get("/beheer/accounts/<int:account_id>/<any(blokkeer, deblokkeer, verwijder):action>")
@administered
def admin_confirm(actor: Actor, account_id: int, action: str) -> Any:
    """Ask to confirm: a block, an unblock or an erasure is not done by a stray click."""
    account = db.session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        abort(404)
    return render_template(
        "web/admin_confirm.html", account=account, action=action, form=ButtonForm()
    )


@bp.post("/beheer/accounts/<int:account_id>/<any(blokkeer, deblokkeer, verwijder):action>")
@administered
def admin_act(actor: Actor, account_id: int, action: str) -> Any:
    """Block, unblock or erase the account."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    account = db.session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        abort(404)
    email = account.email
    try:
        if action == "verwijder":
            unit_of_work(erase_account_as_admin)(actor, account_id)
        else:
            unit_of_work(set_blocked)(actor, account_id, action == "blokkeer")
    except DomainError as error:
        return render_template(
            "web/admin_confirm.html",
            account=account,
            action=action,
            form=ButtonForm(),
            refused=error,
        ), error.status
    flash(_("Done."))
    target: dict[str, Any] = {} if action == "verwijder" else {"email": email}
    return redirect(url_for("web.admin_accounts", **target), code=303)


# Mail that did not go out.


@bp.get("/beheer/outbox")
@administered
def admin_outbox(actor: Actor) -> Any:
    """Mail and webhooks not delivered yet, or given up on, newest first, with the error."""
    items, total = outbox_status.list_messages(actor, None, 1, 100)
    return render_template("web/admin_outbox.html", items=items, total=total, form=ButtonForm())


@bp.post("/beheer/outbox/<int:message_id>")
@administered
def admin_retry(actor: Actor, message_id: int) -> Any:
    """Send one message again now."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        unit_of_work(outbox_status.retry_message)(actor, message_id)
    except DomainError as error:
        flash(page_message(error))
    else:
        flash(_("It goes out again within a minute."))
    return redirect(url_for("web.admin_outbox"), code=303)
