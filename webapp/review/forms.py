"""The staff forms. They collect and check the shape of what is typed; the rules about what may be done
live in the workflow and the services, which answer with a message for the field concerned."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
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
from webapp.services.elections import Timetable
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


class PaperForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Required("Enter the paper's title"), max_length(200, "The title")],
    )
    file = FileField(
        "The file (PDF; a public paper may also be Word, Excel, PowerPoint or OpenDocument)",
        widget=GovFileInput(),
    )
    confidential = RadioField(
        "Who may read it?",
        choices=[
            ("yes", "Confidential: the group's current members only, each copy stamped with their name"),
            ("no", "Public: it can be shared outside the group"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose confidential or public")],
    )
    kind = RadioField(
        "What is it?",
        choices=[("paper", "A paper"), ("minutes", "Minutes")],
        default="paper",
        widget=GovRadioInput(),
        validators=[InputRequired("Choose paper or minutes")],
    )
    meeting_id = SelectField(
        "For a meeting (optional)", choices=[], widget=GovSelect(), validators=[Optional()]
    )


class AnswerByForm(FlaskForm):
    """A date and a time (UK time) by which something must be done."""

    date = DayMonthYear(
        "Date", format="%d %m %Y", widget=DateInput(), validators=[InputRequired("Enter the date")]
    )
    time = StringField(
        "Time (UK time)", widget=GovTextInput(), validators=[Required("Enter the time"), TimeOfDay()]
    )

    def moment(self) -> datetime:
        return datetime.combine(self.date.data, parse_time(self.time.data), tzinfo=UK)


class CallOutForm(AnswerByForm):
    asked = TextAreaField(
        "What are the members asked?",
        widget=GovTextArea(),
        validators=[Required("Say what the members are asked"), max_length(5000, "What is asked")],
    )
    urgency = RadioField(
        "How urgent is it?",
        choices=[
            ("within hours", "Within hours (a critical incident)"),
            ("today", "Today"),
            ("this week", "This week"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose how urgent it is")],
    )
    members = SelectMultipleField(
        "Who is asked?", choices=[], coerce=int, widget=GovCheckboxesInput(), validate_choice=True
    )


class CloseCallOutForm(FlaskForm):
    summary = TextAreaField(
        "Summary of the advice given (it goes into the group's advice log)",
        widget=GovTextArea(),
        validators=[max_length(5000, "The summary")],
    )


class AdviceForm(FlaskForm):
    source = RadioField(
        "Where was the advice given?",
        choices=[("meeting", "At a meeting"), ("call-out", "In answer to a call-out"), ("email", "By email")],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose where the advice was given")],
    )
    advice = TextAreaField(
        "The advice",
        widget=GovTextArea(),
        validators=[Required("Enter the advice"), max_length(5000, "The advice")],
    )


class AdviceResponseForm(FlaskForm):
    status = RadioField(
        "What has the force done with it?",
        choices=[
            ("awaiting a response", "Not decided yet"),
            ("considered", "Considered"),
            ("acted on", "Acted on"),
            ("not taken forward", "Not taken forward"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose what the force has done with it")],
    )
    response = TextAreaField(
        "What the force did, and why (members read this)",
        widget=GovTextArea(),
        validators=[max_length(5000, "The response")],
    )


class MemberMessageForm(FlaskForm):
    subject = StringField(
        "Subject",
        widget=GovTextInput(),
        validators=[Required("Enter a subject"), max_length(200, "The subject")],
    )
    body = TextAreaField(
        "Your message",
        widget=GovTextArea(),
        validators=[Required("Write your message"), max_length(20000, "The message")],
    )
    paper_id = SelectField(
        "Send a paper with it (optional)", choices=[], widget=GovSelect(), validators=[Optional()]
    )
    members = SelectMultipleField(
        "Who is it for?", choices=[], coerce=int, widget=GovCheckboxesInput(), validate_choice=True
    )


class ElectionForm(FlaskForm):
    """Open an election: nominations open at once; the dates after it at the times given (UK time)."""

    office = RadioField(
        "Which office?",
        choices=[("chair", "Chair"), ("vice chair", "Vice Chair")],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose Chair or Vice Chair")],
    )
    nominations_close = DayMonthYear(
        "Nominations close",
        format="%d %m %Y",
        widget=DateInput(),
        validators=[InputRequired("Enter the date nominations close")],
    )
    voting_open = DayMonthYear(
        "Voting opens",
        format="%d %m %Y",
        widget=DateInput(),
        validators=[InputRequired("Enter the date voting opens")],
    )
    voting_close = DayMonthYear(
        "Voting closes",
        format="%d %m %Y",
        widget=DateInput(),
        validators=[InputRequired("Enter the date voting closes")],
    )

    def timetable(self, opened: datetime) -> Timetable:
        """Nominations close and voting closes at the end of their day, voting opens at its start (UK)."""

        def day(value, at: time) -> datetime:
            return datetime.combine(value, at, tzinfo=UK)

        return Timetable(
            opened,
            day(self.nominations_close.data, time(23, 59)),
            day(self.voting_open.data, time(0, 0)),
            day(self.voting_close.data, time(23, 59)),
        )


class ClaimDecisionForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        choices=[
            ("approve", "Approve"),
            ("query", "Ask the member a question"),
            ("reject", "Do not approve"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose approve, query or do not approve")],
    )
    reason = TextAreaField(
        "The question, or why it is not approved (the member reads this)",
        widget=GovTextArea(),
        validators=[max_length(2000, "The reason")],
    )


class VettingForm(FlaskForm):
    status = RadioField(
        "Status",
        choices=[
            ("applied", "Applied for"),
            ("granted", "Granted"),
            ("refused", "Refused"),
            ("withdrawn", "Withdrawn"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose the status")],
    )
    level = StringField(
        "Level (for example NPPV2, or limited screening)",
        widget=GovTextInput(),
        validators=[max_length(40, "The level")],
    )
    granted_on = DayMonthYear("Date granted", format="%d %m %Y", widget=DateInput(), validators=[Optional()])
    expires_on = DayMonthYear("Expires", format="%d %m %Y", widget=DateInput(), validators=[Optional()])


class EndMembershipForm(FlaskForm):
    reason = TextAreaField(
        "Why does the membership end?",
        widget=GovTextArea(),
        description="For example: the term ended and they did not want to continue; they moved away.",
        validators=[Required("Give the reason the membership ends"), max_length(1000, "The reason")],
    )
