"""Web forms built from the question definitions in webapp.questions."""

from __future__ import annotations

from functools import cache

import phonenumbers
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError

from webapp import languages
from webapp.forms import EmailAddress, EmailInput, Required, max_length
from webapp.languages import lazy_question_text, translated
from webapp.questions import MONITORING_QUESTIONS, Page, Question


class UKPhone:
    """A phone number, UK by default, stored in international format (+44 7700 900123)."""

    message = _l("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")

    def __call__(self, form, field) -> None:
        if not field.data or not field.data.strip():
            field.data = ""
            return
        try:
            number = phonenumbers.parse(field.data, "GB")
        except phonenumbers.NumberParseException:
            raise ValidationError(self.message) from None
        if not _real_number(number):
            raise ValidationError(self.message)
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _real_number(number: phonenumbers.PhoneNumber) -> bool:
    """A number that can be dialled: valid by libphonenumber's tables, or, in the UK, of the full UK length
    (ten digits after the 0: its tables go stale and reject Ofcom's own drama numbers, 07700 900xxx, which
    are real in form). "07700 9009" is neither."""
    if phonenumbers.is_valid_number(number):
        return True
    in_uk = phonenumbers.region_code_for_number(number) == "GB" or number.country_code == 44
    return in_uk and len(phonenumbers.national_significant_number(number)) == 10


class Trimmed:
    """Strip surrounding white space; an answer of only spaces counts as no answer."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str):
            field.data = field.data.strip()


class RequiredUnless:
    """Required, except when the person is saving to come back later."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if getattr(form, "saving_for_later", False):
            if not field.data:
                raise StopValidation()
            return
        if not field.data:
            raise StopValidation(self.message)


class Radios(RadioField):
    """Radios whose only messages are our own: an empty answer is left to the required check."""

    def pre_validate(self, form) -> None:
        if self.data and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Select one of the options"))


def _field(question: Question):
    error = lazy_question_text(question, "error")
    validators: list = [Trimmed()]
    validators.append(RequiredUnless(error) if question.required else Optional())
    validators.append(max_length(question.max_length, lazy_question_text(question, "summary_label")))
    if question.kind == "radios":
        return Radios(
            question.label,
            choices=[(c, LazyString(translated, c)) for c in question.choices],
            widget=GovRadioInput(),
            validators=[RequiredUnless(error)] if question.required else [Optional()],
        )
    if question.kind == "email":
        return EmailField(question.label, widget=EmailInput(), validators=[*validators, EmailAddress()])
    if question.kind == "phone":
        return StringField(question.label, widget=GovTextInput(), validators=[*validators, UKPhone()])
    if question.kind == "text":
        return StringField(question.label, widget=GovTextInput(), validators=validators)
    return TextAreaField(question.label, widget=GovCharacterCount(), validators=validators)


class QuestionForm(FlaskForm):
    saving_for_later = False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Asking to be phoned needs a number to phone (on a page that has both questions).
        wants_a_call = "contact_preference" in self and self.contact_preference.data == "Phone"
        if wants_a_call and "phone" in self and not (self.phone.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                _l("Enter a phone number, as you would like us to phone you"),
            ]
            ok = False
        return ok

    def answers(self) -> dict[str, str]:
        return {name: (field.data or "") for name, field in self._fields.items() if name != "csrf_token"}


@cache
def form_class(page: Page) -> type[QuestionForm]:
    return type(
        f"{page.slug.title().replace('-', '')}Form",
        (QuestionForm,),
        {q.key: _field(q) for q in page.questions},
    )


class StartForm(FlaskForm):
    """Before the application: confirm a specialist group's requirements, consent to screening."""

    requirements = BooleanField(_l("I meet these requirements"), widget=GovCheckboxInput())
    screening = Radios(
        _l("Do you consent to limited security screening if this group needs it?"),
        choices=[("yes", _l("Yes, I consent")), ("no", _l("No, I do not consent"))],
        widget=GovRadioInput(),
    )
    # Asked only where the force offers Welsh; preselected from the page's language.
    language = Radios(
        _l("Which language should we use when we contact you?"),
        choices=[("en", "English"), ("cy", "Cymraeg")],
        widget=GovRadioInput(),
    )

    def __init__(self, *args, group, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        if not self.language.data:
            self.language.data = languages.current()

    def chosen_language(self) -> str:
        return self.language.data if self.language.data in languages.offered() else "en"

    def validate_requirements(self, field) -> None:
        if self.group.requirements and not field.data:
            raise ValidationError(_l("Confirm that you meet the requirements to join this group"))

    def validate_screening(self, field) -> None:
        if self.group.screening_may_apply and not field.data:
            raise ValidationError(_l("Select whether you consent to limited security screening"))


class MonitoringForm(FlaskForm):
    pass


for _q in MONITORING_QUESTIONS:
    setattr(
        MonitoringForm,
        _q.key,
        Radios(
            _q.label,
            choices=[(c, LazyString(translated, c)) for c in _q.choices],
            widget=GovRadioInput(),
            validators=[Optional()],
        ),
    )


class SaveForLaterForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=EmailInput(),
        validators=[
            Trimmed(),
            Required(_l("Enter your email address")),
            max_length(320, _l("Email address")),
            EmailAddress(),
        ],
    )


class FindApplicationForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=EmailInput(),
        validators=[
            Trimmed(),
            Required(_l("Enter the email address you applied with")),
            max_length(320, _l("Email address")),
            EmailAddress(),
        ],
    )


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token: for buttons that do one thing (submit, withdraw)."""


class ReferralConsentForm(FlaskForm):
    consent = RadioField(
        _l("Can we pass your application on?"),
        choices=[("yes", _l("Yes, pass my application on")), ("no", _l("No, do not pass it on"))],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Choose yes or no"))],
    )


class AppealForm(FlaskForm):
    reasons = TextAreaField(
        _l("Why should the decision change?"),
        widget=GovCharacterCount(),
        validators=[
            Required(_l("Tell us why you think the decision should change")),
            max_length(5000, _l("Your reasons")),
        ],
    )


class SignForm(FlaskForm):
    full_name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[Required(_l("Type your full name to sign")), max_length(200, _l("Your name"))],
    )


class VerifyForm(FlaskForm):
    pdf = FileField(
        _l("The signed agreement (PDF)"),
        widget=GovFileInput(),
        validators=[FileRequired(_l("Choose the PDF file to check"))],
    )
