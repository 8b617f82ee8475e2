"""Vetting and screening, where a group requires it (its `vetting` in the deployment file: "none",
"limited screening" or a vetting level such as "NPPV2"). Staff record each member's status, level and
dates, never the vetting itself; a confidential paper of such a group reaches only members whose vetting
is current (granted, and not past its expiry); members are reminded before it expires."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_date
from webapp.models import Group, Member, Membership, StaffUser, Vetting, VettingStatus
from webapp.services import InputError, events, notify
from webapp.services.actors import staff

REMIND_DAYS = 60


def required(group: Group) -> bool:
    return (group.vetting or "none") != "none"


def of(session: Session, membership: Membership) -> Vetting | None:
    return session.scalar(select(Vetting).where(Vetting.membership_id == membership.id))


def cleared(session: Session, membership: Membership) -> bool:
    """Whether the member may read the group's confidential papers: the group requires no vetting, or
    theirs is current."""
    group = session.get_one(Group, membership.group_id)
    if not required(group):
        return True
    found = of(session, membership)
    return found is not None and found.current(now().date())


def record(
    session: Session,
    membership: Membership,
    user: StaffUser,
    status: str,
    level: str,
    granted_on: date | None,
    expires_on: date | None,
) -> Vetting:
    try:
        chosen = VettingStatus(status)
    except ValueError:
        raise InputError("Choose the status", "status") from None
    if chosen == VettingStatus.GRANTED and granted_on is None:
        raise InputError("Enter the date it was granted", "granted_on")
    if granted_on and expires_on and expires_on <= granted_on:
        raise InputError("The expiry must be after the date it was granted", "expires_on")
    found = of(session, membership)
    if found is None:
        found = Vetting(membership_id=membership.id, status=chosen)
        session.add(found)
    found.status, found.level = chosen, (level or "").strip()[:40]
    found.granted_on, found.expires_on = granted_on, expires_on
    found.recorded_by_id, found.recorded_at, found.reminded_at = user.id, now(), None
    session.flush()
    events.record(
        session,
        staff(user),
        "vetting recorded",
        events.Subject("application", membership.application_id),
        detail={
            "status": str(chosen),
            "level": found.level,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return found


def send_reminders(session: Session) -> int:
    """Email each member whose granted vetting expires within REMIND_DAYS, once per record."""
    soon = now().date() + timedelta(days=REMIND_DAYS)
    sent = 0
    for found, membership, member in session.execute(
        select(Vetting, Membership, Member)
        .join(Membership, Membership.id == Vetting.membership_id)
        .join(Member, Member.id == Membership.member_id)
        .where(
            Vetting.status == VettingStatus.GRANTED,
            Vetting.expires_on.is_not(None),
            Vetting.expires_on <= soon,
            Vetting.expires_on >= now().date(),
            Vetting.reminded_at.is_(None),
            Membership.left_at.is_(None),
        )
    ):
        if not member.email or found.expires_on is None:
            continue
        found.reminded_at = now()
        group = session.get_one(Group, membership.group_id)
        expires = uk_date(found.expires_on, member.language)
        with force_locale(member.language):
            subject = gettext("Your vetting expires on %(date)s", date=expires)
        notify.email(
            session,
            "vetting_expiring",
            to=member.email,
            subject=subject,
            language=member.language,
            purpose="vetting",
            member=member,
            group=group,
            expires=expires,
        )
        sent += 1
    return sent
