from __future__ import annotations

import unicodedata

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from webapp.forms import EmailAddress, EmailInput, Required, max_length
from webapp.workflow import GLOBAL_ROLES, GROUP_ROLES, STAFF_ROLES


class PersonForm(FlaskForm):
    class Meta:
        csrf = False  # a search: it changes nothing

    q = StringField(
        "Email address or application reference",
        widget=GovTextInput(),
        validators=[Required("Enter an email address or an application reference")],
    )


class ExportForm(FlaskForm):
    q = HiddenField()


def _own_code() -> StringField:
    return StringField(
        "Your security code",
        description="To confirm it is you: the 6-digit code shown in your authenticator app now.",
        widget=GovTextInput(),
    )


class EraseForm(FlaskForm):
    q = HiddenField()
    code = _own_code()
    confirmed = BooleanField(
        "The person asked for erasure, and nothing we must keep (an open appeal, a legal hold) stops it",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that the erasure has been checked")],
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class GroupForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Required("Enter the group's name"), max_length(200, "The name")],
    )
    open_to_applicants = RadioField(
        "Is the group open to new applicants?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether the group is open to new applicants")],
    )
    summary = TextAreaField(
        "What the group does",
        description="Shown to applicants on the list of groups. Leave a blank line between paragraphs.",
        widget=GovTextArea(),
        validators=[max_length(5000, "What the group does")],
    )
    requirements = TextAreaField(
        "Who can join (specialist groups)",
        description="Applicants confirm that they meet this before they apply. Leave it empty if anyone can.",
        widget=GovTextArea(),
        validators=[max_length(5000, "Who can join")],
    )
    screening_may_apply = RadioField(
        "May members need limited security screening?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether limited screening may apply")],
    )
    meeting_place = TextAreaField(
        "Where the group meets",
        widget=GovTextArea(),
        validators=[max_length(1000, "Where the group meets")],
    )

    def validate_name(self, field) -> None:
        if any(unicodedata.category(ch)[0] == "C" for ch in field.data or ""):
            raise ValidationError("The name must be on one line, with no tabs or other control characters")

    def fill(self, group) -> None:
        """The form shown with the group's current values."""
        for name in ("name", "summary", "requirements", "meeting_place"):
            getattr(self, name).data = getattr(group, name)
        self.open_to_applicants.data = "yes" if group.open_to_applicants else "no"
        self.screening_may_apply.data = "yes" if group.screening_may_apply else "no"

    def changes(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "open_to_applicants": self.open_to_applicants.data == "yes",
            "summary": self.summary.data.strip(),
            "requirements": self.requirements.data.strip(),
            "screening_may_apply": self.screening_may_apply.data == "yes",
            "meeting_place": self.meeting_place.data.strip(),
        }


def _role_choices() -> list[tuple[str, str]]:
    return [("", "Choose a role")] + [
        (str(role), str(role).capitalize().replace("iag", "IAG")) for role in STAFF_ROLES
    ]


class RoleForm(FlaskForm):
    code = _own_code()  # asked for only when the role is system admin
    role = SelectField(
        "Role", choices=_role_choices(), widget=GovSelect(), validators=[Required("Select a role")]
    )
    group = SelectField(
        "Group",
        description="For a police coordinator, chair or admin team. The other roles are force-wide.",
        choices=[],
        widget=GovSelect(),
    )

    def with_groups(self, groups) -> RoleForm:
        self.group.choices = [("", "Force-wide (no group)")] + [(g.slug, g.name) for g in groups]
        return self

    def validate_group(self, field) -> None:
        if self.role.data in GROUP_ROLES and not field.data:
            raise ValidationError(f"Select the group in which they are {self.role.data}")
        if self.role.data in GLOBAL_ROLES and field.data:
            raise ValidationError(f"The {self.role.data} role is force-wide: select no group")


class InviteForm(RoleForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[Required("Enter their full name"), max_length(200, "The name")],
    )
    email = EmailField(
        "Email address",
        description="We will email them a link to set up their account.",
        widget=EmailInput(),
        validators=[Required("Enter their email address"), EmailAddress()],
    )


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""


class ConfirmedActionForm(FlaskForm):
    """A button for a step that can give away or take over an account: the person confirms with their own
    second-factor code (ASVS V7.5)."""

    code = _own_code()


class WordingForm(FlaskForm):
    body = TextAreaField(
        "Wording",
        widget=GovTextArea(),
        validators=[Required("Enter the wording of the email")],
    )
