"""Demo data for `make run`: staff in several roles and a few applications, loaded once."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.deployment import Deployment, sync_groups
from webapp.models import Group, Source
from webapp.services import applications, staff
from webapp.services.actors import APPLICANT, SYSTEM
from webapp.workflow import Role

DEMO_APPLICATIONS = (
    (
        "bristol",
        Source.WEB,
        "Amina Yusuf",
        "amina@example.org",
        "I run a youth football club in Easton and want young people's views heard.",
    ),
    (
        "bristol",
        Source.EMAIL,
        "Dev Patel",
        "dev.patel@example.org",
        "I volunteer with a food bank and see how policing feels to people in hardship.",
    ),
    (
        "somerset",
        Source.WEB,
        "Rhiannon Evans",
        "rhiannon@example.org",
        "I farm near Taunton and want rural communities represented.",
    ),
)


DEMO_EMAILS = (
    (
        "Leila Haddad <leila@example.org>",
        "Application to join the LGBT+ IAG",
        "Hello,\n\nI would like to apply to join the LGBT+ IAG. "
        "I volunteer with a support group in Bristol.\n\nLeila",
    ),
    (
        "Out of Office <chris@example.net>",
        "Automatic reply: IAG meeting",
        "I am out of the office until Monday.",
    ),
    (
        "Kofi Mensah <kofi@example.org>",
        "Question about meetings",
        "Hello, where do the Bristol IAG meetings take place? Thanks, Kofi",
    ),
)


def seed_mailbox(path: str, mailbox_address: str) -> int:
    """Drop the demo emails into the local Maildir that `iag-mail run` reads on the embedded default."""
    box = mailbox.Maildir(path, create=True)
    for sender, subject, body in DEMO_EMAILS:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, mailbox_address, subject
        message["Message-ID"] = make_msgid(domain="demo.invalid")
        message["Date"] = format_datetime(now())
        if subject.startswith("Automatic reply"):
            message["Auto-Submitted"] = "auto-replied"
        message.set_content(body)
        box.add(message.as_bytes())
    return len(DEMO_EMAILS)


def seed(
    session: Session,
    deployment: Deployment,
    people: tuple[tuple[str, str, Role, str | None], ...],
    password: str,
    policy: staff.Policy,
) -> bool:
    """Create the demo staff (enrolled through the real enrolment path) and applications, unless present."""
    if staff.find_by_email(session, people[0][0]) is not None:
        return False
    sync_groups(session, deployment)
    slugs = set(session.scalars(select(Group.slug)))
    for email, name, role, slug in people:
        if slug is not None and slug not in slugs:
            continue  # a deployment without this group (e.g. Gwent): skip that demo user
        user, _token = staff.create_user(session, email, name, role, slug, policy)
        staff.complete_enrolment(session, user, password, staff.current_code(user))
        user.totp_last_step = None  # let the demo user sign in with the code that is current now
    for slug, source, name, email, why in DEMO_APPLICATIONS:
        group = session.scalar(select(Group).where(Group.slug == slug))
        if group is None:
            continue
        arrival = applications.Arrival(
            source=source,
            name=name,
            email=email,
            group=group,
            answers={"why_join": why},
            idempotency_key=f"demo:{email}",
        )
        applications.receive(session, arrival, APPLICANT if source is Source.WEB else SYSTEM)
    return True
