"""The advice log ("you said, we did"): the advice a group gave, at a meeting, in answer to a call-out or
by email, and what the force did with it (considered, acted on, not taken forward) and why. Members see
their group's log, as the forces promise to keep them "informed as to why we have/have not acted"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Advice, AdviceSource, AdviceStatus, Group, StaffUser
from webapp.services import InputError, events, required_text
from webapp.services.actors import staff


def record(
    session: Session, group: Group, user: StaffUser, source: str, advice: str, call_out_id: int | None = None
) -> Advice:
    try:
        where = AdviceSource(source)
    except ValueError:
        raise InputError("Choose where the advice was given", "source") from None
    entry = Advice(
        group_id=group.id,
        source=where,
        call_out_id=call_out_id,
        given_at=now(),
        advice=required_text(advice, "advice", "Enter the advice"),
        recorded_by_id=user.id,
        recorded_at=now(),
        updated_at=now(),
    )
    session.add(entry)
    session.flush()
    events.record(
        session,
        staff(user),
        "advice recorded",
        events.Subject("group", group.id),
        detail={"advice": entry.id},
    )
    return entry


def respond(session: Session, entry: Advice, user: StaffUser, status: str, response: str) -> None:
    """What the force did with the advice; once it has done something, it says what and why."""
    try:
        chosen = AdviceStatus(status)
    except ValueError:
        raise InputError("Choose what the force has done with it", "status") from None
    response = (response or "").strip()
    if chosen != AdviceStatus.AWAITING and not response:
        raise InputError("Say what the force did, and why: members read it", "response")
    if len(response) > 5000:
        raise InputError("The response must be 5,000 characters or fewer", "response")
    entry.status, entry.response, entry.updated_at = chosen, response, now()
    events.record(
        session,
        staff(user),
        "advice responded to",
        events.Subject("group", entry.group_id),
        detail={"advice": entry.id, "status": str(chosen)},
    )


def of_group(session: Session, group: Group) -> list[Advice]:
    return list(
        session.scalars(
            select(Advice)
            .where(Advice.group_id == group.id)
            .order_by(Advice.given_at.desc(), Advice.id.desc())
        )
    )
