"""The steps of a review, as staff and applicants take them: discussion invitations, decisions with two
sign-offs, referrals with consent, appeals and withdrawals.

Each step checks its input, moves the application through `transitions.apply` (the workflow decides who may
do what), writes its own record, and queues the email to the applicant, all in the caller's transaction: if
any part fails, none of it happened. Emails are in the words of services/wording.py (the standard ones, or
a force's own set on the admin screen); decision and appeal letters are the same text rendered as a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import workflow
from webapp.clock import now, uk_time
from webapp.files import file_store
from webapp.models import (
    Appeal,
    AppealOutcome,
    Application,
    Attachment,
    Decision,
    DecisionStatus,
    Discussion,
    DiscussionStatus,
    Group,
    Referral,
    StaffUser,
)
from webapp.services import InputError, applications, events, links, notify, transitions, wording
from webapp.services.actors import APPLICANT, SYSTEM, Actor, staff
from webapp.services.drafts import STATUS_LINK_DAYS
from webapp.services.meetings import TimeAndPlace
from webapp.workflow import Action, Context, Outcome, Role, State

MAX_TEXT = 5000


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InputError(missing, field)
    if len(value) > MAX_TEXT:
        raise InputError(f"Must be {MAX_TEXT:,} characters or fewer", field)
    return value


# Discussions ---------------------------------------------------------------------------------------------


def current_discussion(session: Session, application: Application) -> Discussion | None:
    return session.scalar(
        select(Discussion)
        .where(Discussion.application_id == application.id)
        .order_by(Discussion.created_at.desc(), Discussion.id.desc())
        .limit(1)
    )


def calendar_invite(application: Application, discussion: Discussion, sequence: int) -> bytes:
    """An iCalendar REQUEST: one UID per application, so a rescheduled time updates the same entry."""
    from icalendar import Calendar, Event, vCalAddress, vText

    deployment = current_app.extensions["deployment"]
    calendar = Calendar()
    calendar.add("prodid", "-//IAG Membership//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"discussion-{application.reference}@{deployment.mail_domain}")
    event.add("sequence", sequence)
    event.add("dtstamp", now())
    event.add("dtstart", discussion.starts_at)
    event.add("dtend", discussion.starts_at + timedelta(minutes=discussion.duration_minutes))
    group = application.group.name if application.group else "IAG"
    event.add("summary", f"Informal discussion: {group}")
    event.add("location", discussion.place or discussion.online_link)
    description = f"Your application {application.reference}."
    if discussion.online_link:
        description += f" Join online: {discussion.online_link}"
    event.add("description", description)
    organizer = vCalAddress(f"mailto:{deployment.mailbox}")
    organizer.params["cn"] = vText(deployment.force_name)
    event["organizer"] = organizer
    if application.applicant and application.applicant.email:
        attendee = vCalAddress(f"mailto:{application.applicant.email}")
        attendee.params["cn"] = vText(application.applicant.name)
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


LONGEST_DISCUSSION_HOURS = 4


def invite_to_discussion(
    session: Session, application: Application, user: StaffUser, when: TimeAndPlace
) -> Discussion:
    """Invite (or, when already invited, re-invite at a new time). The email carries an .ics invitation."""
    when = when.checked("discussion", LONGEST_DISCUSSION_HOURS)
    earlier = current_discussion(session, application)
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
    session.add(discussion)
    session.flush()
    sequence = session.query(Discussion).filter_by(application_id=application.id).count() - 1
    invite = file_store(current_app).put(calendar_invite(application, discussion, sequence))
    _email_applicant(
        session,
        application,
        "discussion_invite",
        f"{'New time for your' if rescheduling else 'Invitation to an'} informal discussion: "
        f"{application.reference}",
        attachments=[{"filename": "invitation.ics", "content_type": "text/calendar", "storage_name": invite}],
        discussion=discussion,
        when=uk_time(discussion.starts_at),
        rescheduling=rescheduling,
    )
    return discussion


def record_discussion_held(session: Session, application: Application, user: StaffUser) -> None:
    transitions.apply(session, application, Action.RECORD_DISCUSSION_HELD, staff(user))
    discussion = current_discussion(session, application)
    if discussion is not None:
        discussion.status = DiscussionStatus.HELD


# Decisions -----------------------------------------------------------------------------------------------


def _newest_decision(session: Session, application: Application, status: DecisionStatus) -> Decision | None:
    return session.scalar(
        select(Decision)
        .where(Decision.application_id == application.id, Decision.status == status)
        .order_by(Decision.id.desc())
        .limit(1)
    )


def pending_decision(session: Session, application: Application) -> Decision | None:
    """The proposal waiting for the group's second decider, if any."""
    return _newest_decision(session, application, DecisionStatus.PROPOSED)


def latest_decision(session: Session, application: Application) -> Decision | None:
    """The decision that took effect last."""
    return _newest_decision(session, application, DecisionStatus.CONFIRMED)


def referral_groups(session: Session, application: Application) -> list[Group]:
    """Groups an applicant may be referred to: open to applicants, and not the one they applied to."""
    return list(
        session.scalars(
            select(Group)
            .where(Group.open_to_applicants.is_(True), Group.id != application.group_id)
            .order_by(Group.position)
        )
    )


def _decider_role(roles: frozenset[Role], other_than: Role | None = None) -> Role:
    for role in (Role.CHAIR, Role.POLICE_COORDINATOR):
        if role in roles and role != other_than:
            return role
    return Role.CHAIR  # not a decider: transitions.apply refuses before this matters


def propose_decision(
    session: Session,
    application: Application,
    user: StaffUser,
    *,
    outcome: Outcome | None,
    reason: str,
    referred_group_id: int | None = None,
) -> Decision:
    """The first sign-off. The decision takes effect only when the group's other decider confirms it."""
    if outcome is None:
        raise InputError("Choose an outcome", "outcome")
    reason = _text(reason, "reason", "Enter the reason for the decision")
    referred = None
    if outcome == Outcome.REFER:
        allowed = {g.id: g for g in referral_groups(session, application)}
        referred = allowed.get(referred_group_id or -1)
        if referred is None:
            raise InputError("Choose the group to refer the applicant to", "referred_group")
    actor = staff(user)
    transitions.apply(
        session,
        application,
        Action.PROPOSE_DECISION,
        actor,
        Context(actor_id=user.id, outcome=outcome),
        detail={"outcome": str(outcome), "referred_group": referred.slug if referred else None},
    )
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        reason=reason,
        referred_group_id=referred.id if referred else None,
        status=DecisionStatus.PROPOSED,
        proposed_by_id=user.id,
        proposed_role=_decider_role(actor.roles_for(application.group_id)),
        proposed_at=now(),
    )
    session.add(decision)
    session.flush()
    return decision


def confirm_decision(session: Session, application: Application, user: StaffUser) -> Decision:
    """The second sign-off, by the group's other decider: the decision takes effect and is sent."""
    decision = pending_decision(session, application)
    if decision is None:
        raise workflow.NotAllowed("There is no proposed decision to confirm.")
    actor = staff(user)
    transitions.apply(
        session,
        application,
        Action.CONFIRM_DECISION,
        actor,
        Context(
            actor_id=user.id,
            outcome=Outcome(decision.outcome),
            proposer_id=decision.proposed_by_id,
            proposer_role=Role(decision.proposed_role),
        ),
        detail={"outcome": str(decision.outcome), "decision_id": decision.id},
    )
    decision.status = DecisionStatus.CONFIRMED
    decision.confirmed_by_id = user.id
    roles = actor.roles_for(application.group_id)
    decision.confirmed_role = _decider_role(roles, Role(decision.proposed_role))
    decision.confirmed_at = now()
    referred = session.get(Group, decision.referred_group_id) if decision.referred_group_id else None
    if referred is not None:
        session.add(Referral(from_application_id=application.id, to_group_id=referred.id, created_at=now()))
    _send_letter(
        session,
        application,
        f"decision_{decision.outcome}",
        f"Decision on your application {application.reference}",
        decision=decision,
        referred=referred,
        appeal_by=uk_time(appeal_deadline(decision)) if decision.outcome == Outcome.UNSUCCESSFUL else "",
    )
    return decision


def reject_proposal(session: Session, application: Application, user: StaffUser, reason: str) -> None:
    """The other decider does not agree: the proposal is set aside and the review goes on."""
    decision = pending_decision(session, application)
    if decision is None:
        raise workflow.NotAllowed("There is no proposed decision.")
    reason = _text(reason, "reject_reason", "Say why you do not agree, for the person who proposed it")
    transitions.apply(
        session,
        application,
        Action.REJECT_PROPOSAL,
        staff(user),
        detail={"decision_id": decision.id, "reason": reason},
    )
    decision.status = DecisionStatus.REJECTED


# Referral ------------------------------------------------------------------------------------------------


def open_referral(session: Session, application: Application) -> Referral | None:
    return session.scalar(
        select(Referral).where(
            Referral.from_application_id == application.id,
            Referral.consent_given_at.is_(None),
            Referral.consent_refused_at.is_(None),
        )
    )


def answer_referral(session: Session, application: Application, consent: bool) -> Application | None:
    """The applicant's answer. With consent, their details are passed on: a linked application appears in
    the other group's queue (the first one stays closed as referred). Without, nothing is passed on."""
    referral = open_referral(session, application)
    if referral is None:
        raise workflow.NotAllowed("There is no referral waiting for your answer.")
    if not consent:
        referral.consent_refused_at = now()
        events.record(
            session,
            actor=APPLICANT.label,
            action="referral declined",
            subject_type="application",
            subject_id=application.id,
            detail={"referral_id": referral.id},
        )
        return None
    group = session.get(Group, referral.to_group_id)
    person = application.applicant
    linked, _ = applications.receive(
        session,
        applications.Arrival(
            source=application.source,
            name=person.name if person else "",
            email=person.email if person else None,
            phone=person.phone if person else None,
            answers=dict(application.answers),
            group=group,
            idempotency_key=f"referral:{referral.id}",
        ),
        SYSTEM,
    )
    linked.referred_from_id = application.id
    referral.consent_given_at = now()
    referral.to_application_id = linked.id
    events.record(
        session,
        actor=APPLICANT.label,
        action="referral accepted",
        subject_type="application",
        subject_id=application.id,
        detail={"referral_id": referral.id, "new_application": linked.reference, "group": group.slug},
    )
    token = links.issue_status_link(session, linked, STATUS_LINK_DAYS)
    _email_applicant(
        session,
        linked,
        "referral_passed_on",
        f"Your details have been passed to the {group.name}: {linked.reference}",
        first=application,
        token=token,
    )
    return linked


# Appeals -------------------------------------------------------------------------------------------------


def appeal_deadline(decision: Decision) -> datetime:
    return (decision.confirmed_at or now()) + timedelta(days=current_app.config["APPEAL_DAYS"])


def appeal_window_open(session: Session, application: Application) -> bool:
    decision = latest_decision(session, application)
    return decision is not None and now() <= appeal_deadline(decision)


def lodge_appeal(session: Session, application: Application, reasons: str) -> Appeal:
    reasons = _text(reasons, "reasons", "Tell us why you think the decision should change")
    transitions.apply(
        session,
        application,
        Action.LODGE_APPEAL,
        APPLICANT,
        Context(appeal_window_open=appeal_window_open(session, application)),
    )
    appeal = Appeal(application_id=application.id, reasons=reasons, lodged_at=now())
    session.add(appeal)
    session.flush()
    _email_applicant(
        session, application, "appeal_received", f"We have received your appeal: {application.reference}"
    )
    return appeal


def current_appeal(session: Session, application: Application) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.id.desc()).limit(1)
    )


def decide_appeal(
    session: Session, application: Application, user: StaffUser, *, upheld: bool | None, reason: str
) -> Appeal:
    """The appeals panel upholds (back to an offer) or dismisses the appeal, with a letter."""
    if upheld is None:
        raise InputError("Choose whether to uphold or dismiss the appeal", "outcome")
    reason = _text(reason, "reason", "Enter the reason, for the letter to the applicant")
    appeal = current_appeal(session, application)
    action = Action.UPHOLD_APPEAL if upheld else Action.DISMISS_APPEAL
    transitions.apply(session, application, action, staff(user), detail={"reason": reason})
    assert appeal is not None  # the workflow allows these actions only with an appeal lodged
    appeal.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.DISMISSED
    appeal.decided_by_id = user.id
    appeal.decided_at = now()
    appeal.letter = reason
    _send_letter(
        session,
        application,
        f"appeal_{appeal.outcome}",
        f"Your appeal: {application.reference}",
        appeal=appeal,
    )
    return appeal


# Withdrawal ----------------------------------------------------------------------------------------------


def withdraw(session: Session, application: Application, actor: Actor, how: str) -> None:
    """Withdraw, by the applicant from their page or by staff recording the applicant's request."""
    transitions.apply(session, application, Action.WITHDRAW, actor, detail={"by": how})
    _email_applicant(session, application, "withdrawn", f"Application withdrawn: {application.reference}")


# Emails and letters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    filename: str
    pdf: bytes


def _email_applicant(
    session: Session,
    application: Application,
    template: str,
    subject: str,
    *,
    attachments: list[dict] | None = None,
    **context,
) -> None:
    person = application.applicant
    if person is None or not person.email:
        events.record(
            session,
            actor=SYSTEM.label,
            action="email not sent",
            subject_type="application",
            subject_id=application.id,
            detail={"template": template, "why": "no email address known"},
        )
        return
    context.setdefault("token", links.issue_status_link(session, application, STATUS_LINK_DAYS))
    notify.email(
        session,
        template,
        to=person.email,
        subject=subject,
        application_id=application.id,
        automatic=False,
        attachments=attachments,
        application=application,
        group=application.group,
        **context,
    )


def letter_pdf(application: Application, template: str, body: str) -> Letter:
    """A letter as PDF: an email's text under the force's letterhead."""
    from webapp.pdf import render_pdf

    deployment = current_app.extensions["deployment"]
    html = render_template(
        "pdf/letter.html", deployment=deployment, application=application, body=body, dated=now()
    )
    return Letter(f"{template.replace('_', '-')}-{application.reference}.pdf", render_pdf(html))


def _send_letter(session: Session, application: Application, template: str, subject: str, **context) -> None:
    token = links.issue_status_link(session, application, STATUS_LINK_DAYS)
    body = wording.render(
        session, template, application=application, group=application.group, token=token, **context
    )
    letter = letter_pdf(application, template, body)
    digest = file_store(current_app).put(letter.pdf)
    session.add(
        Attachment(
            application_id=application.id,
            filename=letter.filename,
            storage_name=digest,
            content_type="application/pdf",
            size=len(letter.pdf),
            sha256=digest,
            flags="letter sent to the applicant",
            created_at=now(),
        )
    )
    _email_applicant(
        session,
        application,
        template,
        subject,
        attachments=[
            {"filename": letter.filename, "content_type": "application/pdf", "storage_name": digest}
        ],
        token=token,
        **context,
    )
