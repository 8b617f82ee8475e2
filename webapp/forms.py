"""Shared form helpers: GOV.UK wording for validation messages, the email address and date inputs, and
`attempt`, the one way a view turns a service's refusal into a form error."""

from __future__ import annotations

from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.services import InputError


def attempt(form, step: Callable[[], object]) -> bool:
    """Run a service step for a form; a refused input (InputError) becomes an error on the field it names,
    or on the form when it names none. Whether the step went through."""
    try:
        step()
    except InputError as exc:
        field = getattr(form, exc.field, None) if exc.field else None
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
        return False
    return True


class Required(DataRequired):
    """A required field, with GOV.UK's 'Enter ...' wording supplied by the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


def max_length(limit: int, what: str | LazyString) -> Length:
    message = LazyString(
        lambda: gettext("%(what)s must be %(limit)s characters or fewer", what=what, limit=f"{limit:,}")
    )
    return Length(max=limit, message=message)


class EmailAddress:
    """A deliverable-looking address, normalised (email-validator, no DNS look-up)."""

    message = _l("Enter an email address in the correct format, like name@example.com")

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = validate_email(field.data.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(self.message) from None


class EmailInput(GovTextInput):
    """GOV.UK's text input for an email address: type="email" (a phone shows the @ keyboard), not
    spell-checked, and autocomplete="email" unless the page asks for another (staff sign-in: username)."""

    input_type = "email"

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("spellcheck", False)
        params.setdefault("autocomplete", "email")
        return params


class DateInput(GovDateInput):
    """GOV.UK's date input, without the `required` govuk-frontend-wtf puts on its wrapping div (not valid
    HTML there; the server checks the boxes and says what is missing)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params["attributes"].pop("required", None)
        return params


class DayMonthYear(DateField):
    """A GOV.UK date input: three boxes posted under one name. A tampered post with fewer boxes is read
    as empty boxes, so the page shows a message instead of failing."""

    def process(self, formdata, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = [*self.raw_data[:3], "", "", ""][:3]

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(gettext("Enter a real date, like 27 3 2026")) from None
