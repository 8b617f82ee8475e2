"""Arranging a test's starting point through the services, as the web form would leave it, where the web
journey itself is not what the test is about (tests/webapp/test_apply.py and tests/e2e walk it)."""

from __future__ import annotations

from tests.apply_journey import ANSWERS
from webapp.db import session_scope
from webapp.services import drafts, groups


def given_application(app, group: str = "bristol", **answers: str) -> str:
    """A web application submitted to `group` with the journey's answers (and any given), exactly as the
    service records one from the form: the application, its event and the applicant's email. Returns the
    reference."""
    with app.app_context(), session_scope(app) as session:
        found = groups.by_slug(session, group)
        assert found is not None, f"no group {group}"
        draft = drafts.start(session, found, requirements_confirmed=True, screening_consent=True)
        journey = {name: value for page in ANSWERS.values() for name, value in page.items()}
        drafts.save(draft, journey | answers)
        return drafts.submit(session, draft).reference
