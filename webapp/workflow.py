"""The application workflow: every state, every action, who may take it and what must already hold.

Pure Python, no Flask and no database: `check()` answers "may this actor do this now?" with the new state,
or raises `NotAllowed` with a reason a person can read. `webapp.services.transitions.apply()` is the only
code that then changes an application's state, and it writes the event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in review"
    DISCUSSION_INVITED = "discussion invited"
    DISCUSSION_HELD = "discussion held"
    DECISION_PROPOSED = "decision proposed"
    OFFERED = "offered"
    REFERRED = "referred"
    UNSUCCESSFUL = "unsuccessful"
    APPEAL_LODGED = "appeal lodged"
    APPEAL_UPHELD = "appeal upheld"
    APPEAL_DISMISSED = "appeal dismissed"
    AGREEMENT_SENT = "agreement sent"
    AGREEMENT_SIGNED = "agreement signed"
    MEMBER = "member"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    """Who acts. Staff roles are held per group, except the ones marked global in GLOBAL_ROLES."""

    APPLICANT = "applicant"
    SYSTEM = "system"
    POLICE_COORDINATOR = "police coordinator"
    CHAIR = "chair"
    ADMIN_TEAM = "admin team"
    # Appeals are decided by two people, as first decisions are: one proposes, the other agrees.
    STRATEGIC_IAG_CHAIR = "strategic iag chair"
    ASSISTANT_CHIEF_CONSTABLE = "assistant chief constable"
    # Before appeals took two people: sees appeals, decides none. Not granted any more; an admin gives
    # the person one of the two roles above.
    APPEALS_PANEL = "appeals panel"
    EQUALITY_REPORTER = "equality reporter"
    SYSTEM_ADMIN = "system admin"


STAFF_ROLES = (
    Role.POLICE_COORDINATOR,
    Role.CHAIR,
    Role.ADMIN_TEAM,
    Role.STRATEGIC_IAG_CHAIR,
    Role.ASSISTANT_CHIEF_CONSTABLE,
    Role.EQUALITY_REPORTER,
    Role.SYSTEM_ADMIN,
)
GROUP_ROLES = frozenset({Role.POLICE_COORDINATOR, Role.CHAIR, Role.ADMIN_TEAM})
DECIDERS = frozenset({Role.POLICE_COORDINATOR, Role.CHAIR})
APPEAL_DECIDERS = frozenset({Role.STRATEGIC_IAG_CHAIR, Role.ASSISTANT_CHIEF_CONSTABLE})
APPEALS_PANEL = APPEAL_DECIDERS | {Role.APPEALS_PANEL}  # everyone who works on appeals
GLOBAL_ROLES = APPEALS_PANEL | {Role.EQUALITY_REPORTER, Role.SYSTEM_ADMIN}


class Action(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start review"
    INVITE_TO_DISCUSSION = "invite to discussion"
    RESCHEDULE_DISCUSSION = "reschedule discussion"
    RECORD_DISCUSSION_HELD = "record discussion held"
    RECORD_DID_NOT_ATTEND = "record did not attend"
    PROPOSE_DECISION = "propose decision"
    CONFIRM_DECISION = "confirm decision"
    REJECT_PROPOSAL = "reject proposal"
    PROPOSE_APPEAL_OUTCOME = "propose appeal outcome"
    REJECT_APPEAL_PROPOSAL = "reject appeal proposal"
    LODGE_APPEAL = "lodge appeal"
    UPHOLD_APPEAL = "uphold appeal"
    DISMISS_APPEAL = "dismiss appeal"
    SEND_AGREEMENT = "send agreement"
    SIGN_AGREEMENT = "sign agreement"
    ADMIT_MEMBER = "admit member"
    WITHDRAW = "withdraw"


class Outcome(StrEnum):
    OFFER = "offer"
    REFER = "refer"
    UNSUCCESSFUL = "unsuccessful"


OUTCOME_STATE = {
    Outcome.OFFER: State.OFFERED,
    Outcome.REFER: State.REFERRED,
    Outcome.UNSUCCESSFUL: State.UNSUCCESSFUL,
}

# States an application cannot leave (an appeal is its own path out of "unsuccessful").
FINAL_STATES = frozenset({State.REFERRED, State.APPEAL_DISMISSED, State.MEMBER, State.WITHDRAWN})
# An applicant may withdraw at any time before joining; once signed, only leaving the group remains.
WITHDRAWABLE = frozenset(
    {
        State.DRAFT,
        State.SUBMITTED,
        State.IN_REVIEW,
        State.DISCUSSION_INVITED,
        State.DISCUSSION_HELD,
        State.DECISION_PROPOSED,
        State.OFFERED,
        State.APPEAL_LODGED,
        State.APPEAL_UPHELD,
        State.AGREEMENT_SENT,
    }
)


class NotAllowed(Exception):
    """An action refused, with a reason fit to show the person who tried it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Context:
    """What the guards need to know beyond the state and the actor's roles."""

    actor_id: int | None = None
    outcome: Outcome | None = None
    # For confirming or rejecting a proposed decision: who proposed it, and in which role.
    proposer_id: int | None = None
    proposer_role: Role | None = None
    appeal_window_open: bool = True
    # For recording how a discussion went: whether its booked time has come.
    discussion_begun: bool = True


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    roles: frozenset[Role]
    target: State | None  # None: the target depends on the context (a decision's outcome)
    guards: tuple[Guard, ...] = field(default=())
    # The outcome comes with the step itself (chosen on its form), so it is checked on use, never when
    # listing the steps a person may take.
    needs_outcome: bool = False


Guard = Callable[[Context, frozenset[Role]], str | None]


def _second_sign_off(deciders: frozenset[Role], whose: str) -> Guard:
    """The rule for every decision that takes two people: one of `deciders` proposes, and the holder of
    the other role (never the proposer, whatever roles they hold) agrees."""

    def guard(ctx: Context, roles: frozenset[Role]) -> str | None:
        if ctx.proposer_id is None or ctx.proposer_role is None:
            return "There is no proposed decision to confirm."
        if ctx.actor_id == ctx.proposer_id:
            return f"You proposed this decision. The other decider {whose} must confirm it."
        if not (roles & deciders) - {ctx.proposer_role}:
            other = next(iter(deciders - {ctx.proposer_role}))
            return f"The {ctx.proposer_role} proposed this decision, so the {other} must confirm it."
        return None

    return guard


_second_decider = _second_sign_off(DECIDERS, "for the group")
_second_appeal_decider = _second_sign_off(APPEAL_DECIDERS, "on the appeal")


def _nothing_proposed(ctx: Context, roles: frozenset[Role]) -> str | None:
    if ctx.proposer_id is not None:
        return "A proposal is waiting for the other decider: agree with it, or set it aside first."
    return None


def _discussion_begun(ctx: Context, roles: frozenset[Role]) -> str | None:
    if not ctx.discussion_begun:
        return "The discussion has not happened yet. Record how it went once its booked time has come."
    return None


def _appeal_in_time(ctx: Context, roles: frozenset[Role]) -> str | None:
    if not ctx.appeal_window_open:
        return "The time to appeal this decision has passed."
    return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.SUBMIT, frozenset({State.DRAFT}), frozenset({Role.APPLICANT, Role.SYSTEM}), State.SUBMITTED
    ),
    Transition(Action.START_REVIEW, frozenset({State.SUBMITTED}), GROUP_ROLES, State.IN_REVIEW),
    Transition(
        Action.INVITE_TO_DISCUSSION, frozenset({State.IN_REVIEW}), GROUP_ROLES, State.DISCUSSION_INVITED
    ),
    Transition(
        Action.RESCHEDULE_DISCUSSION,
        frozenset({State.DISCUSSION_INVITED}),
        GROUP_ROLES,
        State.DISCUSSION_INVITED,
    ),
    Transition(
        Action.RECORD_DISCUSSION_HELD,
        frozenset({State.DISCUSSION_INVITED}),
        GROUP_ROLES,
        State.DISCUSSION_HELD,
        (_discussion_begun,),
    ),
    # The applicant did not come: back to the review, to invite them again or decide without it.
    Transition(
        Action.RECORD_DID_NOT_ATTEND,
        frozenset({State.DISCUSSION_INVITED}),
        GROUP_ROLES,
        State.IN_REVIEW,
        (_discussion_begun,),
    ),
    Transition(
        Action.PROPOSE_DECISION,
        frozenset({State.IN_REVIEW, State.DISCUSSION_HELD}),
        DECIDERS,
        State.DECISION_PROPOSED,
        needs_outcome=True,
    ),
    Transition(
        Action.CONFIRM_DECISION,
        frozenset({State.DECISION_PROPOSED}),
        DECIDERS,
        None,
        (_second_decider,),
        needs_outcome=True,
    ),
    Transition(Action.REJECT_PROPOSAL, frozenset({State.DECISION_PROPOSED}), DECIDERS, State.IN_REVIEW),
    Transition(
        Action.LODGE_APPEAL,
        frozenset({State.UNSUCCESSFUL}),
        frozenset({Role.APPLICANT}),
        State.APPEAL_LODGED,
        (_appeal_in_time,),
    ),
    # An appeal: the Strategic IAG Chair or the Assistant Chief Constable proposes upholding or dismissing
    # it (the appeal stays lodged), and the other agrees (upheld or dismissed) or sets it aside.
    Transition(
        Action.PROPOSE_APPEAL_OUTCOME,
        frozenset({State.APPEAL_LODGED}),
        APPEAL_DECIDERS,
        State.APPEAL_LODGED,
        (_nothing_proposed,),
    ),
    Transition(
        Action.REJECT_APPEAL_PROPOSAL,
        frozenset({State.APPEAL_LODGED}),
        APPEAL_DECIDERS,
        State.APPEAL_LODGED,
        (_second_appeal_decider,),
    ),
    Transition(
        Action.UPHOLD_APPEAL,
        frozenset({State.APPEAL_LODGED}),
        APPEAL_DECIDERS,
        State.APPEAL_UPHELD,
        (_second_appeal_decider,),
    ),
    Transition(
        Action.DISMISS_APPEAL,
        frozenset({State.APPEAL_LODGED}),
        APPEAL_DECIDERS,
        State.APPEAL_DISMISSED,
        (_second_appeal_decider,),
    ),
    Transition(
        Action.SEND_AGREEMENT,
        frozenset({State.OFFERED, State.APPEAL_UPHELD}),
        frozenset({Role.ADMIN_TEAM, Role.POLICE_COORDINATOR}),
        State.AGREEMENT_SENT,
    ),
    Transition(
        Action.SIGN_AGREEMENT,
        frozenset({State.AGREEMENT_SENT}),
        frozenset({Role.APPLICANT}),
        State.AGREEMENT_SIGNED,
    ),
    Transition(
        Action.ADMIT_MEMBER, frozenset({State.AGREEMENT_SIGNED}), frozenset({Role.SYSTEM}), State.MEMBER
    ),
    Transition(Action.WITHDRAW, WITHDRAWABLE, frozenset({Role.APPLICANT}) | GROUP_ROLES, State.WITHDRAWN),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}


def check(
    state: State, action: Action, roles: frozenset[Role] | set[Role], ctx: Context | None = None
) -> State:
    """The state `action` leads to from `state` for an actor holding `roles`, or NotAllowed with why."""
    ctx = ctx or Context()
    roles = frozenset(roles)
    transition = BY_ACTION[action]
    if state not in transition.sources:
        raise NotAllowed(f"You cannot {action} an application that is {state}.")
    if not roles & transition.roles:
        allowed = ", ".join(sorted(transition.roles))
        raise NotAllowed(f"Only the {allowed} can {action}.")
    if transition.needs_outcome and ctx.outcome is None:
        raise NotAllowed("Choose an outcome: offer, refer to another group, or unsuccessful.")
    for guard in transition.guards:
        reason = guard(ctx, roles)
        if reason:
            raise NotAllowed(reason)
    if transition.target is not None:
        return transition.target
    if ctx.outcome is None:
        raise NotAllowed("Choose an outcome: offer, refer to another group, or unsuccessful.")
    return OUTCOME_STATE[ctx.outcome]


def available_actions(
    state: State, roles: frozenset[Role] | set[Role], ctx: Context | None = None
) -> list[Action]:
    """Actions whose state and role conditions hold. With `ctx`, only those whose guards pass for it too
    (so a page offers "confirm" only to the other decider); an outcome chosen on a step's form is checked
    on use."""
    held = frozenset(roles)
    return [
        t.action
        for t in TRANSITIONS
        if state in t.sources
        and held & t.roles
        and (ctx is None or not any(guard(ctx, held) for guard in t.guards))
    ]
