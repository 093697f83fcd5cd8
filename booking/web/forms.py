"""The pages' forms (Flask-WTF): every field bounded, every text checked for the characters
the service refuses, and a CSRF token on each."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from booking.services.booking.requests_by_mail import MAX_WEEKS
from booking.text import first_forbidden_character, has_line_break

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
WEEKDAY_LABELS = (
    ("mo", _l("Monday")),
    ("tu", _l("Tuesday")),
    ("we", _l("Wednesday")),
    ("th", _l("Thursday")),
    ("fr", _l("Friday")),
    ("sa", _l("Saturday")),
    ("su", _l("Sunday")),
)


def clean_text(_form: Any, field: Any) -> None:
    """Refuse NUL, control characters and the like, as the API does."""
    if isinstance(field.data, str) and first_forbidden_character(field.data) is not None:
        raise ValidationError(_l("This text holds a character that is not allowed."))


def one_line(_form: Any, field: Any) -> None:
    """A name, a title or a short reason is one line (it may become a mail's subject)."""
    if isinstance(field.data, str) and has_line_break(field.data):
        raise ValidationError(_l("Write this on one line."))


def email_field() -> EmailField:
    """The asker's e-mail address, as every form that mails a link takes it."""
    return EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(EMAIL, message=_l("Give an e-mail address like naam@voorbeeld.nl.")),
            clean_text,
        ],
    )


class AskForm(FlaskForm):
    """Ask for a slot: what, when, how many, and who asks."""

    ruimte = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
    initiatief = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    datum = DateField(_l("Date"), validators=[DataRequired()])
    van = TimeField(_l("From"), validators=[DataRequired()])
    tot = TimeField(_l("Until"), validators=[DataRequired()])
    titel = StringField(
        _l("What are you organising?"),
        validators=[DataRequired(), Length(max=200), clean_text, one_line],
    )
    beschrijving = TextAreaField(
        _l("A short description (optional)"), validators=[Optional(), Length(max=2000), clean_text]
    )
    personen = IntegerField(
        _l("How many people do you expect? (optional)"),
        validators=[Optional(), NumberRange(1, 5000)],
    )
    zichtbaarheid = RadioField(
        _l("Who may see it?"),
        choices=[
            SelectChoice("public", _l("Everyone: it appears on the pages and in the calendars")),
            SelectChoice("private", _l("Only the hosts: others see 'busy'")),
        ],
        default="public",
    )
    weken = IntegerField(
        _l("How many weeks? (1 is once; more is every week at this time)"),
        default=1,
        validators=[DataRequired(), NumberRange(1, MAX_WEEKS)],
    )
    naam = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )
    email = email_field()
    bezet_overslaan = BooleanField(_l("Ask for the free dates only; skip the taken ones"))


class MailSettingForm(FlaskForm):
    """Whether mails about bookings come (sign-in codes always do)."""

    mails = BooleanField(_l("Send me mails about my bookings and requests"))


class ConfirmForm(FlaskForm):
    """Confirm a request from its mail; `rest` books the free dates of a weekly one."""

    rest = HiddenField(default="0")


class DecisionForm(FlaskForm):
    """A host's decision from a mail link; a decline may say why."""

    reden = TextAreaField(
        _l("Reason (optional; the asker reads it)"),
        validators=[Optional(), Length(max=500), clean_text],
    )


class SignInForm(FlaskForm):
    """The address to mail a sign-in link to."""

    email = email_field()


class ButtonForm(FlaskForm):
    """A form that is only a button: the CSRF token is its one field."""


class CancelForm(FlaskForm):
    """Cancel a booking, saying why."""

    reden = TextAreaField(
        _l("Why? (optional; the hosts read it)"),
        validators=[Optional(), Length(max=500), clean_text],
    )


class MoveForm(FlaskForm):
    """Move a booking to another time on another (or the same) day."""

    datum = DateField(_l("Date"), validators=[DataRequired()])
    van = TimeField(_l("From"), validators=[DataRequired()])
    tot = TimeField(_l("Until"), validators=[DataRequired()])


class HostDecisionForm(FlaskForm):
    """A host's decision on a pending booking or a whole series."""

    boeking = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    reeks = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    besluit = HiddenField(validators=[DataRequired(), Regexp(r"^(approve|decline)$")])
    reden = TextAreaField(
        _l("Reason (optional; the asker reads it)"),
        validators=[Optional(), Length(max=500), clean_text],
    )


class ClosureForm(FlaskForm):
    """Close the whole place for a while; `stap` says whether this is the preview."""

    van_datum = DateField(_l("From (date)"), validators=[DataRequired()])
    van_tijd = TimeField(_l("From (time)"), validators=[DataRequired()])
    tot_datum = DateField(_l("Until (date)"), validators=[DataRequired()])
    tot_tijd = TimeField(_l("Until (time)"), validators=[DataRequired()])
    reden = StringField(
        _l("Reason"), validators=[DataRequired(), Length(max=200), clean_text, one_line]
    )
    stap = HiddenField(default="preview")
    annuleren = HiddenField(default="0")


class HoursForm(FlaskForm):
    """New opening hours in the OpenStreetMap notation."""

    openingstijden = StringField(
        _l("Opening hours (like Mo-Fr 09:00-17:00; PH off)"),
        validators=[DataRequired(), Length(max=1000), clean_text],
    )
    stap = HiddenField(default="preview")
    annuleren = HiddenField(default="0")


class InitiativeForm(FlaskForm):
    """Start an initiative: what, what it needs, and when to try it."""

    titel = StringField(
        _l("Name of the initiative"),
        validators=[DataRequired(), Length(max=200), clean_text, one_line],
    )
    samenvatting = TextAreaField(
        _l("In a few words: what and for whom"),
        validators=[Optional(), Length(max=500), clean_text],
    )
    personen = IntegerField(
        _l("How many people"), default=10, validators=[DataRequired(), NumberRange(1, 5000)]
    )
    duur = IntegerField(
        _l("How long, in minutes"), default=120, validators=[DataRequired(), NumberRange(15, 720)]
    )
    dag = SelectField(
        _l("Which day of the week"),
        choices=[SelectChoice("", _l("any day"))]
        + [SelectChoice(code, label) for code, label in WEEKDAY_LABELS],
        default="",
    )
    dagdeel = SelectField(
        _l("Part of the day"),
        choices=[
            SelectChoice("", _l("any time")),
            SelectChoice("morning", _l("morning (8\u201312)")),
            SelectChoice("afternoon", _l("afternoon (12\u201317)")),
            SelectChoice("evening", _l("evening (17\u201322)")),
        ],
        default="",
    )
    drempelvrij = BooleanField(_l("Step-free entrance needed"))
    proef_van = DateField(_l("Trial from"), validators=[Optional()])
    proef_tot = DateField(_l("Trial until"), validators=[Optional()])


class TransitionForm(FlaskForm):
    """Move an initiative on."""

    naar = HiddenField(validators=[DataRequired(), Regexp(r"^(trial|running|ended)$")])
    uitkomst = SelectField(
        _l("How did it end?"),
        choices=[
            SelectChoice("continued", _l("it continues elsewhere or otherwise")),
            SelectChoice("stopped", _l("it stopped")),
            SelectChoice("moved", _l("it moved to another place")),
        ],
        default="continued",
    )
    notitie = TextAreaField(
        _l("A note (optional)"), validators=[Optional(), Length(max=1000), clean_text]
    )
