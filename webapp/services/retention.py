"""The retention policy: personal data is kept no longer than needed. Run daily (`flask --app webapp retention
--apply`); every run finds what is due by the clock, so running twice, late or after a crash is safe.

What is due, with the periods from the settings (defaults in brackets):
- unfinished web applications untouched for RETENTION_DRAFT_DAYS (30): deleted;
- unsuccessful, withdrawn and referred applications (and dismissed appeals) RETENTION_CLOSED_DAYS (365)
  after they closed: erased, keeping the anonymous outline (`personal_data.erase_application`);
- former members RETENTION_MEMBER_DAYS (365) after they left: erased the same way;
- received emails and their attachments RETENTION_EMAIL_DAYS (365) after they arrived, and sent emails as
  long after they were sent: content and files removed;
- stored files nothing refers to any more: deleted.
Each item is erased in its own transaction (a failure leaves that item as it was), and the log says how
many of each kind, never whose.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Application, Draft, InboundEmail, Membership, OutboxMessage
from webapp.models.outbox import OutboxStatus
from webapp.services import events, personal_data
from webapp.services.actors import SYSTEM
from webapp.workflow import State

log = logging.getLogger("iag.retention")

CLOSED = (State.UNSUCCESSFUL, State.APPEAL_DISMISSED, State.WITHDRAWN, State.REFERRED)
FINISHED_MAIL = (OutboxStatus.SENT, OutboxStatus.FAILED)


@dataclass(frozen=True)
class Periods:
    draft_days: int = 30
    closed_days: int = 365
    email_days: int = 365
    member_days: int = 365

    @classmethod
    def from_config(cls, config) -> Periods:
        return cls(
            config["RETENTION_DRAFT_DAYS"],
            config["RETENTION_CLOSED_DAYS"],
            config["RETENTION_EMAIL_DAYS"],
            config["RETENTION_MEMBER_DAYS"],
        )


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{what}: {n}" for what, n in self.counts.items()]


def _ago(days: int):
    return now() - timedelta(days=days)


def due(session: Session, periods: Periods) -> dict[str, list[int]]:
    """The ids of everything due, by kind."""
    return {
        "unfinished applications deleted": list(
            session.scalars(select(Draft.id).where(Draft.updated_at < _ago(periods.draft_days)))
        ),
        "closed applications erased": list(
            session.scalars(
                select(Application.id).where(
                    Application.state.in_(CLOSED),
                    Application.state_changed_at < _ago(periods.closed_days),
                    Application.erased_at.is_(None),
                )
            )
        ),
        "former members erased": list(
            session.scalars(
                select(Application.id)
                .join(Membership, Membership.application_id == Application.id)
                .where(Membership.left_at < _ago(periods.member_days), Application.erased_at.is_(None))
            )
        ),
        "received emails cleared": list(
            session.scalars(
                select(InboundEmail.id).where(
                    InboundEmail.received_at < _ago(periods.email_days), InboundEmail.erased_at.is_(None)
                )
            )
        ),
        "sent emails deleted": list(
            session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.status.in_(FINISHED_MAIL),
                    OutboxMessage.created_at < _ago(periods.email_days),
                )
            )
        ),
    }


def _erase_one(session: Session, kind: str, item_id: int) -> personal_data.Freed:
    if kind == "unfinished applications deleted":
        session.execute(delete(Draft).where(Draft.id == item_id))
        return personal_data.Freed()
    if kind in ("closed applications erased", "former members erased"):
        application = session.get(Application, item_id)
        return personal_data.erase_application(session, application) if application else personal_data.Freed()
    if kind == "received emails cleared":
        email = session.get(InboundEmail, item_id)
        if email is None or email.erased_at is not None:
            return personal_data.Freed()
        return personal_data.erase_email(session, email)
    message = session.get(OutboxMessage, item_id)
    if message is None:
        return personal_data.Freed()
    session.delete(message)
    return personal_data.Freed({spec["storage_name"] for spec in message.attachments or []})


def run(
    sessions: Callable[[], Session], stores: personal_data.Stores, periods: Periods, *, apply: bool
) -> Result:
    """Find what is due; with `apply`, erase it item by item and remove the files it leaves behind."""
    with sessions() as session:
        plan = due(session, periods)
    result = Result({kind: len(ids) for kind, ids in plan.items()})
    if apply:
        for kind, ids in plan.items():
            for item_id in ids:
                with sessions() as session, session.begin():
                    freed = _erase_one(session, kind, item_id)
                with sessions() as session:
                    personal_data.remove_files(session, stores, freed)
    with sessions() as session:
        result.counts["stored files no longer needed"] = personal_data.sweep_files(
            session, stores, apply=apply
        )
    if apply:
        with sessions() as session, session.begin():
            events.record(
                session, SYSTEM, "retention applied", events.Subject("retention"), detail=result.counts
            )
    log.info("retention %s: %s", "applied" if apply else "dry run", "; ".join(result.lines()))
    return result
