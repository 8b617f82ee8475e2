"""Arranging a test's starting point through the services, as the web form would leave it, where the web
journey itself is not what the test is about (tests/webapp/test_apply.py and tests/e2e walk it)."""

from __future__ import annotations

from tests.apply_journey import ANSWERS
from webapp.db import session_scope
from webapp.public.forms import form_class
from webapp.services import drafts, groups, members


def given_application(app, group: str = "bristol", **answers: str) -> str:
    """A web application submitted to `group` with the journey's answers (and any given): each page's
    answers checked and tidied by that page's own form, then submitted through the same service as the
    web (the application, its events and the email to the applicant). Returns the reference."""
    with app.app_context(), session_scope(app) as session:
        found = groups.by_slug(session, group)
        assert found is not None, f"no group {group}"
        draft = drafts.start(session, found, requirements_confirmed=True, screening_consent=True)
        for page in app.extensions["deployment"].application_pages:
            given = {
                q.key: answers.get(q.key, ANSWERS.get(page.slug, {}).get(q.key, "")) for q in page.questions
            }
            with app.test_request_context(method="POST", data=given):
                form = form_class(page)(meta={"csrf": False})
                assert form.validate(), f"{page.slug}: {form.errors}"
                drafts.save(draft, form.answers())
        return drafts.submit(session, draft).reference


def given_member(
    app, group: str = "bristol", name: str = "Amina Yusuf", email: str = "amina@example.org"
) -> int:
    """A member of `group` (their application made as the web makes it, then its membership as signing
    makes it: signing itself is tested in tests/webapp/test_joining.py). Returns the membership's id."""
    from sqlalchemy import select

    from webapp.models import Application
    from webapp.workflow import State

    reference = given_application(app, group, full_name=name, email=email)
    with app.app_context(), session_scope(app) as session:
        application = session.scalar(select(Application).where(Application.reference == reference))
        application.state = State.MEMBER
        return members.join(session, application, None).id


def given_members(app, count: int, group: str = "bristol", prefix: str = "member") -> list[int]:
    """`count` members of `group` at once (their applications arranged directly, as a force's earlier
    members would have been: joining itself is tested elsewhere). Returns their membership ids."""
    from sqlalchemy import select

    from webapp.models import Applicant, Application, Group, Source
    from webapp.workflow import State

    made = []
    with app.app_context(), session_scope(app) as session:
        found = session.scalar(select(Group).where(Group.slug == group))
        for n in range(count):
            application = Application(
                reference=f"IAG-{prefix[:4].upper():A<4}-{n:04d}",
                group=found,
                applicant=Applicant(name=f"{prefix.title()} {n}", email=f"{prefix}{n}@example.org"),
                source=Source.WEB,
                state=State.MEMBER,
                answers={},
            )
            session.add(application)
            session.flush()
            made.append(members.join(session, application, None).id)
    return made
