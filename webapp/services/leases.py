"""A named lock with an expiry, in the database, so that it works across processes and machines on SQLite
and PostgreSQL alike. The holder renews it; a holder that dies simply stops renewing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.db import rows_changed
from webapp.models import Lease


def acquire(sessions: Callable[[], Session], name: str, holder: str, seconds: int) -> str | None:
    """Take or renew the lease. Returns None on success, or the current holder's name when it is taken."""
    try:
        with sessions() as session, session.begin():
            lease = session.get(Lease, name, with_for_update=True)
            if lease is None:
                session.add(Lease(name=name, holder=holder, expires_at=now() + timedelta(seconds=seconds)))
                return None
            if lease.holder != holder and lease.expires_at > now():
                return lease.holder
            lease.holder, lease.expires_at = holder, now() + timedelta(seconds=seconds)
            return None
    except IntegrityError:  # another process created it at the same moment
        return "another poller"


def renew(sessions: Callable[[], Session], name: str, holder: str, seconds: int) -> bool:
    with sessions() as session, session.begin():
        result = session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=now() + timedelta(seconds=seconds))
        )
        return rows_changed(result) == 1


def release(sessions: Callable[[], Session], name: str, holder: str) -> None:
    with sessions() as session, session.begin():
        session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def seconds_left(sessions: Callable[[], Session], name: str) -> float:
    """How long until the lease runs out unless its holder renews it (0 when free or already run out)."""
    with sessions() as session:
        lease = session.get(Lease, name)
        if lease is None:
            return 0.0
        return max(0.0, (lease.expires_at - now()).total_seconds())
