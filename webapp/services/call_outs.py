"""Critical-incident call-outs: staff ask the group, or chosen members (by skill, specialism or when they
can answer), for advice: what is asked, how urgent, answer by when. Each member gets an urgent email (and a
text message, where the deployment sends them) and answers on their page: available, not available, or
their advice in writing. Staff see the answers as they come, extend or close the call-out, and record a
summary, which goes into the advice log. Every step is an event; the time from sending to the first and
the median answer is shown with the answers."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now, uk_time
from webapp.languages import group_text
from webapp.models import (
    Advice,
    AdviceSource,
    Availability,
    CallOut,
    CallOutAnswer,
    CallOutRecipient,
    Group,
    Member,
    Membership,
    NewsKind,
    StaffUser,
    Urgency,
)
from webapp.services import InputError, events, members, news, notify, texts, wording
from webapp.services import advice as advice_log
from webapp.services.actors import member_actor, staff

MAX_TEXT = 5000


def candidates(
    session: Session, group: Group, words: str = "", availability: str = ""
) -> list[tuple[Membership, Member]]:
    """The group's current members a call-out can go to, narrowed to those whose skills, specialisms or
    communities mention `words`, and who can answer at `availability` (or at any time)."""
    wanted = (words or "").strip().casefold()
    found = []
    for membership, member in members.of_group(session, group.id):
        known = " ".join(
            [member.skills, member.specialisms, member.communities, member.languages_spoken]
        ).casefold()
        if wanted and wanted not in known:
            continue
        if availability and member.availability not in {availability, Availability.ANY_TIME}:
            continue
        found.append((membership, member))
    return found


@dataclass(frozen=True)
class Ask:
    asked: str
    urgency: str
    answer_by: datetime
    membership_ids: list[int]


def open_call_out(session: Session, group: Group, user: StaffUser, ask: Ask) -> CallOut:
    asked = (ask.asked or "").strip()
    if not asked:
        raise InputError("Say what the members are asked", "asked")
    if len(asked) > MAX_TEXT:
        raise InputError(f"What is asked must be {MAX_TEXT:,} characters or fewer", "asked")
    try:
        urgency = Urgency(ask.urgency)
    except ValueError:
        raise InputError("Choose how urgent it is", "urgency") from None
    if ask.answer_by <= now():
        raise InputError("The time to answer by must be in the future", "answer_by")
    chosen = members.chosen(session, group.id, ask.membership_ids)
    call_out = CallOut(
        group_id=group.id,
        asked=asked,
        urgency=urgency,
        answer_by=ask.answer_by,
        opened_by_id=user.id,
        opened_at=now(),
    )
    session.add(call_out)
    session.flush()
    texted = 0
    for membership, member in chosen:
        recipient = CallOutRecipient(call_out_id=call_out.id, membership_id=membership.id, sent_at=now())
        session.add(recipient)
        _email(session, call_out, group, member)
        if texts.enabled(current_app.config) and member.phone:
            texts.queue(session, member.phone, _text(call_out, group, member))
            recipient.texted = True
            texted += 1
    session.flush()
    events.record(
        session,
        staff(user),
        "call-out opened",
        events.Subject("group", group.id),
        detail={"call_out": call_out.id, "urgency": str(urgency), "asked": len(chosen), "texted": texted},
    )
    return call_out


def _email(session: Session, call_out: CallOut, group: Group, member: Member) -> None:
    when = uk_time(call_out.answer_by, language=member.language)
    with force_locale(member.language):
        subject = gettext(
            "Urgent: the %(group)s is asked for advice by %(when)s",
            group=group_text(group, "name"),
            when=when,
        )
    notify.email(
        session,
        "call_out",
        to=member.email or "",
        subject=subject,
        language=member.language,
        purpose="call-out",
        headers={"Importance": "high", "X-Priority": "1"},
        member=member,
        group=group,
        call_out=call_out,
        when=when,
    )


def _text(call_out: CallOut, group: Group, member: Member) -> str:
    link = wording.link_to("members.call_out", call_out_id=call_out.id, lang=member.language)
    with force_locale(member.language):
        return gettext(
            "Urgent from %(force)s: the %(group)s is asked for advice by %(when)s. Answer here: %(link)s",
            force=current_app.extensions["deployment"].name,
            group=group_text(group, "name"),
            when=uk_time(call_out.answer_by, language=member.language),
            link=link,
        )


def is_open(call_out: CallOut) -> bool:
    return call_out.closed_at is None and call_out.answer_by > now()


def recipient_of(session: Session, call_out: CallOut, membership: Membership) -> CallOutRecipient | None:
    return session.scalar(
        select(CallOutRecipient).where(
            CallOutRecipient.call_out_id == call_out.id, CallOutRecipient.membership_id == membership.id
        )
    )


def answer(
    session: Session, call_out: CallOut, recipient: CallOutRecipient, member: Member, chosen: str, advice: str
) -> CallOutRecipient:
    """The member's answer (they may change it while the call-out is open)."""
    if not is_open(call_out):
        raise InputError(gettext("This call-out has closed"), "answer")
    try:
        given = CallOutAnswer(chosen)
    except ValueError:
        raise InputError(gettext("Select your answer"), "answer") from None
    advice = (advice or "").strip()
    if given == CallOutAnswer.ADVICE and not advice:
        raise InputError(gettext("Write your advice"), "advice")
    if len(advice) > MAX_TEXT:
        raise InputError(
            gettext("Your advice must be %(most)s characters or fewer", most=f"{MAX_TEXT:,}"), "advice"
        )
    first_answer = recipient.answered_at is None
    recipient.answer, recipient.advice, recipient.answered_at = given, advice, now()
    if first_answer:
        group = session.get_one(Group, call_out.group_id)
        with wording.rendering():
            path = url_for("review.call_out", slug=group.slug, call_out_id=call_out.id)
        news.about_group_work(
            session,
            NewsKind.CALL_OUT_ANSWERED,
            f"{member.name} answered the call-out to the {group.name}: {given}",
            call_out.opened_by_id,
            path,
        )
    events.record(
        session,
        member_actor(member),
        "call-out answered",
        events.Subject("group", call_out.group_id),
        detail={"call_out": call_out.id, "answer": str(given)},
    )
    return recipient


def extend(session: Session, call_out: CallOut, user: StaffUser, answer_by: datetime) -> None:
    if call_out.closed_at is not None:
        raise InputError("This call-out is closed", "answer_by")
    if answer_by <= max(now(), call_out.answer_by):
        raise InputError("The new time must be later than the current one", "answer_by")
    call_out.answer_by = answer_by
    events.record(
        session,
        staff(user),
        "call-out extended",
        events.Subject("group", call_out.group_id),
        detail={"call_out": call_out.id, "answer_by": answer_by.isoformat()},
    )


def close(session: Session, call_out: CallOut, user: StaffUser, summary: str) -> Advice | None:
    """Close it; a summary of the advice given goes into the group's advice log."""
    if call_out.closed_at is not None:
        raise InputError("This call-out is already closed", "summary")
    summary = (summary or "").strip()
    if len(summary) > MAX_TEXT:
        raise InputError(f"The summary must be {MAX_TEXT:,} characters or fewer", "summary")
    call_out.closed_at, call_out.closed_by_id, call_out.summary = now(), user.id, summary
    logged = None
    if summary:
        group = session.get_one(Group, call_out.group_id)
        logged = advice_log.record(
            session, group, user, AdviceSource.CALL_OUT, summary, call_out_id=call_out.id
        )
    events.record(
        session,
        staff(user),
        "call-out closed",
        events.Subject("group", call_out.group_id),
        detail={"call_out": call_out.id},
    )
    return logged


@dataclass(frozen=True)
class Answered:
    recipient: CallOutRecipient
    member: Member


def answers(session: Session, call_out: CallOut) -> list[Answered]:
    """Everyone asked, answered first (earliest first), then those who have not answered."""
    found = session.execute(
        select(CallOutRecipient, Member)
        .join(Membership, Membership.id == CallOutRecipient.membership_id)
        .join(Member, Member.id == Membership.member_id)
        .where(CallOutRecipient.call_out_id == call_out.id)
        .order_by(CallOutRecipient.answered_at.is_(None), CallOutRecipient.answered_at, Member.name)
    )
    return [Answered(recipient, member) for recipient, member in found]


@dataclass(frozen=True)
class Timing:
    asked: int
    answered: int
    first: timedelta | None  # from sending to the first answer
    median: timedelta | None  # from sending to the median answer


def timing(session: Session, call_out: CallOut) -> Timing:
    rows = answers(session, call_out)
    waits = [r.recipient.answered_at - r.recipient.sent_at for r in rows if r.recipient.answered_at]
    return Timing(
        len(rows),
        len(waits),
        min(waits) if waits else None,
        timedelta(seconds=statistics.median(w.total_seconds() for w in waits)) if waits else None,
    )


def of_group(session: Session, group: Group) -> list[CallOut]:
    return list(
        session.scalars(
            select(CallOut).where(CallOut.group_id == group.id).order_by(CallOut.opened_at.desc())
        )
    )


def waiting_for(session: Session, member: Member) -> list[tuple[CallOut, CallOutRecipient]]:
    """The open call-outs that asked this member, in their current groups, with their answer so far."""
    found = session.execute(
        select(CallOut, CallOutRecipient)
        .join(CallOutRecipient, CallOutRecipient.call_out_id == CallOut.id)
        .join(Membership, Membership.id == CallOutRecipient.membership_id)
        .where(
            Membership.member_id == member.id,
            Membership.left_at.is_(None),
            CallOut.closed_at.is_(None),
            CallOut.answer_by > now(),
        )
        .order_by(CallOut.answer_by)
    )
    return [(call_out, recipient) for call_out, recipient in found]
