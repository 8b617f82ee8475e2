"""Messages to members: staff email all the members of a group, or those chosen, perhaps with a paper (a
confidential one stamped for each reader, as a download would be). Each copy is an outbox message that
carries the message and the member, with the shared mailbox as Reply-To; the mail poller threads a reply
onto the message (see `thread_reply`). Each copy and reply is on the member's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.files import file_store
from webapp.models import (
    Group,
    InboundEmail,
    Member,
    MemberMessage,
    MemberReply,
    NewsKind,
    OutboxMessage,
    Paper,
    StaffUser,
)
from webapp.services import InputError, events, members, news, outbox, papers, vetting, wording
from webapp.services.actors import staff


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    membership_ids: list[int]
    paper_id: int | None = None


def send(session: Session, group: Group, user: StaffUser, draft: Draft) -> MemberMessage:
    subject = " ".join((draft.subject or "").split())
    if not subject:
        raise InputError("Enter a subject", "subject")
    body = (draft.body or "").strip()
    if not body:
        raise InputError("Write your message", "body")
    chosen = members.chosen(session, group.id, draft.membership_ids)
    paper = session.get(Paper, draft.paper_id) if draft.paper_id else None
    if draft.paper_id and (paper is None or paper.group_id != group.id or paper.withdrawn_at is not None):
        raise InputError("Choose one of this group's papers", "paper_id")
    message = MemberMessage(
        group_id=group.id,
        subject=subject,
        body=body,
        paper_id=paper.id if paper else None,
        sent_by_id=user.id,
        sent_at=now(),
    )
    session.add(message)
    session.flush()
    deployment = current_app.extensions["deployment"]
    store = file_store(current_app)
    for membership, member in chosen:
        attachments, text = [], body
        if paper is not None and paper.confidential and not vetting.cleared(session, membership):
            text += "\n\n(The paper sent with this message is for members whose vetting is current.)"
        elif paper is not None:
            copy = papers.issue_to_member(session, paper, member)
            attachments = [
                {
                    "filename": copy.filename,
                    "content_type": copy.content_type,
                    "storage_name": store.put(copy.data),
                }
            ]
        queued = outbox.queue(
            session,
            to=member.email or "",
            subject=subject,
            body=f"{text}\n\n{user.name}\n{deployment.force_name}\n",
            sender_domain=deployment.mail_domain,
            headers={"Reply-To": deployment.mailbox},
            attachments=attachments,
            purpose="message to members",
        )
        queued.member_message_id, queued.member_id = message.id, member.id
    events.record(
        session,
        staff(user),
        "message to members sent",
        events.Subject("group", group.id),
        detail={"message": message.id, "members": len(chosen), "paper": message.paper_id},
    )
    return message


NOT_THE_MEMBER = "sent from an address that is not the member's"


def thread_reply(session: Session, email: InboundEmail, references: list[str]) -> MemberReply | None:
    """Thread a received email onto the message to members it answers (found by the Message-IDs it
    refers to), if it answers one; None otherwise."""
    if not references:
        return None
    copy = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.message_id.in_(references), OutboxMessage.member_message_id.is_not(None))
        .limit(1)
    )
    if copy is None or copy.member_message_id is None:
        return None
    reply = MemberReply(
        email_id=email.id,
        member_message_id=copy.member_message_id,
        member_id=copy.member_id,
        received_at=now(),
    )
    session.add(reply)
    message = session.get_one(MemberMessage, copy.member_message_id)
    group = session.get_one(Group, message.group_id)
    person = session.get(Member, copy.member_id) if copy.member_id else None
    with wording.rendering():
        path = url_for("review.group_message", slug=group.slug, message_id=message.id)
    who = person.name if person else (email.from_address or "A member")
    summary = f"{who} replied to “{message.subject}” ({group.name})"
    if _someone_else(email, person.email if person else None):
        # Threaded by its Message-ID, but not from the member's address: anyone can quote a Message-ID.
        email.flags = "; ".join(filter(None, [email.flags, NOT_THE_MEMBER]))
        summary += f", from another address ({email.from_address or 'unknown sender'})"
    news.about_group_work(session, NewsKind.MEMBER_REPLIED, summary, message.sent_by_id, path)
    return reply


def of_group(session: Session, group: Group) -> list[MemberMessage]:
    return list(
        session.scalars(
            select(MemberMessage)
            .where(MemberMessage.group_id == group.id)
            .order_by(MemberMessage.sent_at.desc())
        )
    )


@dataclass(frozen=True)
class Reply:
    email: InboundEmail
    name: str
    someone_else: bool = False  # sent from an address that is not the member's own (threaded all the same)


def replies(session: Session, message: MemberMessage) -> list[Reply]:
    found = session.execute(
        select(InboundEmail, Member.name, Member.email)
        .join(MemberReply, MemberReply.email_id == InboundEmail.id)
        .outerjoin(Member, Member.id == MemberReply.member_id)
        .where(MemberReply.member_message_id == message.id)
        .order_by(InboundEmail.received_at)
    )
    return [
        Reply(email, name or email.from_address or "", _someone_else(email, address))
        for email, name, address in found
    ]


def _someone_else(email: InboundEmail, member_address: str | None) -> bool:
    sender = (email.from_address or "").lower()
    return not sender or sender != (member_address or "").lower()


def recipients(session: Session, message: MemberMessage) -> list[str]:
    return list(
        session.scalars(
            select(Member.name)
            .join(OutboxMessage, OutboxMessage.member_id == Member.id)
            .where(OutboxMessage.member_message_id == message.id)
            .order_by(Member.name)
        )
    )


@dataclass(frozen=True)
class Moment:
    at: datetime
    what: str


def timeline(session: Session, member: Member) -> list[Moment]:
    """What the group's staff sent this member, and what the member sent back, newest first."""
    sent = session.execute(
        select(MemberMessage.subject, OutboxMessage.created_at)
        .join(OutboxMessage, OutboxMessage.member_message_id == MemberMessage.id)
        .where(OutboxMessage.member_id == member.id)
    )
    replied = session.execute(
        select(InboundEmail.subject, InboundEmail.received_at)
        .join(MemberReply, MemberReply.email_id == InboundEmail.id)
        .where(MemberReply.member_id == member.id)
    )
    moments = [Moment(at, f"Message sent: {subject}") for subject, at in sent]
    moments += [Moment(at, f"Reply received: {subject}") for subject, at in replied]
    return sorted(moments, key=lambda m: m.at, reverse=True)
