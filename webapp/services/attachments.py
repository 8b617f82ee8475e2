"""What an email's attachments hold: a returned application form, an equal opportunities form (kept apart
from reviewers), or a document's text. One reading for the mail poller, as a message arrives, and for
triage, from the stored files, so both find the same answers in the same files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from webapp.extract import DOCX, ODT, document_text
from webapp.pdf.forms import ReturnedForm, read_form
from webapp.questions import Page
from webapp.services.inbound import IncomingFile


@dataclass
class Contents:
    """What the attachments hold, once read. `keep`: the files to store with the email (all but an equal
    opportunities form), each with what reading it found."""

    keep: list[IncomingFile] = field(default_factory=list)
    application_form: ReturnedForm | None = None
    monitoring_form: ReturnedForm | None = None
    kept_apart: int = 0  # equal opportunities forms: their answers go to the equality store only
    document_text: str = ""

    @property
    def answers(self) -> dict[str, Any]:
        """The application answers these files give: the form's, and a document's text beside them."""
        answers = dict(self.application_form.answers) if self.application_form else {}
        if self.document_text:
            answers["document_text"] = self.document_text
        return answers


def read(files: Iterable[IncomingFile], pages: tuple[Page, ...]) -> Contents:
    """Read each file by its detected type. The first application form and the first readable document
    count; a file that cannot be read is kept, flagged with why."""
    contents = Contents()
    for item in files:
        flags = list(item.flags)
        if item.content_type == "application/pdf":
            form = read_form(item.data, pages)
            if form is not None and form.kind == "monitoring":
                contents.monitoring_form = form
                contents.kept_apart += 1
                continue
            if form is not None and contents.application_form is None:
                contents.application_form = form
                flags += [f"form: {problem}" for problem in form.problems]
        elif item.content_type in {DOCX, ODT}:
            document = document_text(item.data, item.content_type)
            if document.problem:
                flags.append(document.problem)
            elif document.text and not contents.document_text:
                contents.document_text = document.text
        contents.keep.append(IncomingFile(item.filename, item.content_type, item.data, flags))
    return contents
