"""Co-hosts on the pages: `/beheer/<slug>/gastvrouwen` (invite by e-mail, withdraw, remove a
host but never the last) and the mailed link `/uitnodiging/<token>` (GET shows, POST accepts
and signs in)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest

from booking.errors import DomainError, NotFound
from booking.models import Place, utcnow
from booking.page_texts import page_message
from booking.services import host_invitations, places
from booking.services.authorization import Actor
from booking.transaction import unit_of_work
from booking.web.forms import ButtonForm, NameForm, email_field
from booking.web.hosting import hosted
from booking.web.session import start_session
from booking.web.views import bp


class InviteForm(FlaskForm):
    """Whom to invite as a co-host."""

    email = email_field()


def _page(actor: Actor, place: Place, form: InviteForm, status: int = 200, **extra: Any) -> Any:
    return (
        render_template(
            "web/host_team.html",
            place=place,
            hosts=places.place_hosts(actor, place.id),
            invitations=host_invitations.invitations_of(actor, place.id),
            now=utcnow(),
            me=actor.account,
            form=form,
            button=ButtonForm(),
            **extra,
        ),
        status,
    )


@bp.get("/beheer/<string(maxlength=80):slug>/gastvrouwen")
@hosted
def host_team(actor: Actor, place: Place) -> Any:
    """Who hosts the place, the invitations out, and a form to invite another."""
    return _page(actor, place, InviteForm(formdata=None))


@bp.post("/beheer/<string(maxlength=80):slug>/gastvrouwen")
@hosted
def invite_host(actor: Actor, place: Place) -> Any:
    """Invite an address; the mail with the link goes out."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(actor, place, form, 422)
    try:
        unit_of_work(host_invitations.invite)(actor, place.id, form.email.data or "")
    except DomainError as error:
        form.form_errors.append(page_message(error))
        return _page(actor, place, form, error.status)
    return redirect(url_for("web.host_team", slug=place.slug, uitgenodigd=1), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/gastvrouwen/uitnodiging/<int:invitation_id>")
@hosted
def withdraw_invitation(actor: Actor, place: Place, invitation_id: int) -> Any:
    """Withdraw an invitation not yet accepted."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        unit_of_work(host_invitations.withdraw)(actor, invitation_id)
    except DomainError as error:
        return _page(actor, place, InviteForm(formdata=None), error.status, refused=error)
    return redirect(url_for("web.host_team", slug=place.slug), code=303)


@bp.post("/beheer/<string(maxlength=80):slug>/gastvrouwen/<int:account_id>/weg")
@hosted
def remove_host(actor: Actor, place: Place, account_id: int) -> Any:
    """Remove a host (yourself too); never the last one."""
    if not ButtonForm().validate_on_submit():
        raise BadRequest()
    try:
        unit_of_work(places.remove_host)(actor, place.id, account_id)
    except DomainError as error:
        return _page(actor, place, InviteForm(formdata=None), error.status, refused=error)
    if actor.account is not None and account_id == actor.account.id:
        return redirect(url_for("web.mine"), code=303)
    return redirect(url_for("web.host_team", slug=place.slug), code=303)


@bp.get("/uitnodiging/<string(maxlength=64):token>")
def invitation_page(token: str) -> Any:
    """What the invitation is for, and the button that accepts it."""
    try:
        invitation = host_invitations.pending_by_token(token)
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    return render_template(
        "web/invitation.html", invitation=invitation, form=NameForm(formdata=None), token=token
    )


@bp.post("/uitnodiging/<string(maxlength=64):token>")
def accept_invitation(token: str) -> Any:
    """Accept: the address is proven by the link; its account becomes host, signed in."""
    form = NameForm()  # the name, for an address new to us
    if not form.validate_on_submit():
        try:
            invitation = host_invitations.pending_by_token(token)
        except NotFound as spent:
            return render_template("web/link_spent.html", spent=spent), 404
        page = render_template("web/invitation.html", invitation=invitation, form=form, token=token)
        return page, 422
    try:
        place = unit_of_work(_accept_and_sign_in)(token, " ".join((form.naam.data or "").split()))
    except NotFound as spent:
        return render_template("web/link_spent.html", spent=spent), 404
    return redirect(url_for("web.host_page", slug=place.slug), code=303)


def _accept_and_sign_in(token: str, name: str) -> Place:
    place, account = host_invitations.accept_by_link(token, name)
    start_session(account)
    return place
