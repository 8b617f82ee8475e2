"""Informal discussions: inviting an applicant (with a calendar invitation), moving the time, and
recording that it was held. Each step goes through the workflow and emails the applicant."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import calendars
from webapp.clock import now, uk_time
from webapp.files import file_store
from webapp.languages import group_text
from webapp.models import Application, Discussion, DiscussionStatus, StaffUser
from webapp.services import events, letters, transitions
from webapp.services.actors import MAIL, staff
from webapp.services.meetings import TimeAndPlace
from webapp.workflow import Action, Context, State

LONGEST_DISCUSSION_HOURS = 4


def current(session: Session, application: Application) -> Discussion | None:
    return session.scalar(
        select(Discussion)
        .where(Discussion.application_id == application.id)
        .order_by(Discussion.created_at.desc(), Discussion.id.desc())
        .limit(1)
    )


def calendar_invite(application: Application, discussion: Discussion, sequence: int) -> bytes:
    """An iCalendar REQUEST: one UID per application, so a rescheduled time updates the same entry. Its
    words are in the applicant's language."""
    deployment = current_app.extensions["deployment"]
    person = application.applicant
    with force_locale(application.language):
        description = gettext("Your application %(reference)s.", reference=application.reference)
        if discussion.online_link:
            description += " " + gettext("Join online: %(link)s", link=discussion.online_link)
        group = group_text(application.group, "name") if application.group else "IAG"
        summary = gettext("Informal discussion: %(group)s", group=group)
    entry = calendars.Entry(
        uid=f"discussion-{application.reference}@{deployment.mail_domain}",
        sequence=sequence,
        starts_at=discussion.starts_at,
        ends_at=discussion.starts_at + timedelta(minutes=discussion.duration_minutes),
        summary=summary,
        location=discussion.place or discussion.online_link,
        description=description,
        organizer=calendars.Person(deployment.mailbox, deployment.force_name),
        attendee=calendars.Person(person.email, person.name) if person and person.email else None,
    )
    return calendars.build([entry], method="REQUEST")


def invite(session: Session, application: Application, user: StaffUser, when: TimeAndPlace) -> Discussion:
    """Invite (or, when already invited, re-invite at a new time). The email carries an .ics invitation."""
    when = when.checked("discussion", LONGEST_DISCUSSION_HOURS)
    earlier = current(session, application)
    rescheduling = application.state == State.DISCUSSION_INVITED
    action = Action.RESCHEDULE_DISCUSSION if rescheduling else Action.INVITE_TO_DISCUSSION
    discussion = Discussion(
        application_id=application.id,
        starts_at=when.starts_at,
        duration_minutes=when.minutes,
        place=when.place,
        online_link=when.online_link,
        status=DiscussionStatus.INVITED,
        created_by_id=user.id,
        created_at=now(),
    )
    transitions.apply(
        session,
        application,
        action,
        staff(user),
        detail={
            "starts_at": when.starts_at.isoformat(),
            "place": when.place,
            "online_link": when.online_link,
        },
    )
    if rescheduling and earlier is not None:
        earlier.status = DiscussionStatus.RESCHEDULED
    # Each new time is one more version of the same calendar entry: the invitations sent before it.
    sequence = session.scalar(
        select(func.count()).select_from(Discussion).where(Discussion.application_id == application.id)
    )
    session.add(discussion)
    session.flush()
    invitation = file_store(current_app).put(calendar_invite(application, discussion, sequence or 0))
    letters.email_applicant(
        session,
        application,
        "discussion_invite",
        lazy_gettext("New time for your informal discussion: %(reference)s", reference=application.reference)
        if rescheduling
        else lazy_gettext(
            "Invitation to an informal discussion: %(reference)s", reference=application.reference
        ),
        attachments=[
            {"filename": "invitation.ics", "content_type": "text/calendar", "storage_name": invitation}
        ],
        discussion=discussion,
        when=uk_time(discussion.starts_at, language=application.language),
        rescheduling=rescheduling,
    )
    return discussion


def record_held(session: Session, application: Application, user: StaffUser) -> None:
    _record(session, application, user, Action.RECORD_DISCUSSION_HELD, DiscussionStatus.HELD)


def record_not_attended(session: Session, application: Application, user: StaffUser) -> None:
    """The applicant did not come: the review goes on (invite them again, or decide)."""
    _record(session, application, user, Action.RECORD_DID_NOT_ATTEND, DiscussionStatus.NOT_ATTENDED)


def begun(discussion: Discussion | None) -> bool:
    """Whether the discussion's booked time has come (with none booked, nothing to wait for)."""
    return discussion is None or discussion.starts_at <= now()


def _record(
    session: Session, application: Application, user: StaffUser, action: Action, status: DiscussionStatus
) -> None:
    discussion = current(session, application)
    ctx = Context(actor_id=user.id, discussion_begun=begun(discussion))
    transitions.apply(session, application, action, staff(user), ctx)
    if discussion is not None:
        discussion.status = status


def record_response(session: Session, application_id: int, answer: str, email_id: int) -> Discussion | None:
    """The applicant's calendar answered the invitation: accepted, declined or tentative, on the current
    discussion and on the timeline. None when there is no discussion to answer (it is then just a reply)."""
    application = session.get_one(Application, application_id)
    discussion = current(session, application)
    if discussion is None:
        return None
    discussion.response, discussion.responded_at = answer, now()
    events.record(
        session,
        MAIL,
        f"calendar reply: {answer}",
        application,
        detail={"email_id": email_id, "discussion_id": discussion.id},
    )
    return discussion
