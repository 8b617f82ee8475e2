"""The staff forms of running a group (groups, members and their work between meetings): papers,
call-outs, the advice log, messages to members, elections, expenses, vetting and ending a membership. Like
review/forms.py, they check the shape of what is typed; the rules live in the services."""

from __future__ import annotations

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
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from webapp.clock import UK
from webapp.forms import DateInput, DayMonthYear, Required, max_length
from webapp.review.forms import TimeOfDay, parse_time
from webapp.services.elections import Timetable


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
