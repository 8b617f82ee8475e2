"""What the service's health looks like as numbers, for Prometheus (`/metrics`): is mail being read and
filed, is mail going out, are people failing to sign in. Counts only: no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import EmailKind, InboundEmail, LoginAttempt, MailboxState, OutboxMessage
from webapp.models.outbox import OutboxStatus


@dataclass(frozen=True)
class Figures:
    mail_oldest_unfiled_seconds: float
    mail_quarantined: int
    mail_last_poll: datetime | None
    outbox_pending: int
    outbox_oldest_pending_seconds: float
    outbox_failed: int
    sign_in_failures_last_hour: int


def _age(moment: datetime | None) -> float:
    return max(0.0, (now() - moment).total_seconds()) if moment else 0.0


def figures(session: Session) -> Figures:
    unfiled = session.scalar(
        select(func.min(InboundEmail.received_at)).where(
            InboundEmail.moved_at.is_(None), InboundEmail.uid.is_not(None)
        )
    )
    pending = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING).subquery()
    return Figures(
        mail_oldest_unfiled_seconds=_age(unfiled),
        mail_quarantined=session.scalar(
            select(func.count()).where(
                InboundEmail.kind == EmailKind.QUARANTINED, InboundEmail.erased_at.is_(None)
            )
        )
        or 0,
        mail_last_poll=session.scalar(select(func.max(MailboxState.updated_at))),
        outbox_pending=session.scalar(select(func.count()).select_from(pending)) or 0,
        outbox_oldest_pending_seconds=_age(session.scalar(select(func.min(pending.c.created_at)))),
        outbox_failed=session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED))
        or 0,
        sign_in_failures_last_hour=session.scalar(
            select(func.count()).where(
                LoginAttempt.succeeded.is_(False), LoginAttempt.at > now() - timedelta(hours=1)
            )
        )
        or 0,
    )
