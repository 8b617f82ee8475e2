"""The members' forms: GOV.UK components, GOV.UK wording, every label and message in the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from webapp.forms import DateInput, DayMonthYear, EmailAddress, EmailInput, Required, max_length
from webapp.models import AdviceSource, AdviceStatus, Attendance, Availability, MeetingAnswer, Urgency
from webapp.public.forms import Trimmed, UKPhone


class ActionForm(FlaskForm):
    """Only a CSRF token: for buttons that do one thing (sign in, sign out, leave)."""


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=EmailInput(),
        description=_l("The address we email you at about the group."),
        validators=[
            Trimmed(),
            Required(_l("Enter your email address")),
            max_length(320, _l("Email address")),
            EmailAddress(),
        ],
    )


def _text(label, hint="", longest: int = 2000):
    return TextAreaField(
        label,
        widget=GovCharacterCount(),
        description=hint,
        validators=[Optional(), max_length(longest, label)],
    )


AVAILABILITY = [
    (Availability.ANY_TIME.value, _l("At any time, including nights and weekends")),
    (Availability.WORKING_HOURS.value, _l("In working hours")),
    (Availability.EVENINGS_AND_WEEKENDS.value, _l("Evenings and weekends")),
    (Availability.NOT_AVAILABLE.value, _l("I cannot answer urgent call-outs at the moment")),
]


class DetailsForm(FlaskForm):
    phone = StringField(
        _l("Phone number (optional)"),
        widget=GovTextInput(),
        description=_l("For urgent call-outs, by text message where the force sends them."),
        validators=[Trimmed(), max_length(40, _l("Phone number")), UKPhone()],
    )
    contact_preference = RadioField(
        _l("How would you prefer us to contact you?"),
        choices=[("Email", _l("Email")), ("Phone", _l("Phone"))],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select how you would prefer us to contact you"))],
    )
    communities = _text(_l("Communities you know"), _l("The communities you belong to or work with."))
    skills = _text(_l("Skills"), _l("For example, youth work, mediation, a language, working with victims."))
    specialisms = _text(
        _l("Specialisms"),
        _l("Subjects you know well, for example stop and search, mental health, hate crime."),
    )
    languages_spoken = StringField(
        _l("Languages you speak (optional)"),
        widget=GovTextInput(),
        validators=[Trimmed(), max_length(200, _l("Languages you speak"))],
    )
    accessibility_needs = _text(
        _l("Accessibility needs"),
        _l("Anything that helps you take part: step-free access, a hearing loop, papers in large print."),
    )
    availability = RadioField(
        _l("When can you answer an urgent call-out?"),
        description=_l("After a critical incident the force may ask members for advice within hours."),
        choices=AVAILABILITY,
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select when you can answer an urgent call-out"))],
    )


ANSWERS = {
    MeetingAnswer.IN_PERSON: _l("Yes, in person"),
    MeetingAnswer.ONLINE: _l("Yes, online"),
    MeetingAnswer.APOLOGIES: _l("No, I send my apologies"),
}


ATTENDANCE = {
    Attendance.PRESENT_IN_PERSON: _l("Present, in person"),
    Attendance.PRESENT_ONLINE: _l("Present, online"),
    Attendance.APOLOGIES: _l("Apologies"),
    Attendance.DID_NOT_ATTEND: _l("Did not attend"),
}


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Will you come?"),
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select whether you will come"))],
    )
    note = TextAreaField(
        _l("A note for the Chair and the Police Coordinator (optional)"),
        widget=GovCharacterCount(),
        validators=[Optional(), max_length(1000, _l("Your note"))],
    )
    interest = TextAreaField(
        _l("Any interest to declare for this meeting's agenda? (optional)"),
        widget=GovCharacterCount(),
        description=_l(
            "For example, you work for an organisation an item is about. It is recorded on the meeting."
        ),
        validators=[Optional(), max_length(1000, _l("Your declaration"))],
    )

    def for_meeting(self, in_person: bool, online: bool) -> AnswerForm:
        """Only the ways this meeting can be attended, and apologies."""
        offered = [
            (answer.value, label)
            for answer, label in ANSWERS.items()
            if (answer != MeetingAnswer.IN_PERSON or in_person) and (answer != MeetingAnswer.ONLINE or online)
        ]
        self.answer.choices = offered
        return self


class CallOutAnswerForm(FlaskForm):
    answer = RadioField(
        _l("Your answer"),
        choices=[
            ("available", _l("I am available to help")),
            ("not available", _l("I am not available this time")),
            ("advice", _l("Here is my advice")),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select your answer"))],
    )
    advice = TextAreaField(
        _l("Your advice"),
        widget=GovCharacterCount(),
        description=_l(
            'If you chose "Here is my advice". Only the group\'s Chair and Police Coordinator read it.'
        ),
        validators=[Optional(), max_length(5000, _l("Your advice"))],
    )


URGENCY = {
    Urgency.WITHIN_HOURS: _l("Within hours"),
    Urgency.TODAY: _l("Today"),
    Urgency.THIS_WEEK: _l("This week"),
}
ADVICE_SOURCES = {
    AdviceSource.MEETING: _l("At a meeting"),
    AdviceSource.CALL_OUT: _l("In answer to a call-out"),
    AdviceSource.EMAIL: _l("By email"),
}
ADVICE_STATUSES = {
    AdviceStatus.AWAITING: _l("Awaiting a response"),
    AdviceStatus.CONSIDERED: _l("Considered"),
    AdviceStatus.ACTED_ON: _l("Acted on"),
    AdviceStatus.NOT_TAKEN_FORWARD: _l("Not taken forward"),
}
STATUS_CLASSES = {
    AdviceStatus.AWAITING: "govuk-tag--grey",
    AdviceStatus.CONSIDERED: "govuk-tag--blue",
    AdviceStatus.ACTED_ON: "govuk-tag--green",
    AdviceStatus.NOT_TAKEN_FORWARD: "govuk-tag--orange",
}


class NominateForm(FlaskForm):
    nominee = RadioField(
        _l("Who do you nominate?"),
        choices=[],
        coerce=int,
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Choose who you nominate"))],
    )
    statement = TextAreaField(
        _l("Your statement (if you nominate yourself)"),
        widget=GovCharacterCount(),
        description=_l(
            "A few lines for the members: why you would like the office. "
            "Someone you nominate writes their own."
        ),
        validators=[Optional(), max_length(1500, _l("Your statement"))],
    )


class NominationAnswerForm(FlaskForm):
    accept = RadioField(
        _l("Do you accept the nomination?"),
        choices=[("yes", _l("Yes, I will stand")), ("no", _l("No, I will not stand"))],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Choose yes or no"))],
    )
    statement = TextAreaField(
        _l("Your statement"),
        widget=GovCharacterCount(),
        description=_l("A few lines for the members: why you would like the office."),
        validators=[Optional(), max_length(1500, _l("Your statement"))],
    )


class VoteForm(FlaskForm):
    candidate = RadioField(
        _l("Your vote"),
        choices=[],
        coerce=int,
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Choose a candidate"))],
    )


class ClaimForm(FlaskForm):
    # Checked by the view: with one group there is nothing to choose, and the question is not asked.
    group = RadioField(
        _l("Which group is it for?"), choices=[], widget=GovRadioInput(), validate_choice=False
    )
    meeting_id = SelectField(
        _l("For a meeting (optional)"), choices=[], widget=GovSelect(), validators=[Optional()]
    )
    spent_on = DayMonthYear(
        _l("Date"), format="%d %m %Y", widget=DateInput(), validators=[InputRequired(_l("Enter the date"))]
    )
    purpose = TextAreaField(
        _l("What was it for?"),
        widget=GovTextArea(),
        validators=[Required(_l("Say what the expenses were for")), max_length(1000, _l("What it was for"))],
    )
    miles = StringField(_l("Miles driven (optional)"), widget=GovTextInput(), validators=[Trimmed()])
    public_transport = StringField(
        _l("Public transport, in pounds (optional)"), widget=GovTextInput(), validators=[Trimmed()]
    )
    parking = StringField(_l("Parking, in pounds (optional)"), widget=GovTextInput(), validators=[Trimmed()])
    other = StringField(
        _l("Other costs, in pounds (optional)"), widget=GovTextInput(), validators=[Trimmed()]
    )
    other_note = StringField(
        _l("What the other costs were"),
        widget=GovTextInput(),
        validators=[Trimmed(), max_length(300, _l("What the other costs were"))],
    )
    receipts = MultipleFileField(
        _l("Receipts (optional)"),
        widget=GovFileInput(multiple=True),
        description=_l("Photos (JPG or PNG) or PDFs, up to 10 MB each, at most 5."),
    )


class QueryAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer"),
        widget=GovTextArea(),
        validators=[Required(_l("Answer the question")), max_length(2000, _l("Your answer"))],
    )
    receipts = MultipleFileField(_l("More receipts (optional)"), widget=GovFileInput(multiple=True))


class InterestForm(FlaskForm):
    what = StringField(
        _l("What is the interest?"),
        widget=GovTextInput(),
        description=_l(
            "For example, a job, a directorship, membership of an organisation, "
            "or a close relative in the police."
        ),
        validators=[Trimmed(), Required(_l("Say what the interest is")), max_length(500, _l("The interest"))],
    )
    since = DayMonthYear(
        _l("Since when?"),
        format="%d %m %Y",
        widget=DateInput(),
        validators=[InputRequired(_l("Enter the date"))],
    )


class RenewalForm(FlaskForm):
    wish = RadioField(
        _l("Would you like to continue for another term?"),
        choices=[
            ("continue", _l("Yes, I would like to continue")),
            ("leave", _l("No, I will leave at the end of my term")),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Choose whether you want to continue"))],
    )


class LeaveForm(FlaskForm):
    reason = TextAreaField(
        _l("Would you like to tell us why you are leaving? (optional)"),
        widget=GovCharacterCount(),
        validators=[Optional(), max_length(1000, _l("Your reason"))],
    )
