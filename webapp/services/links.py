"""Magic links for applicants (no accounts): long random tokens, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import ApplicantLink, Application


def new_token() -> tuple[str, str]:
    """(token for the link, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# How long the link to an applicant's own page works; every email to them carries a fresh one.
STATUS_LINK_DAYS = 365


def issue_status_link(
    session: Session, application: Application, days: int = STATUS_LINK_DAYS, replace: bool = False
) -> str:
    """A new link to the applicant's page. `replace`: the links sent before it stop working (a lost link
    sent again: asking many times leaves one link alive, the one in the newest email)."""
    if replace:
        session.execute(
            update(ApplicantLink)
            .where(ApplicantLink.application_id == application.id, ApplicantLink.expires_at > now())
            .values(expires_at=now())
            .execution_options(synchronize_session=False)
        )
    token, digest = new_token()
    session.add(
        ApplicantLink(
            application_id=application.id,
            token_hash=digest,
            created_at=now(),
            expires_at=now() + timedelta(days=days),
        )
    )
    return token


def application_for_status_link(session: Session, token: str) -> Application | None:
    link = session.scalar(select(ApplicantLink).where(ApplicantLink.token_hash == token_hash(token)))
    if link is None or link.expires_at < now():
        return None
    return session.get(Application, link.application_id)
