"""The pages' forms (Flask-WTF): every field bounded, every text checked for the characters
the service refuses, and a CSRF token on each."""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from booking.page_texts import text_of
from booking.schemas.booking import CALLER_PHONE_PATTERN
from booking.services.booking.requests_by_mail import MAX_WEEKS
from booking.services.calendar.weekly_hours import MAX_SPANS
from booking.text import first_forbidden_character, has_line_break, is_blank

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
    """A name, a title or a short reason is one line (it may become a mail's subject), and
    one that shows something: invisible characters alone are as good as empty."""
    if isinstance(field.data, str) and has_line_break(field.data):
        raise ValidationError(_l("Write this on one line."))
    if isinstance(field.data, str) and field.data.strip() and is_blank(field.data):
        raise ValidationError(_l("Write something that can be read."))


TIME_EXAMPLE = _l("Give a time like 19:30.")
DATE_EXAMPLE = _l("Give a date like 2027-03-24.")


_TYPED_CLOCK = re.compile(r"^([01]?[0-9]|2[0-4])(?:[:.hu ]?([0-5][0-9]))?[hu]?$")


def clock_as_typed(value: Any) -> Any:
    """A time as people type it, written as HH:MM: 9, 9:00, 9.00, 0900, 9u30 and 17h
    become 09:00, 09:30 and 17:00; anything else is left for the validator to refuse."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    found = _TYPED_CLOCK.match(text)
    if found is None:
        return value.strip()
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour == 24 and minute:
        return value.strip()
    return f"{hour:02d}:{minute:02d}"


class ClockField(TimeField):
    """A time field that reads a time as people type it (see `clock_as_typed`)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Normalise what was typed, then parse it as HH:MM."""
        if valuelist:
            valuelist = [clock_as_typed(valuelist[0]), *valuelist[1:]]
        super().process_formdata(valuelist)


def clock_field(label: Any) -> TimeField:
    """A required time; a wrong one says what a right one looks like."""
    return ClockField(
        label,
        validators=[InputRequired(message=TIME_EXAMPLE)],
        invalid_value_message=TIME_EXAMPLE,
    )


def local_span(form: Any, zone: Any, now: datetime) -> tuple[datetime, datetime] | None:
    """A form's `datum`, `van` and `tot` as instants in `zone`; or None, with the broken
    rule next to its field: an end on the same day before the start is an error (never read
    as the next day), and a time that has passed is too."""
    start = datetime.combine(form.datum.data, form.van.data, tzinfo=zone)
    end = datetime.combine(form.datum.data, form.tot.data, tzinfo=zone)
    if end <= start:
        form.tot.errors = [*form.tot.errors, _l("The end must be after the start.")]
        return None
    if start <= now:
        field = form.datum if form.datum.data < now.astimezone(zone).date() else form.van
        field.errors = [*field.errors, text_of("in_the_past")]
        return None
    return start, end


def day_field(label: Any, *, required: bool = True) -> DateField:
    """A date; a wrong one says what a right one looks like."""
    first = InputRequired(message=DATE_EXAMPLE) if required else Optional()
    return DateField(
        label,
        validators=[first],
        format=["%Y-%m-%d", "%d-%m-%Y"],
        invalid_value_message=DATE_EXAMPLE,
    )


def number_field(label: Any, low: int, high: int, message: Any, **kwargs: Any) -> IntegerField:
    """A whole number in [low, high]; out of range or not a number, `message` says which."""
    return IntegerField(
        label,
        validators=[InputRequired(message=message), NumberRange(low, high, message=message)],
        invalid_value_message=message,
        **kwargs,
    )


def email_field(label: Any = None, *, required: bool = True) -> EmailField:
    """An e-mail address as every form takes it: the asker's own by default (every form that
    mails a link needs one); `required=False` for a contact that may be left empty."""
    return EmailField(
        label or _l("Your e-mail address"),
        validators=[
            DataRequired() if required else Optional(),
            Length(max=254),
            Regexp(EMAIL, message=_l("Give an e-mail address like naam@voorbeeld.nl.")),
            clean_text,
        ],
    )


def phone_field(label: Any, pattern: str) -> StringField:
    """A phone number that may be left empty, checked by the API's own `pattern`."""
    return StringField(
        label,
        validators=[
            Optional(),
            Regexp(pattern, message=_l("Digits, spaces, ( ) - and a leading +.")),
        ],
    )


class SlotForm(FlaskForm):
    """The booking form's one component: when, what, for whom, and sign-ups. The request
    form (who asks) and the host's booking for a caller (who phoned) add their own part."""

    datum = day_field(_l("Date"))
    van = clock_field(_l("From"))
    tot = clock_field(_l("Until"))
    titel = StringField(
        _l("What are you organising?"),
        validators=[DataRequired(), Length(max=200), clean_text, one_line],
    )
    beschrijving = TextAreaField(
        _l("A short description (optional)"), validators=[Optional(), Length(max=2000), clean_text]
    )
    personen = IntegerField(
        _l("How many people do you expect? (optional)"),
        validators=[Optional(), NumberRange(1, 5000, message=_l("Give a number from 1 to 5000."))],
        invalid_value_message=_l("Give a number from 1 to 5000."),
    )
    zichtbaarheid = RadioField(
        _l("Who may see it?"),
        choices=[
            SelectChoice("public", _l("Everyone: it appears on the pages and in the calendars")),
            SelectChoice("private", _l("Only the hosts: others see 'busy'")),
        ],
        default="public",
    )
    gratis = SelectField(
        _l("Is it free for those who come? (optional)"),
        choices=[
            SelectChoice("", _l("I do not say")),
            SelectChoice("ja", _l("Yes, free")),
            SelectChoice("nee", _l("No, it costs something")),
        ],
        default="",
    )
    aanmelden = BooleanField(_l("People sign up beforehand (with a maximum)"))
    plekken = IntegerField(
        _l("How many places?"),
        validators=[
            Optional(),
            NumberRange(1, 5000, message=_l("Give a number from 1 to 5000.")),
        ],
        invalid_value_message=_l("Give a number from 1 to 5000."),
    )
    weken = number_field(
        _l("How many weeks? (1 is once; more is every week at this time)"),
        1,
        MAX_WEEKS,
        _l("Choose 1 to %(most)d weeks.", most=MAX_WEEKS),
        default=1,
    )

    def validate_aanmelden(self, field: Any) -> None:
        """Sign-ups need a number of places, and everyone must be able to see the activity.
        Checked on this field: the number's own checks stop at an empty field, which a
        browser sends."""
        if not field.data:
            self.plekken.data = None
            return
        if self.plekken.data is None and not self.plekken.errors:
            raise ValidationError(_l("Say how many places there are."))
        if self.zichtbaarheid.data != "public":
            raise ValidationError(_l("Only an activity everyone may see takes sign-ups."))

    def booking_fields(self) -> dict[str, Any]:
        """The API's booking fields this part of the form fills in."""
        return {
            "title": " ".join((self.titel.data or "").split()),
            "description": self.beschrijving.data or "",
            "expected_attendees": self.personen.data,
            "visibility": self.zichtbaarheid.data or "public",
            "free_of_charge": {"ja": True, "nee": False}.get(self.gratis.data or ""),
            "signups": {"capacity": self.plekken.data} if self.aanmelden.data else None,
        }


class AskForm(SlotForm):
    """Ask for a slot: what, when, how many, and who asks."""

    ruimte = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])
    initiatief = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    naam = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )
    email = email_field()
    bezet_overslaan = BooleanField(_l("Ask for the free dates only; skip the taken ones"))


class CallerBookingForm(SlotForm):
    """A host books for someone who phoned or walked in: the room, and the caller."""

    zaal = SelectField(_l("Room"), choices=[])
    beller_naam = StringField(
        _l("Name of the person you book for"),
        validators=[DataRequired(), Length(max=120), clean_text, one_line],
    )
    beller_email = email_field(_l("Their e-mail (the confirmation goes there)"), required=False)
    beller_telefoon = phone_field(_l("Their phone number"), CALLER_PHONE_PATTERN)

    def validate_beller_naam(self, field: Any) -> None:
        """An e-mail address or a phone number, to reach the caller."""
        if (
            not (self.beller_email.data or "").strip()
            and not (self.beller_telefoon.data or "").strip()
        ):
            raise ValidationError(_l("Give their e-mail address or phone number."))

    def caller(self) -> dict[str, Any]:
        """The API's `on_behalf_of`."""
        return {
            "name": " ".join((self.beller_naam.data or "").split()),
            "email": (self.beller_email.data or "").strip() or None,
            "phone": (self.beller_telefoon.data or "").strip() or None,
        }


class NameForm(FlaskForm):
    """One's name, as hosts see it (an account made by mail is named after the address)."""

    naam = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )


class MailSettingForm(FlaskForm):
    """Whether mails about bookings come (sign-in codes always do)."""

    mails = BooleanField(_l("Send me mails about my bookings and requests"))


class SignupForm(FlaskForm):
    """Sign up for an activity: who, and how many people come."""

    naam = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), clean_text, one_line]
    )
    email = email_field()
    personen = IntegerField(
        _l("How many people, you included?"),
        default=1,
        validators=[
            DataRequired(),
            NumberRange(1, 500, message=_l("Give a number from 1 to 500.")),
        ],
        invalid_value_message=_l("Give a number from 1 to 500."),
    )


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


class SeriesCancelForm(FlaskForm):
    """Cancel a series: from one date on (`wat=volgende`), or every coming date (`alles`)."""

    vanaf = SelectField(_l("From which date"), choices=[], validate_choice=False)
    wat = HiddenField(validators=[DataRequired(), Regexp(r"^(volgende|alles)$")])
    reden = TextAreaField(
        _l("Why? (optional; the hosts read it)"),
        validators=[Optional(), Length(max=500), clean_text],
    )


class MoveForm(FlaskForm):
    """Move a booking to another time on another (or the same) day."""

    datum = day_field(_l("Date"))
    van = clock_field(_l("From"))
    tot = clock_field(_l("Until"))


class HostDecisionForm(FlaskForm):
    """A host's decision on a pending booking or a whole series."""

    boeking = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    reeks = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    besluit = HiddenField(validators=[DataRequired(), Regexp(r"^(approve|decline)$")])
    reden = TextAreaField(
        _l("Reason (optional; the asker reads it)"),
        validators=[Optional(), Length(max=500), clean_text],
    )


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (target groups, facilities, rooms)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClosureForm(FlaskForm):
    """Close the whole place for a while; `stap` says whether this is the preview."""

    van_datum = day_field(_l("From (date)"))
    van_tijd = ClockField(
        _l("From (time)"), validators=[Optional()], invalid_value_message=TIME_EXAMPLE
    )
    tot_datum = day_field(_l("Until (date)"))
    tot_tijd = ClockField(
        _l("Until (time)"), validators=[Optional()], invalid_value_message=TIME_EXAMPLE
    )
    hele_dag = BooleanField(_l("The whole day (from the first date to the end of the last)"))
    zalen = CheckboxesField(_l("Only these rooms (none ticked: the whole place)"), choices=[])
    reden = StringField(
        _l("Reason"), validators=[DataRequired(), Length(max=200), clean_text, one_line]
    )
    stap = HiddenField(default="preview")
    annuleren = HiddenField(default="0")

    def validate(self, extra_validators: Any = None) -> bool:
        """Times are needed unless the closure takes whole days (an empty time stops its
        own checks, so it is looked at here)."""
        valid = super().validate(extra_validators)
        if not self.hele_dag.data:
            for field in (self.van_tijd, self.tot_tijd):
                if field.data is None and not field.errors:
                    field.errors = [*field.errors, TIME_EXAMPLE]
                    valid = False
        return valid


class HoursForm(FlaskForm):
    """New opening hours in the OpenStreetMap notation (the "advanced" field)."""

    openingstijden = StringField(
        _l("Opening hours (like Mo-Fr 09:00-17:00; PH off)"),
        validators=[DataRequired(), Length(max=1000), clean_text],
    )
    stap = HiddenField(default="preview")
    annuleren = HiddenField(default="0")


CLOCK_OR_EMPTY = r"^((([01][0-9]|2[0-3]):[0-5][0-9])|24:00)?$"


class WeekHoursForm(FlaskForm):
    """Opening hours per day: up to three from-until spans a day (none: closed), and
    whether the place closes on public holidays. The fields are named `<day>_van_<n>` and
    `<day>_tot_<n>`; `spans()` reads them."""

    feestdagen_dicht = BooleanField(_l("Closed on public holidays"), default=True)
    stap = HiddenField(default="preview")
    annuleren = HiddenField(default="0")

    def spans(self) -> list[list[tuple[str, str]]]:
        """Per day from Monday, the filled-in spans as ('09:00', '17:00') pairs."""
        return [
            [
                (self[f"{code}_van_{n}"].data, self[f"{code}_tot_{n}"].data)
                for n in range(1, MAX_SPANS + 1)
                if self[f"{code}_van_{n}"].data or self[f"{code}_tot_{n}"].data
            ]
            for code, _label in WEEKDAY_LABELS
        ]

    def error_links(self) -> list[tuple[str, str]]:
        """Each field's error as (field id, "Maandag, van: ..."), in the order of the page,
        for the summary at the top that links to the field."""
        found = []
        for code, label in WEEKDAY_LABELS:
            for n in range(1, MAX_SPANS + 1):
                for part in ("van", "tot"):
                    field = self[f"{code}_{part}_{n}"]
                    if field.errors:
                        text = f"{label}, {field.label.text}: {' '.join(map(str, field.errors))}"
                        found.append((field.id, text[:1].upper() + text[1:]))
        return found

    def validate(self, extra_validators: Any = None) -> bool:
        """Each span whole, its end after its start, and the spans of a day apart."""
        valid = super().validate(extra_validators)
        for code, _label in WEEKDAY_LABELS:
            last_end = ""
            for n in range(1, MAX_SPANS + 1):
                start, end = self[f"{code}_van_{n}"], self[f"{code}_tot_{n}"]
                if start.errors or end.errors or not (start.data or end.data):
                    continue
                if not start.data or not end.data:
                    (start if not start.data else end).errors.append(_l("Fill in both times."))
                elif end.data <= start.data:
                    end.errors.append(_l("The end must be after the start."))
                elif start.data < last_end:
                    start.errors.append(_l("This time falls in the span before it."))
                else:
                    last_end = end.data
                    continue
                valid = False
        return valid


for _code, _label in WEEKDAY_LABELS:
    for _n in range(1, MAX_SPANS + 1):
        for _part, _text in (("van", _l("from")), ("tot", _l("until"))):
            setattr(
                WeekHoursForm,
                f"{_code}_{_part}_{_n}",
                StringField(
                    _text,
                    validators=[Regexp(CLOCK_OR_EMPTY, message=TIME_EXAMPLE)],
                    filters=[clock_as_typed],
                    render_kw={"inputmode": "numeric", "size": 5, "autocomplete": "off"},
                ),
            )


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
    personen = number_field(
        _l("How many people"), 1, 5000, _l("Give a number from 1 to 5000."), default=10
    )
    duur = number_field(
        _l("How long, in minutes"), 15, 720, _l("Choose 15 to 720 minutes."), default=120
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
    begintijd = TimeField(
        _l("Start time (optional; otherwise any time in the part of the day)"),
        validators=[Optional()],
        invalid_value_message=TIME_EXAMPLE,
    )
    wijk = SelectField(_l("Neighbourhood"), choices=[], default="")
    drempelvrij = BooleanField(_l("Step-free entrance needed"))
    proef_van = day_field(_l("Trial from"), required=False)
    proef_tot = day_field(_l("Trial until"), required=False)

    def validate_proef_tot(self, field: Any) -> None:
        """A trial is planned ahead: one that is over already is refused on the form (the
        API keeps taking past trials, for records of what was tried before)."""
        if field.data is not None and field.data < datetime.now(UTC).date():
            raise ValidationError(
                _l("That trial would have ended already. Choose an end date from today on.")
            )


class LinkForm(FlaskForm):
    """Link one's bookings and series to an initiative: checkboxes `boeking` and `reeks`
    with ids, read from the form as lists."""


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


SMILEYS = (
    SelectChoice("1", _l("Very bad")),
    SelectChoice("2", _l("Bad")),
    SelectChoice("3", _l("So-so")),
    SelectChoice("4", _l("Good")),
    SelectChoice("5", _l("Very good")),
)


class FeedbackForm(FlaskForm):
    """How was it: five smileys, a comment, and the spam guard's two fields."""

    score = RadioField(
        _l("How was it?"),
        choices=list(SMILEYS),
        validators=[InputRequired(message=_l("Choose one of the five faces."))],
    )
    opmerking = TextAreaField(
        _l("Anything to add? (optional; do not write names)"),
        validators=[Optional(), Length(max=1000), clean_text],
    )
    activiteit = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    website = StringField(_l("Leave this field empty"))
    t = HiddenField()


class ComplaintForm(FlaskForm):
    """A complaint or suggestion; a name and address only for an answer."""

    soort = RadioField(
        _l("What is it?"),
        choices=[
            SelectChoice("complaint", _l("A complaint")),
            SelectChoice("suggestion", _l("A suggestion")),
        ],
        default="complaint",
        validators=[InputRequired()],
    )
    tekst = TextAreaField(
        _l("Your message"),
        validators=[
            InputRequired(message=_l("Write what it is about.")),
            Length(max=4000),
            clean_text,
        ],
    )
    naam = StringField(
        _l("Your name (optional)"), validators=[Optional(), Length(max=120), clean_text, one_line]
    )
    email = EmailField(
        _l("Your e-mail address, for an answer (optional)"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL, message=_l("Give an e-mail address like naam@voorbeeld.nl.")),
            clean_text,
        ],
    )
    website = StringField(_l("Leave this field empty"))
    t = HiddenField()


class AttendanceForm(FlaskForm):
    """How many came, from the morning-after mail."""

    aantal = number_field(
        _l("How many people came?"), 0, 10_000, _l("Give a number from 0 to 10000.")
    )
    eerste_keer = IntegerField(
        _l("How many came for the first time? (optional)"),
        validators=[
            Optional(),
            NumberRange(0, 10_000, message=_l("Give a number from 0 to 10000.")),
        ],
        invalid_value_message=_l("Give a number from 0 to 10000."),
    )
    notitie = TextAreaField(
        _l("A short note (optional)"), validators=[Optional(), Length(max=500), clean_text]
    )

    def validate_eerste_keer(self, field: Any) -> None:
        """Not more first-timers than people."""
        if (
            field.data is not None
            and self.aantal.data is not None
            and field.data > self.aantal.data
        ):
            raise ValidationError(_l("Not more than the number of people who came."))


class ComplaintHandleForm(FlaskForm):
    """A host moves a complaint on: in progress, or handled with the answer."""

    status = HiddenField(validators=[DataRequired(), Regexp(r"^(in_progress|handled)$")])
    antwoord = TextAreaField(
        _l("Answer (the sender reads it)"), validators=[Optional(), Length(max=4000), clean_text]
    )


class MonitoringForm(FlaskForm):
    """What the place asks: attendance after activities, and anonymous feedback."""

    aanwezigheid = SelectField(
        _l("Ask how many people came"),
        choices=[
            SelectChoice("off", _l("no")),
            SelectChoice("booker", _l("yes, ask the booker the morning after")),
            SelectChoice("hosts", _l("yes, ask the hosts the morning after")),
        ],
    )
    feedback = BooleanField(_l("Anyone may say how it was (anonymous, with a poster)"))
