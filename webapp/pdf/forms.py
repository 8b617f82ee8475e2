"""The downloadable, fillable application and monitoring forms, rendered from the same question
definitions as the web pages, and read back from a returned PDF into the same answers.

They are tagged PDF/UA and print as well as they fill in: a choice is a radio group whose options print
beside their buttons (a drop-down prints as an empty box). A field's name is its question's key, so
read-back keeps working whatever the layout; its accessible name (/TU) is the question as written."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import cast

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from webapp.config import PROJECT_ROOT, VERSION
from webapp.languages import question_text
from webapp.pdf import print_template
from webapp.questions import (
    CODE_OF_ETHICS,
    MEETS_REQUIREMENTS,
    MONITORING_QUESTIONS,
    SCREENING_CONSENT,
    Page,
    Question,
    all_questions,
    confirmations,
)

log = logging.getLogger(__name__)
APPLICATION_FORM = "iag-application-1"
MONITORING_FORM = "iag-monitoring-1"
# Printed at the foot of every page of the equal opportunities form, so that a photo, a scan or one page
# of a longer PDF is known for what it is whatever its heading says (attachments.MONITORING_MARK reads it).
MONITORING_MARK = "IAG-EO-1"
TEMPLATES = PROJECT_ROOT / "templates" / "pdf"
CATALOGUES = PROJECT_ROOT / "webapp" / "translations"
DECLARATION = _l(
    "I have read the Code of Ethics principles and the privacy notice, "
    "and the information I have given is true."
)
HIDDEN = 1 << 1  # annotation flag: not shown, not printed
READ_ONLY = 1


@dataclass(frozen=True)
class FormGroup:
    """A group the form offers, with what it asks for before an application."""

    name: str
    requirements: str = ""
    screening_may_apply: bool = False
    label: str = ""  # the name in the form's language (the value returned is always `name`)


@dataclass
class ReturnedForm:
    kind: str  # "application" or "monitoring"
    answers: dict[str, str] = field(default_factory=dict)
    group_name: str = ""
    reference: str = ""
    declaration: bool = False
    problems: list[str] = field(default_factory=list)
    language: str = "en"  # the language of the form filled in (the PDF's own): a Welsh form says Welsh


def _cache_key(
    kind: str, pages: tuple[Page, ...], offered: list[FormGroup], deployment, language: str
) -> str:
    """What the form is made from: the questions, groups and deployment as loaded, the print templates,
    the version, and the language's catalogue (so new wording after an upgrade makes a new form)."""
    parts = [kind, json.dumps([repr(p) for p in pages]), repr(offered), repr(MONITORING_QUESTIONS)]
    parts += [p.read_text() for p in sorted(TEMPLATES.glob("*"))]
    parts += [repr(deployment), VERSION]
    catalogue = CATALOGUES / language / "LC_MESSAGES" / "messages.mo"
    digest = hashlib.sha256("\0".join(parts).encode())
    if catalogue.exists():
        digest.update(catalogue.read_bytes())
    return digest.hexdigest()[:24]


def cached_form(
    kind: str,
    cache_dir: Path,
    pages: tuple[Page, ...],
    offered: list[FormGroup],
    deployment,
    language: str = "en",
) -> bytes:
    """The PDF for `kind` in `language`, rendered once and kept until the questions, groups or deployment
    change. Every language's form has the same fields, so a returned form reads back the same."""
    key = _cache_key(kind, pages, offered, deployment, language)
    path = cache_dir / f"{kind}-form-{language}-{key}.pdf"
    if path.exists():
        return path.read_bytes()
    with force_locale(language):
        data = _render(kind, pages, offered, deployment, language)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def _render(kind: str, pages: tuple[Page, ...], offered: list[FormGroup], deployment, language: str) -> bytes:
    if kind == "application":
        specialist = [g for g in offered if g.requirements or g.screening_may_apply]
        asked = confirmations(
            any(g.requirements for g in specialist), any(g.screening_may_apply for g in specialist)
        )
        rendered = print_template(
            "pdf/application_form.html",
            fillable=True,
            deployment=deployment,
            pages=pages,
            groups=[g.name for g in offered],
            group_labels={g.name: g.label or g.name for g in offered},
            specialist=specialist,
            confirmations=asked,
            form_id=APPLICATION_FORM,
            code_of_ethics=CODE_OF_ETHICS,
            declaration=str(DECLARATION),
            html_lang=language,
        )
        names = {q.key: question_text(q, "label") for q in [*all_questions(pages), *asked]}
        names |= {"group": gettext("Which group would you like to join?"), "declaration": str(DECLARATION)}
    else:
        rendered = print_template(
            "pdf/monitoring_form.html",
            fillable=True,
            deployment=deployment,
            questions=MONITORING_QUESTIONS,
            form_id=MONITORING_FORM,
            mark=MONITORING_MARK,
            html_lang=language,
        )
        names = {q.key: question_text(q, "label") for q in MONITORING_QUESTIONS}
    return tidy_fields(rendered, names)


def tidy_fields(pdf: bytes, names: dict[str, str]) -> bytes:
    """Make WeasyPrint's form fields what a form filler expects. A radio group is one field: its buttons
    are its kids only (WeasyPrint also names them and lists them as fields of their own, which viewers read
    as a second, broken field). Every field's accessible name is its question, whole (WeasyPrint takes the
    label's laid-out text, which loses the spaces where it wrapped). The form's own id is hidden."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    acroform = cast(DictionaryObject, writer.root_object["/AcroForm"].get_object())
    fields = [ref for ref in cast(ArrayObject, acroform["/Fields"]) if "/Parent" not in ref.get_object()]
    acroform[NameObject("/Fields")] = ArrayObject(fields)
    for ref in fields:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        for kid in field.get("/Kids", []):
            kid = kid.get_object()
            for key in ("/T", "/TU"):
                kid.pop(key, None)
        if name in names:
            field[NameObject("/TU")] = TextStringObject(names[name])
        if name == "form_id":
            field[NameObject("/F")] = NumberObject(HIDDEN)
            field[NameObject("/Ff")] = NumberObject(READ_ONLY)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _choice(field) -> str:
    """A field's value as text. A radio group's value is its chosen button's number, /0, /1..., and the
    option is that entry of /Opt; a drop-down's (forms sent before radio groups) is the text itself."""
    raw = field.get("/V")
    options = field.get("/Opt")
    text = _value(raw)
    if options is not None and field.get("/FT") == "/Btn" and text.startswith("/") and text[1:].isdigit():
        index = int(text[1:])
        return _value(options[index]) if index < len(options) else ""
    return text.removeprefix("/") if field.get("/FT") == "/Btn" and text != "/on" else text


def _value(raw) -> str:
    if raw is None:
        return ""
    text = str(raw)
    return "" if text in {"/Off", "Off"} else text.strip()


def _checked(raw) -> bool:
    return _value(raw) not in {"", "/Off"}


def read_form(data: bytes, pages: tuple[Page, ...]) -> ReturnedForm | None:
    """A returned form's answers, or None when the PDF is not one of our forms (or cannot be read)."""
    try:
        fields = PdfReader(BytesIO(data)).get_fields() or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("a PDF could not be read as a form: %s", type(exc).__name__)
        return None
    values = {name: _choice(f) for name, f in fields.items()}
    kind = _value(values.get("form_id"))
    if kind == APPLICATION_FORM:
        form = ReturnedForm(
            "application",
            group_name=_value(values.get("group")),
            declaration=_checked(values.get("declaration")),
            language=_language(data),
        )
        _read_questions(form, [*all_questions(pages), MEETS_REQUIREMENTS, SCREENING_CONSENT], values)
        return form
    if kind == MONITORING_FORM:
        form = ReturnedForm("monitoring", reference=_value(values.get("application_reference")).upper())
        _read_questions(form, list(MONITORING_QUESTIONS), values)
        return form
    return None


def _language(data: bytes) -> str:
    """The language the form was printed in (its catalogue's /Lang), "en" when it does not say."""
    try:
        root = PdfReader(BytesIO(data)).trailer["/Root"].get_object()
        return "cy" if str(root.get("/Lang", "en")) == "cy" else "en"  # type: ignore[union-attr]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return "en"


def _read_questions(form: ReturnedForm, questions: list[Question], values: dict) -> None:
    for question in questions:
        answer = _value(values.get(question.key))[: question.max_length]
        if question.choices and answer and answer not in question.choices:
            form.problems.append(f"{question.summary_label}: '{answer[:50]}' is not one of the options")
            continue
        if answer:
            form.answers[question.key] = answer
