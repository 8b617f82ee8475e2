"""The downloadable, fillable application and monitoring forms, rendered from the same question
definitions as the web pages, and read back from a returned PDF into the same answers."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from webapp.config import PROJECT_ROOT
from webapp.pdf import print_template
from webapp.questions import CODE_OF_ETHICS, MONITORING_QUESTIONS, Page, Question, all_questions

log = logging.getLogger(__name__)
APPLICATION_FORM = "iag-application-1"
MONITORING_FORM = "iag-monitoring-1"
TEMPLATES = PROJECT_ROOT / "templates" / "pdf"


@dataclass
class ReturnedForm:
    kind: str  # "application" or "monitoring"
    answers: dict[str, str] = field(default_factory=dict)
    group_name: str = ""
    reference: str = ""
    declaration: bool = False
    problems: list[str] = field(default_factory=list)


def _cache_key(kind: str, pages: tuple[Page, ...], group_names: list[str], deployment_source: str) -> str:
    parts = [kind, json.dumps([repr(p) for p in pages]), json.dumps(group_names), repr(MONITORING_QUESTIONS)]
    parts += [p.read_text() for p in sorted(TEMPLATES.glob("*"))]
    if deployment_source and Path(deployment_source).exists():
        parts.append(Path(deployment_source).read_text())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def cached_form(
    kind: str, cache_dir: Path, pages: tuple[Page, ...], group_names: list[str], deployment
) -> bytes:
    """The PDF for `kind`, rendered once and kept until the questions, groups or deployment change."""
    key = _cache_key(kind, pages, group_names, deployment.source)
    path = cache_dir / f"{kind}-form-{key}.pdf"
    if path.exists():
        return path.read_bytes()
    if kind == "application":
        data = print_template(
            "pdf/application_form.html",
            fillable=True,
            deployment=deployment,
            pages=pages,
            groups=group_names,
            form_id=APPLICATION_FORM,
            code_of_ethics=CODE_OF_ETHICS,
        )
    else:
        data = print_template(
            "pdf/monitoring_form.html",
            fillable=True,
            deployment=deployment,
            questions=MONITORING_QUESTIONS,
            form_id=MONITORING_FORM,
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


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
    values = {name: f.get("/V") for name, f in fields.items()}
    kind = _value(values.get("form_id"))
    if kind == APPLICATION_FORM:
        form = ReturnedForm(
            "application",
            group_name=_value(values.get("group")),
            declaration=_checked(values.get("declaration")),
        )
        _read_questions(form, all_questions(pages), values)
        return form
    if kind == MONITORING_FORM:
        form = ReturnedForm("monitoring", reference=_value(values.get("application_reference")).upper())
        _read_questions(form, list(MONITORING_QUESTIONS), values)
        return form
    return None


def _read_questions(form: ReturnedForm, questions: list[Question], values: dict) -> None:
    for question in questions:
        answer = _value(values.get(question.key))[: question.max_length]
        if question.choices and answer and answer not in question.choices:
            form.problems.append(f"{question.summary_label}: '{answer[:50]}' is not one of the options")
            continue
        if answer:
            form.answers[question.key] = answer
