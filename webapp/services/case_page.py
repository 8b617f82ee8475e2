"""Everything the application page shows, in one call: the case file, where the review stands, and the
steps this user may take now (from the workflow, guards included, so the page never re-derives a rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from webapp import workflow
from webapp.models import (
    Appeal,
    Application,
    Attachment,
    Decision,
    Discussion,
    Group,
    InboundEmail,
    Note,
    OutboxMessage,
    SigningRequest,
    StaffUser,
)
from webapp.services import (
    access,
    appeals,
    bounces,
    casefile,
    decisions,
    discussions,
    groups,
    joining,
    letters,
    replies,
)
from webapp.services.actors import staff
from webapp.workflow import Action, Context, State


@dataclass
class CasePage:
    application: Application
    emails: list[InboundEmail]
    attachments: list[Attachment]
    notes: list[tuple[Note, StaffUser]]
    timeline: list[casefile.Moment]
    duplicates: list[Application]
    actions: list[Action]
    discussion: Discussion | None
    pending: Decision | None
    letter_preview: letters.Preview | None  # what the pending decision would send
    decision: Decision | None
    set_aside: decisions.SetAside | None  # the last proposal the other decider did not agree with
    appeal: Appeal | None
    signing: SigningRequest | None
    staff_names: dict[int, str]
    user_serves: bool
    may_resend_agreement: bool
    may_assign_to_self: bool
    open_groups: list[Group]  # to give an application of no known group its group
    replies: list[OutboxMessage]  # what staff wrote to the applicant from the case
    undelivered: list[OutboxMessage]  # emails to the applicant that came back undelivered

    def as_context(self) -> dict[str, Any]:
        return dict(vars(self))


def steps(
    application: Application,
    user: StaffUser,
    pending: Decision | None,
    discussion: Discussion | None = None,
    appeal: Appeal | None = None,
) -> list[Action]:
    """The workflow steps `user` may take on `application` now, guards included. The proposer is the
    pending decision's or, on an appeal, the panel's proposal's."""
    proposal = appeal if application.state == State.APPEAL_LODGED and appeal else pending
    ctx = Context(
        actor_id=user.id,
        proposer_id=proposal.proposed_by_id if proposal else None,
        proposer_role=proposal.proposed_role if proposal else None,
        discussion_begun=discussions.begun(discussion),
    )
    return workflow.available_actions(application.state, staff(user).roles_for(application.group_id), ctx)


def page(session: Session, user: StaffUser, application: Application) -> CasePage:
    names = casefile.staff_names(session)
    # A proposal left when the application was withdrawn waits for nobody.
    pending = (
        decisions.pending_decision(session, application)
        if application.state == State.DECISION_PROPOSED
        else None
    )
    serves = access.serves(user, application.group_id)
    discussion = discussions.current(session, application)
    appeal = appeals.current_appeal(session, application)
    return CasePage(
        application=application,
        emails=casefile.emails(session, application),
        attachments=casefile.attachments(session, application),
        notes=casefile.notes(session, application),
        timeline=casefile.timeline(session, application, names),
        duplicates=casefile.possible_duplicates(session, application, user),
        actions=steps(application, user, pending, discussion, appeal),
        discussion=discussion,
        pending=pending,
        letter_preview=decisions.preview_letter(session, application) if pending else None,
        decision=decisions.latest_decision(session, application),
        set_aside=decisions.set_aside(session, application),
        appeal=appeal,
        signing=joining.open_request(session, application),
        staff_names=names,
        user_serves=serves,
        may_resend_agreement=serves and application.state == State.AGREEMENT_SENT,
        may_assign_to_self=serves and application.assigned_to_id != user.id,
        open_groups=groups.open_to_applicants(session) if application.group_id is None else [],
        replies=replies.sent(session, application),
        undelivered=bounces.undelivered(session, application),
    )
