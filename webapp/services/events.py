"""The append-only, hash-chained event log."""

from __future__ import annotations

import hashlib
import itertools
import json
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Application, Event, EventChainHead
from webapp.services.actors import Actor

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def detail_sha256(detail: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(detail).encode()).hexdigest()


def _digest(event: Event) -> str:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "detail_sha256": event.redacted_detail_sha256 or detail_sha256(event.detail),
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


@dataclass(frozen=True)
class Subject:
    """What an event is about: a kind of thing ("application", "email", "group", "staff_user", ...) and,
    where there is one, its id. An application can be given as itself."""

    type: str
    id: int | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject: Subject | Application,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Append one event in the caller's transaction. It joins the chain when the session next flushes (at
    the latest on commit), together with every other event recorded since: one turn of the chain head per
    flush, not per event. An event recorded in a savepoint that is rolled back is never written."""
    if isinstance(subject, Application):
        subject = Subject("application", subject.id)
    event = Event(
        at=now(),
        actor=actor.label,
        action=action,
        subject_type=subject.type,
        subject_id=subject.id,
        from_state=from_state,
        to_state=to_state,
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )
    _order[event] = next(_counter)  # the order of appending, across savepoints
    session.add(event)
    return event


_counter = itertools.count()
_order: weakref.WeakKeyDictionary[Event, int] = weakref.WeakKeyDictionary()


@sa_event.listens_for(Session, "before_flush")
def _chain(session: Session, _context, _instances) -> None:
    """Give the events about to be written their places in the chain. Concurrent appenders wait on the
    chain head's row, so the chain never forks."""
    pending = sorted(
        (item for item in session.new if isinstance(item, Event)),
        key=lambda item: _order.get(item, -1),
    )
    if not pending:
        return
    connection = session.connection()
    last, prev_hash = connection.execute(
        update(EventChainHead)
        .where(EventChainHead.id == 1)
        .values(seq=EventChainHead.seq + len(pending))
        .returning(EventChainHead.seq, EventChainHead.hash)
    ).one()
    for seq, event in enumerate(pending, start=last - len(pending) + 1):
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = prev_hash = _digest(event)
    connection.execute(update(EventChainHead).where(EventChainHead.id == 1).values(hash=prev_hash))


def redact(session: Session, where: ColumnElement[bool]) -> int:
    """Blank the detail of the events matched (a person's name, address, reasons), keeping its hash so the
    chain still verifies. Returns how many were redacted."""
    redacted = 0
    for event in session.scalars(select(Event).where(where, Event.redacted_at.is_(None))):
        event.redacted_detail_sha256 = detail_sha256(event.detail)
        event.detail = {}
        event.redacted_at = now()
        redacted += 1
    return redacted


@dataclass(frozen=True)
class Verification:
    checked: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session) -> Verification:
    """Walk the chain from the first event; report every place where it does not hold."""
    problems: list[str] = []
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in session.scalars(select(Event).order_by(Event.seq)).yield_per(1000):
        checked += 1
        if event.seq != expected_seq:
            problems.append(f"event {expected_seq} is missing (found {event.seq} next)")
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.seq} does not follow the event before it")
        if _digest(event) != event.hash or (event.redacted_at is not None and event.detail):
            problems.append(f"event {event.seq} ({event.action}) has been altered")
        expected_prev, expected_seq = event.hash, event.seq + 1
    head = session.get(EventChainHead, 1)
    if head is None or head.seq != expected_seq - 1 or head.hash != expected_prev:
        problems.append("the newest events are missing or the chain head has been altered")
    return Verification(checked, problems)
