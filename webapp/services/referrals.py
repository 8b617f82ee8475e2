"""Referral to a more suitable group: with the applicant's consent their details are passed on, as a new
linked application in the other group's queue; without it, nothing is passed on."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now
from webapp.languages import lazy_group_text
from webapp.models import Application, Group, Referral
from webapp.services import applications, events, letters, links
from webapp.services.actors import APPLICANT, SYSTEM


def open_referral(session: Session, application: Application) -> Referral | None:
    return session.scalar(
        select(Referral).where(
            Referral.from_application_id == application.id,
            Referral.consent_given_at.is_(None),
            Referral.consent_refused_at.is_(None),
        )
    )


def latest_referral(session: Session, application: Application) -> Referral | None:
    """The referral of this application, answered or not (for the applicant's page)."""
    return session.scalar(
        select(Referral).where(Referral.from_application_id == application.id).order_by(Referral.id.desc())
    )


def answer_referral(
    session: Session, application: Application, consent: bool
) -> tuple[Application, str] | None:
    """The applicant's answer. With consent, their details are passed on: a linked application appears in
    the other group's queue (the first one stays closed as referred), and its page's link is returned (and
    emailed). Without, nothing is passed on."""
    referral = open_referral(session, application)
    if referral is None:
        raise workflow.NotAllowed("There is no referral waiting for your answer.")
    if not consent:
        referral.consent_refused_at = now()
        events.record(
            session, APPLICANT, "referral declined", application, detail={"referral_id": referral.id}
        )
        return None
    group = session.get_one(Group, referral.to_group_id)
    person = application.applicant
    linked, _ = applications.receive(
        session,
        applications.Arrival(
            source=application.source,
            name=person.name if person else "",
            email=person.email if person else None,
            phone=person.phone if person else None,
            answers=dict(application.answers),
            group=group,
            idempotency_key=f"referral:{referral.id}",
        ),
        SYSTEM,
    )
    linked.referred_from_id = application.id
    referral.consent_given_at = now()
    referral.to_application_id = linked.id
    events.record(
        session,
        APPLICANT,
        "referral accepted",
        application,
        detail={"referral_id": referral.id, "new_application": linked.reference, "group": group.slug},
    )
    token = links.issue_status_link(session, linked)
    letters.email_applicant(
        session,
        linked,
        "referral_passed_on",
        lazy_gettext(
            "Your details have been passed to the %(group)s: %(reference)s",
            group=lazy_group_text(group, "name"),
            reference=linked.reference,
        ),
        first=application,
        token=token,
    )
    return linked, token
