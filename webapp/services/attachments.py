"""What an email's attachments hold: a returned application form, an equal opportunities form (kept apart
from reviewers, whether or not a machine can read it), a document's text, or a sign of danger. One
reading for the mail poller, as a message arrives, and for triage, from the stored files, so both find
the same answers in the same files. Files inside a ZIP are read as if attached one by one."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

from webapp.extract import DOCX, ODT, detect_type, document_text, safe_zip_problem
from webapp.pdf.forms import ReturnedForm, read_form
from webapp.questions import Page
from webapp.services.inbound import IncomingFile

# The name, or the words on the first page, of an equal opportunities form (English and Welsh): kept
# apart even when its answers cannot be read, so reviewers never see it.
MONITORING_NAME = re.compile(
    r"equal[\s_-]*op(portunit(y|ies))?|monitoring|diversity|(^|[\W_])(EDI|EO|EOM)([\W_]|$)|cyfle(oedd)?[\s_-]*cyfartal",
    re.IGNORECASE,
)
MONITORING_PAGE = re.compile(
    r"equal\s+opportunities\s+monitoring|equality\s+monitoring|monitro\s+cyfle(oedd)?\s+cyfartal",
    re.IGNORECASE,
)
DOCUMENTS = {"application/pdf", DOCX, ODT, "application/x-ole-storage"}
ZIP = "application/zip"
MAX_ZIP_FILES = 20


@dataclass
class Contents:
    """What the attachments hold, once read. `keep`: the files to store with the email (all but equal
    opportunities forms), each with what reading it found; `apart`: equal opportunities forms that could
    not be read, stored with the equality data only."""

    keep: list[IncomingFile] = field(default_factory=list)
    apart: list[IncomingFile] = field(default_factory=list)
    application_form: ReturnedForm | None = None
    monitoring_form: ReturnedForm | None = None
    monitoring_files: list[IncomingFile] = field(default_factory=list)  # the file it was read from
    document_text: str = ""
    attached: str = ""  # what a person attached that may be an application ("a document", "a photo")
    dangerous: str = ""  # why a file must not be opened: the email is quarantined

    @property
    def kept_apart(self) -> int:
        """Equal opportunities forms, read or not: never a reviewer's attachment."""
        return len(self.monitoring_files) + len(self.apart)

    @property
    def answers(self) -> dict[str, Any]:
        """The application answers these files give: the form's, and a document's text beside them. An
        unticked declaration is kept as such, so the case can say so."""
        answers = dict(self.application_form.answers) if self.application_form else {}
        if self.application_form is not None:
            answers["declaration"] = "ticked" if self.application_form.declaration else "not ticked"
        if self.document_text:
            answers["document_text"] = self.document_text
        return answers


def read(files: Iterable[IncomingFile], pages: tuple[Page, ...]) -> Contents:
    """Read each file by its detected type. The first application form and the first readable document
    count; a file that cannot be read is kept, flagged with why."""
    contents = Contents()
    for item in files:
        if item.content_type == ZIP:
            _read_zip(item, pages, contents)
        else:
            _read_one(item, pages, contents)
    return contents


def _read_one(item: IncomingFile, pages: tuple[Page, ...], contents: Contents) -> None:
    flags = list(item.flags)
    form_read = None
    if item.content_type == "application/pdf":
        form = form_read = read_form(item.data, pages)
        if form is not None and form.kind == "monitoring":
            contents.monitoring_form = form
            contents.monitoring_files.append(item)
            return
        if form is not None and contents.application_form is None:
            contents.application_form = form
            flags += [f"form: {problem}" for problem in form.problems]
            if not form.declaration:
                flags.append("form: the declaration was not ticked")
    elif item.content_type in {DOCX, ODT}:
        document = document_text(item.data, item.content_type)
        if document.dangerous:
            contents.dangerous = contents.dangerous or f"{item.filename}: {document.problem}"
        if document.problem:
            flags.append(document.problem)
        elif document.text and not contents.document_text:
            contents.document_text = document.text
    if form_read is None and _unreadable_monitoring_form(item):
        contents.apart.append(item)
        return
    _note_attached(item, contents)
    contents.keep.append(IncomingFile(item.filename, item.content_type, item.data, flags, item.inline))


def _read_zip(item: IncomingFile, pages: tuple[Page, ...], contents: Contents) -> None:
    """A ZIP's files, each read as an attachment of its own (one level: a ZIP in a ZIP is kept as it is).
    A ZIP that would unpack too far is dangerous."""
    problem = safe_zip_problem(item.data)
    if problem:
        contents.dangerous = contents.dangerous or f"{item.filename}: {problem}"
        contents.keep.append(
            IncomingFile(item.filename, item.content_type, item.data, [*item.flags, problem])
        )
        return
    with zipfile.ZipFile(io.BytesIO(item.data)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()][:MAX_ZIP_FILES]
        inside = [(info.filename.rsplit("/", 1)[-1], archive.read(info)) for info in members]
    for name, data in inside:
        if name.startswith(".") or not data:
            continue  # __MACOSX resource forks and empty entries
        kind = detect_type(data)
        if kind == ZIP:
            contents.keep.append(IncomingFile(name, kind, data, [f"inside {item.filename}"]))
            continue
        _read_one(IncomingFile(name, kind, data, [f"inside {item.filename}"]), pages, contents)


def _unreadable_monitoring_form(item: IncomingFile) -> bool:
    """An equal opportunities form a machine cannot read (a scan, a photo, a flattened PDF): by its name,
    or by the words on a PDF's first page."""
    if item.content_type not in DOCUMENTS and not item.content_type.startswith("image/"):
        return False
    if MONITORING_NAME.search(item.filename):
        return True
    return item.content_type == "application/pdf" and bool(
        MONITORING_PAGE.search(_first_page_text(item.data))
    )


def _first_page_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        return reader.pages[0].extract_text()[:2000] if reader.pages else ""
    except Exception:  # a damaged PDF: nothing to read, it is kept as it is
        return ""


def _note_attached(item: IncomingFile, contents: Contents) -> None:
    if contents.attached or item.inline:
        return
    if item.content_type in DOCUMENTS:
        contents.attached = "a document"
    elif item.content_type.startswith("image/"):
        contents.attached = "a photo or scan"
