"""The staff forms. They collect and check the shape of what is typed; the rules about what may be done
live in the workflow and the services, which answer with a message for the field concerned."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from webapp.clock import UK
from webapp.forms import DateInput, DayMonthYear, Required, max_length
from webapp.services.meetings import TimeAndPlace
from webapp.workflow import Outcome

RECOMMENDATIONS = [
    ("", "No recommendation"),
    ("discuss", "Invite to an informal discussion"),
    (Outcome.OFFER.value, "Offer a place"),
    (Outcome.REFER.value, "Refer to a more suitable group"),
    (Outcome.UNSUCCESSFUL.value, "Unsuccessful"),
]


class NoteForm(FlaskForm):
    body = TextAreaField("Add a note", widget=GovTextArea())
    recommendation = SelectField(
        "Your recommendation (optional)", choices=RECOMMENDATIONS, default="", widget=GovSelect()
    )


class ActionForm(FlaskForm):
    """A button that does one thing: only the CSRF token."""


TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> time:
    """'6:30pm', '6.30 pm', '18:30', '9am' -> a time; ValueError otherwise."""
    match = TIME.match(text.strip().lower())
    if not match:
        raise ValueError(text)
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute)


class TimeOfDay:
    message = "Enter a time, like 6:30pm or 18:30"

    def __call__(self, form, field) -> None:
        try:
            parse_time(field.data or "")
        except ValueError:
            raise ValidationError(self.message) from None


class WhenAndWhere(FlaskForm):
    """A date, a start time (UK time), a length, and a place and/or an online link."""

    date = DayMonthYear(
        "Date", format="%d %m %Y", widget=DateInput(), validators=[InputRequired("Enter the date")]
    )
    start = StringField(
        "Start time (UK time)",
        widget=GovTextInput(),
        validators=[Required("Enter the start time"), TimeOfDay()],
    )
    place = TextAreaField(
        "Place (if in person)", widget=GovTextArea(), validators=[max_length(1000, "The place")]
    )
    online_link = StringField(
        "Online link (if online)", widget=GovTextInput(), validators=[max_length(1000, "The link")]
    )

    def time_and_place(self) -> TimeAndPlace:
        """What was typed, read as UK time (the subclass says how long it may last)."""
        starts_at = datetime.combine(self.date.data, parse_time(self.start.data), tzinfo=UK)
        return TimeAndPlace(
            starts_at, int(self.duration.data), self.place.data or "", self.online_link.data or ""
        )


class InviteForm(WhenAndWhere):
    duration = SelectField(
        "Length",
        choices=[("30", "30 minutes"), ("45", "45 minutes"), ("60", "1 hour"), ("90", "1 hour 30 minutes")],
        default="60",
        widget=GovSelect(),
    )


class MeetingForm(WhenAndWhere):
    duration = SelectField(
        "Length",
        choices=[("60", "1 hour"), ("90", "1 hour 30 minutes"), ("120", "2 hours"), ("180", "3 hours")],
        default="120",
        widget=GovSelect(),
    )


class ProposeForm(FlaskForm):
    outcome = RadioField(
        "Decision",
        choices=[
            (Outcome.OFFER.value, "Offer a place"),
            (Outcome.REFER.value, "Refer to a more suitable group"),
            (Outcome.UNSUCCESSFUL.value, "Unsuccessful"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose a decision")],
    )
    referred_group = SelectField("Group to refer to", choices=[], widget=GovSelect(), validators=[Optional()])
    reason = TextAreaField(
        "Reason (this is sent to the applicant in the decision letter)",
        widget=GovTextArea(),
        validators=[Required("Enter the reason for the decision"), max_length(5000, "The reason")],
    )


class RejectProposalForm(FlaskForm):
    reject_reason = TextAreaField(
        "Why do you not agree?",
        widget=GovTextArea(),
        validators=[Required("Say why you do not agree"), max_length(5000, "The reason")],
    )


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(
        "Decision on the appeal",
        choices=[("uphold", "Uphold the appeal (offer a place)"), ("dismiss", "Dismiss the appeal")],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose whether to uphold or dismiss the appeal")],
    )
    reason = TextAreaField(
        "Reason (this is sent to the applicant in the letter)",
        widget=GovTextArea(),
        validators=[Required("Enter the reason"), max_length(5000, "The reason")],
    )


class WithdrawForm(FlaskForm):
    how = TextAreaField(
        "How did the applicant ask to withdraw?",
        widget=GovTextArea(),
        validators=[Required("Say how the applicant asked, for example 'phone call on 3 March'")],
    )


class GroupForm(FlaskForm):
    group = SelectField("Group", choices=[], widget=GovSelect(), validators=[Required("Choose the group")])


class AttachForm(FlaskForm):
    reference = StringField(
        "Reference of the application",
        widget=GovTextInput(),
        validators=[Required("Enter a reference like IAG-7K3M-9QRT")],
    )


class NotApplicationForm(FlaskForm):
    reason = TextAreaField(
        "Why is this not an application?",
        widget=GovTextArea(),
        validators=[Required("Say why this is not an application"), max_length(1000, "The reason")],
    )


class DocumentForm(FlaskForm):
    body = TextAreaField(
        "Text (HTML: headings, paragraphs and lists; {name}, {group} and {kept_after_leaving} are filled in)",
        widget=GovTextArea(),
        validators=[Required("Enter the text of the document")],
    )


class MemberRoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[("member", "Member"), ("chair", "Chair"), ("vice chair", "Vice chair")],
        widget=GovSelect(),
    )


class EntryForm(FlaskForm):
    """An application taken by phone or on paper: which group, and how it came. The answers are checked by
    the web's own page forms."""

    group = SelectField("Group", choices=[], validators=[Required("Choose the group")], widget=GovSelect())
    source = RadioField(
        "How did the application come?",
        choices=[("phone", "By phone"), ("paper", "On a paper form")],
        validators=[Required("Choose how the application came")],
        widget=GovRadioInput(),
    )
    entry_key = HiddenField()  # one per opened form: sending it twice makes one application


class ReplyForm(FlaskForm):
    """Writing to the applicant from the case."""

    standard = SelectField(
        "Start from a standard reply (optional)", choices=[], default="", widget=GovSelect()
    )
    body = TextAreaField("Your message", widget=GovTextArea())
    files = SelectMultipleField(
        "Attach files of this application (optional)",
        choices=[],
        coerce=int,
        widget=GovCheckboxesInput(),
        validate_choice=True,
    )
