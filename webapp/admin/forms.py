from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextInput
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired

from webapp.forms import Required


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


class EraseForm(FlaskForm):
    q = HiddenField()
    confirmed = BooleanField(
        "The person asked for erasure, and nothing we must keep (an open appeal, a legal hold) stops it",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that the erasure has been checked")],
    )
