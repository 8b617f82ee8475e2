from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField


class NoteForm(FlaskForm):
    body = TextAreaField("Add a note", widget=GovTextArea())


class ActionForm(FlaskForm):
    """A button that does one thing: only the CSRF token."""
