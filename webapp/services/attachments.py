"""What an email's attachments hold: a returned application form, an equal opportunities form (kept apart
from reviewers, whether or not a machine can read it), a document's text, or a sign of danger. One
reading for the mail poller, as a message arrives, and for triage, from the stored files, so both find
the same answers in the same files. Files inside a ZIP are read as if attached one by one."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

from webapp import images
from webapp.extract import DOCX, ODT, detect_type, document_text, safe_zip_problem
from webapp.pdf.forms import ReturnedForm, read_form
from webapp.questions import Page, all_questions
from webapp.services.inbound import IncomingFile

# The name, or the words on the first page, of an equal opportunities form (English and Welsh): kept
# apart even when its answers cannot be read, so reviewers never see it.
MONITORING_NAME = re.compile(
    r"equal[\s_-]*op(portunit(y|ies))?|monitoring|diversity|(^|[\W_])(EDI|EO|EOM)([\W_]|$)|cyfle(oedd)?[\s_-]*cyfartal",
    re.IGNORECASE,
)
# (Not the application form's own words about it: "Equal opportunities monitoring is on a separate, optional
# form" / "Mae monitro cyfle cyfartal ar ffurflen ddewisol ar wahân", which made a flattened application
# form look like a monitoring form and hid it from reviewers.)
MONITORING_PAGE = re.compile(
    r"(equal\s+opportunities\s+monitoring|equality\s+monitoring)(?!\s+is\s+on\s+a\s+separate)|"
    r"monitro\s+cyfle(oedd)?\s+cyfartal(?!\s+ar\s+ffurflen\s+ddewisol\s+ar\s+wah)",
    re.IGNORECASE,
)
# The mark printed on every page of our equal opportunities form (webapp.pdf.forms.MONITORING_MARK), as
# OCR reads it too ("1AG-EO-1", "IAG-E0-1", "IAG EO 1").
MONITORING_MARK = re.compile(r"\b[I1l|]AG\s?[-\u2013]?\s?E[O0]\s?[-\u2013]?\s?[1lI]\b")
DOCUMENTS = {"application/pdf", DOCX, ODT, "application/x-ole-storage"}
# The answers only the applicant can give: a form with none of them is blank.
PERSONAL_ANSWERS = ("full_name", "email", "phone", "area", "why_join", "lived_experience", "communities")
# The application form, read as text (a photo, a scan, a Word version): it names the IAGs, asks several of
# the form's own questions, and carries answers (an address or a phone number the force does not own).
IAG_WORDS = re.compile(r"independent\s+advisory\s+group|\bIAG\b|grŵp\s+cynghori\s+annibynnol", re.IGNORECASE)
FORM_QUESTIONS_SEEN = 3
# Bounded, so that text made to trip them costs no more than its length.
EMAIL_WRITTEN = re.compile(r"[\w.+-]{1,64} ?@ ?[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}")
PHONE_WRITTEN = re.compile(r"(\+44\s?|\b0)\d(\s?\d){8,9}\b")
OCR_FILES, OCR_SECONDS = 4, 45  # photos and scans read with OCR in one email, and the time for them all
FORM_TEXT_READ = 20_000  # characters of a file's words looked at for the form: the form is a few pages
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
    form_in: str = ""  # the application form, filled in, read as text from "a photo", "a scan" ...
    blank_form_in: str = ""  # ... and the form read as text with nothing written on it
    unopened: str = ""  # a file that could not be opened (a damaged PDF or document): kept, for a person

    @property
    def blank_form(self) -> bool:
        """A returned application form with none of the applicant's own answers: the form passed on, not
        an application."""
        form = self.application_form
        if form is None:
            return bool(self.blank_form_in) and not self.form_in
        return not any(form.answers.get(key) for key in PERSONAL_ANSWERS)

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


def read(files: Iterable[IncomingFile], pages: tuple[Page, ...], look: bool = True) -> Contents:
    """Read each file by its detected type. The first application form and the first readable document
    count; a file that cannot be read is kept, flagged with why. With `look`, photos and scans are read
    with OCR (a second or two each) to find the paper form in them; triage, re-reading stored files for a
    page, does not look again."""
    contents = Contents()
    reading = _Reading(pages, look)
    for item in files:
        if item.content_type == ZIP:
            _read_zip(item, reading, contents)
        else:
            _read_one(item, reading, contents)
    return contents


@dataclass(frozen=True)
class _Reading:
    pages: tuple[Page, ...]
    look: bool
    # OCR for the whole email: a few files, in a time of its own, so that one email of twenty noisy photos
    # cannot hold up the mailbox (each file otherwise takes up to 20 s).
    deadline: float = field(default_factory=lambda: time.monotonic() + OCR_SECONDS)
    read_by_ocr: list[str] = field(default_factory=list)

    def ocr_time(self, flags: list[str]) -> float:
        """Seconds OCR may take on the next file, or 0 (and the file flagged) when this email's are used."""
        left = self.deadline - time.monotonic()
        if len(self.read_by_ocr) >= OCR_FILES or left < 1:
            flags.append("not read with OCR: this email's time for reading photos and scans was used")
            return 0
        return min(left, images.IMAGE_SECONDS)


def _read_one(item: IncomingFile, reading: _Reading, contents: Contents) -> None:
    flags = list(item.flags)
    form_read = None
    text = ""  # the file's words, where the form may be found in them
    if item.content_type == "application/pdf":
        form_read = read_form(item.data, reading.pages)
        if form_read is not None and form_read.kind == "monitoring":
            contents.monitoring_form = form_read
            contents.monitoring_files.append(item)
            return
        text = _read_pdf(item, form_read, reading, contents, flags)
    elif item.content_type in {DOCX, ODT}:
        text = _read_document(item, contents, flags)
    elif item.content_type.startswith("image/") and not item.inline and reading.look:
        text = _photo_text(item, reading, flags)
    # A monitoring form, even inside the application's own PDF (its pages appended): never a reviewer's.
    if _unreadable_monitoring_form(item, text):
        contents.apart.append(item)
        return
    _note_form_in_text(item, text, reading, contents, flags)
    _note_attached(item, contents, unread=reading.look and not text.strip())
    contents.keep.append(IncomingFile(item.filename, item.content_type, item.data, flags, item.inline))


def _read_pdf(
    item: IncomingFile, form: ReturnedForm | None, reading: _Reading, contents: Contents, flags: list[str]
) -> str:
    """A PDF: our application form (its answers), a damaged file (kept, for a person), or its words."""
    if form is not None:
        if contents.application_form is None:
            contents.application_form = form
            flags += [f"form: {problem}" for problem in form.problems]
            if not form.declaration:
                flags.append("form: the declaration was not ticked")
        return ""
    if not _opens(item.data):
        flags.append("the PDF could not be opened: it may be damaged")
        contents.unopened = contents.unopened or f"{item.filename}: the PDF may be damaged"
        return ""
    return _pdf_text(item, reading, flags)


def _read_document(item: IncomingFile, contents: Contents, flags: list[str]) -> str:
    document = document_text(item.data, item.content_type)
    if document.dangerous:
        contents.dangerous = contents.dangerous or f"{item.filename}: {document.problem}"
    elif document.problem:
        contents.unopened = contents.unopened or f"{item.filename}: {document.problem}"
    if document.problem:
        flags.append(document.problem)
    elif document.text and not contents.document_text:
        contents.document_text = document.text
    return document.text


def _pdf_text(item: IncomingFile, reading: _Reading, flags: list[str]) -> str:
    """The words of a PDF that is not one of our fillable forms: its text, or, for a scan (pictures of
    pages), what OCR reads."""
    if not reading.look:
        return ""  # (triage's page re-reads only what it shows: a form's answers)
    text = _pages_text(item.data)
    if text.strip():
        return text
    return _ocr(item, reading, flags, images.text_of_scan, "a scan: ")


def _photo_text(item: IncomingFile, reading: _Reading, flags: list[str]) -> str:
    return _ocr(item, reading, flags, images.text_in_image, "")


def _ocr(
    item: IncomingFile,
    reading: _Reading,
    flags: list[str],
    reader: Callable[..., images.ImageText],
    said: str,
) -> str:
    """A photo's or scan's words by OCR, within the email's share of OCR; what went wrong is flagged."""
    seconds = reading.ocr_time(flags)
    if not seconds:
        return ""
    reading.read_by_ocr.append(item.filename)
    found = reader(item.data, timeout=seconds)
    if not found.readable:
        flags.append(said + (found.problem or "the text could not be read"))
    return found.text


def _note_form_in_text(
    item: IncomingFile, text: str, reading: _Reading, contents: Contents, flags: list[str]
) -> None:
    """The application form found in a file's words (a photo or scan of the paper form, a flattened PDF, a
    Word version): the force's form by its questions, filled in by the answers written on it."""
    text = text[:FORM_TEXT_READ]
    if not text or contents.form_in or contents.application_form is not None:
        return
    if not looks_like_the_form(text, reading.pages):
        return
    what = (
        "a photo"
        if item.content_type.startswith("image/")
        else "a document"
        if item.content_type in {DOCX, ODT}
        else "a PDF"
    )
    if not filled_in(text) and what == "a document":
        flags.append("the application form, with nothing filled in")
        contents.blank_form_in = contents.blank_form_in or f"{what} ({item.filename})"
        return
    if not filled_in(text):  # a photo or scan: handwriting OCR cannot read is not a blank form
        flags.append("looks like the application form, but no answers could be read on it")
        contents.attached = contents.attached or f"{what} of the application form, its answers not readable"
        return
    contents.form_in = f"{what} ({item.filename})"
    contents.document_text = contents.document_text or text[:100_000]


def looks_like_the_form(text: str, pages: tuple[Page, ...]) -> bool:
    """The force's application form: it names the IAGs and asks several of the form's own questions."""
    if not IAG_WORDS.search(text):
        return False
    flat = _flat(text)
    asked = sum(1 for question in all_questions(pages) if _flat(question.label) in flat)
    return asked >= FORM_QUESTIONS_SEEN


def filled_in(text: str) -> bool:
    """Answers written on the form: an email address that is not the force's own, or a phone number."""
    addresses = [match.group(0) for match in EMAIL_WRITTEN.finditer(text)]
    return any("police.uk" not in address.lower() for address in addresses) or bool(
        PHONE_WRITTEN.search(text)
    )


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _read_zip(item: IncomingFile, reading: _Reading, contents: Contents) -> None:
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
        _read_one(IncomingFile(name, kind, data, [f"inside {item.filename}"]), reading, contents)


def _unreadable_monitoring_form(item: IncomingFile, text: str) -> bool:
    """An equal opportunities form a machine cannot read as one (a scan, a photo, a flattened PDF, or its
    pages inside a longer PDF): by its name, by the mark printed on every page of ours, or by its heading,
    on any page (`text`: what OCR read of a photo or scan)."""
    if item.content_type not in DOCUMENTS and not item.content_type.startswith("image/"):
        return False
    if MONITORING_NAME.search(item.filename):
        return True
    # (A PDF's page text is `text` already when it was read for the form; otherwise it is read here.)
    pdf = item.content_type == "application/pdf"
    words = text or (_pages_text(item.data) if pdf else "")
    return bool(MONITORING_MARK.search(words) or MONITORING_PAGE.search(words))


def _opens(data: bytes) -> bool:
    """Whether a PDF opens at all: a damaged one is kept and a person told, never read as nothing."""
    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except Exception:  # pypdf raises many kinds of error on a damaged file
        return False


def _pages_text(data: bytes, most: int = 6) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() for page in reader.pages[:most])
    except Exception:  # a damaged PDF: nothing to read, it is kept as it is
        return ""


def _note_attached(item: IncomingFile, contents: Contents, unread: bool) -> None:
    """What a person attached that may be an application, in the words triage shows."""
    if contents.attached or item.inline:
        return
    if item.content_type in DOCUMENTS:
        contents.attached = "a document" + (", its text not readable" if unread else "")
    elif item.content_type.startswith("image/"):
        contents.attached = "a photo" + (", its text not readable" if unread else "")
