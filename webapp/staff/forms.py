from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo

from webapp.forms import EmailInput, Required, max_length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=EmailInput(),
        validators=[Required("Enter your email address"), max_length(320, "Email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[Required("Enter your password"), max_length(256, "Password")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        validators=[
            Required("Enter the 6-digit code from your authenticator app"),
            max_length(12, "Security code"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        validators=[Required("Enter a password"), max_length(256, "Password")],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[
            Required("Confirm your password"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    code = StringField(
        "Security code from your authenticator app",
        widget=GovTextInput(),
        validators=[
            Required("Enter the 6-digit code from your authenticator app"),
            max_length(12, "Security code"),
        ],
    )
    submit = SubmitField("Finish setting up", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())
