"""A Babel extractor for the question texts, which are data (webapp/questions.py), not gettext calls:
babel.cfg maps webapp/questions.py to it, so `make translations` puts every page title, label, hint,
message and option in the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from webapp.questions import (
    APPLICATION_PAGES,
    CODE_OF_ETHICS,
    MEETS_REQUIREMENTS,
    MONITORING_QUESTIONS,
    SCREENING_CONSENT,
    all_questions,
)


def texts() -> list[str]:
    """Every standard text of the questions a person reads, once each."""
    questions = [
        *all_questions(APPLICATION_PAGES),
        *MONITORING_QUESTIONS,
        MEETS_REQUIREMENTS,
        SCREENING_CONSENT,
    ]
    found = [page.title for page in APPLICATION_PAGES] + [page.intro for page in APPLICATION_PAGES]
    for q in questions:
        found += [q.label, q.hint, q.error, q.short_label, *q.choices]
    found += list(CODE_OF_ETHICS)
    return list(dict.fromkeys(text for text in found if text))


def questions(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    for text in texts():
        yield 0, "_", text, ["question text"]
