"""Answers read back to people: on check answers, the applicant's own page and the staff case page."""

from __future__ import annotations

from webapp.questions import MEETS_REQUIREMENTS, SCREENING_CONSENT, Page, Question


def given_confirmations(answers: dict[str, str]) -> list[tuple[Question, str]]:
    """The confirmations among `answers`, with their answers, for check answers and the staff page."""
    return [(q, answers[q.key]) for q in (MEETS_REQUIREMENTS, SCREENING_CONSENT) if answers.get(q.key)]


def shown_answers(
    pages: tuple[Page, ...], answers: dict[str, str], every_question: bool
) -> list[tuple[Page, list[tuple[Question, str]]]]:
    """The answers page by page, for reading back. `every_question`: a question not answered is shown as
    such (a web application asked every one); otherwise only what was given (an email or a form brings
    what it brings, and seventeen "Not answered" rows would hide it)."""
    shown = []
    for page in pages:
        rows = [(q, answers.get(q.key, "")) for q in page.questions]
        rows = rows if every_question else [(q, a) for q, a in rows if a]
        if rows:
            shown.append((page, rows))
    return shown
