"""Every (state, action, role) triple, allowed or refused with a reason. The policy below is written out in
the words a coordinator would use, independently of how workflow.py builds its table."""

from __future__ import annotations

import itertools

import pytest

from webapp.workflow import Action, Context, NotAllowed, Outcome, Role, State, check

GROUP_STAFF = {"police coordinator", "chair", "admin team"}
DECIDERS = {"police coordinator", "chair"}
BEFORE_JOINING = {
    "draft",
    "submitted",
    "in review",
    "discussion invited",
    "discussion held",
    "decision proposed",
    "offered",
    "appeal lodged",
    "appeal upheld",
    "agreement sent",
}

APPEAL_DECIDERS = {"strategic iag chair", "assistant chief constable"}
# action: (states it may be taken from, roles that may take it)
POLICY: dict[str, tuple[set[str], set[str]]] = {
    "submit": ({"draft"}, {"applicant", "system"}),
    "start review": ({"submitted"}, GROUP_STAFF),
    "invite to discussion": ({"in review"}, GROUP_STAFF),
    "reschedule discussion": ({"discussion invited"}, GROUP_STAFF),
    "record discussion held": ({"discussion invited"}, GROUP_STAFF),
    "record did not attend": ({"discussion invited"}, GROUP_STAFF),
    "propose decision": ({"in review", "discussion held"}, DECIDERS),
    "confirm decision": ({"decision proposed"}, DECIDERS),
    "reject proposal": ({"decision proposed"}, DECIDERS),
    "lodge appeal": ({"unsuccessful"}, {"applicant"}),
    "propose appeal outcome": ({"appeal lodged"}, APPEAL_DECIDERS),
    "reject appeal proposal": ({"appeal lodged"}, APPEAL_DECIDERS),
    "uphold appeal": ({"appeal lodged"}, APPEAL_DECIDERS),
    "dismiss appeal": ({"appeal lodged"}, APPEAL_DECIDERS),
    "send agreement": ({"offered", "appeal upheld"}, {"admin team", "police coordinator"}),
    "sign agreement": ({"agreement sent"}, {"applicant"}),
    "admit member": ({"agreement signed"}, {"system"}),
    "withdraw": (BEFORE_JOINING, {"applicant"} | GROUP_STAFF),
}

EXPECTED_TARGET = {
    "submit": "submitted",
    "start review": "in review",
    "invite to discussion": "discussion invited",
    "reschedule discussion": "discussion invited",
    "record discussion held": "discussion held",
    "record did not attend": "in review",
    "propose decision": "decision proposed",
    "confirm decision": "offered",  # with the outcome "offer" used below
    "reject proposal": "in review",
    "propose appeal outcome": "appeal lodged",
    "reject appeal proposal": "appeal lodged",
    "lodge appeal": "appeal lodged",
    "uphold appeal": "appeal upheld",
    "dismiss appeal": "appeal dismissed",
    "send agreement": "agreement sent",
    "sign agreement": "agreement signed",
    "admit member": "member",
    "withdraw": "withdrawn",
}


def _satisfying_context(role: Role, action: Action) -> Context:
    """A context in which every guard holds for `role` taking `action`, so only state and role decide."""
    if action == Action.PROPOSE_APPEAL_OUTCOME:
        return Context(actor_id=2)  # nothing proposed yet
    others = {
        Role.POLICE_COORDINATOR: Role.CHAIR,
        Role.STRATEGIC_IAG_CHAIR: Role.ASSISTANT_CHIEF_CONSTABLE,
        Role.ASSISTANT_CHIEF_CONSTABLE: Role.STRATEGIC_IAG_CHAIR,
    }
    other = others.get(role, Role.POLICE_COORDINATOR)
    return Context(actor_id=2, outcome=Outcome.OFFER, proposer_id=1, proposer_role=other)


TRIPLES = list(itertools.product(State, Action, Role))


def test_policy_names_every_action():
    assert set(POLICY) == {str(a) for a in Action}


@pytest.mark.parametrize("state,action,role", TRIPLES, ids=lambda v: str(v).replace(" ", "-"))
def test_triple(state, action, role):
    states, roles = POLICY[str(action)]
    allowed = str(state) in states and str(role) in roles
    if allowed:
        target = check(state, action, {role}, _satisfying_context(role, action))
        assert target == State(EXPECTED_TARGET[str(action)])
    else:
        with pytest.raises(NotAllowed) as refused:
            check(state, action, {role}, _satisfying_context(role, action))
        reason = refused.value.reason
        if str(state) not in states:
            assert f"that is {state}" in reason
        else:
            assert reason.startswith("Only the") and str(action) in reason


def test_every_state_can_be_reached_and_left_as_the_policy_says():
    reachable = {EXPECTED_TARGET[a] for a in POLICY} | {"draft", "referred", "unsuccessful"}
    assert reachable == {str(s) for s in State}


def test_a_decision_needs_an_outcome():
    with pytest.raises(NotAllowed, match="Choose an outcome"):
        check(State.IN_REVIEW, Action.PROPOSE_DECISION, {Role.CHAIR}, Context(actor_id=1))


@pytest.mark.parametrize(
    "outcome,target",
    [
        (Outcome.OFFER, State.OFFERED),
        (Outcome.REFER, State.REFERRED),
        (Outcome.UNSUCCESSFUL, State.UNSUCCESSFUL),
    ],
)
def test_confirmed_decision_lands_in_the_state_of_its_outcome(outcome, target):
    ctx = Context(actor_id=2, outcome=outcome, proposer_id=1, proposer_role=Role.CHAIR)
    assert check(State.DECISION_PROPOSED, Action.CONFIRM_DECISION, {Role.POLICE_COORDINATOR}, ctx) == target


def test_the_proposer_cannot_confirm_their_own_decision():
    ctx = Context(actor_id=1, outcome=Outcome.OFFER, proposer_id=1, proposer_role=Role.CHAIR)
    # Even someone who is both Chair and Coordinator cannot give both sign-offs.
    with pytest.raises(NotAllowed, match="You proposed this decision"):
        check(State.DECISION_PROPOSED, Action.CONFIRM_DECISION, {Role.CHAIR, Role.POLICE_COORDINATOR}, ctx)


def test_a_second_chair_cannot_confirm_a_chairs_proposal():
    ctx = Context(actor_id=2, outcome=Outcome.OFFER, proposer_id=1, proposer_role=Role.CHAIR)
    with pytest.raises(NotAllowed, match="police coordinator must confirm"):
        check(State.DECISION_PROPOSED, Action.CONFIRM_DECISION, {Role.CHAIR}, ctx)


def test_an_appeal_after_the_deadline_is_refused():
    with pytest.raises(NotAllowed, match="time to appeal"):
        check(State.UNSUCCESSFUL, Action.LODGE_APPEAL, {Role.APPLICANT}, Context(appeal_window_open=False))


def test_how_a_discussion_went_is_recorded_only_once_its_time_has_come():
    from webapp.workflow import Context, NotAllowed, Role, State, check

    for action in (Action.RECORD_DISCUSSION_HELD, Action.RECORD_DID_NOT_ATTEND):
        roles = frozenset({Role.POLICE_COORDINATOR})
        with pytest.raises(NotAllowed, match="The discussion has not happened yet"):
            check(State.DISCUSSION_INVITED, action, roles, Context(discussion_begun=False))
        assert check(State.DISCUSSION_INVITED, action, roles, Context(discussion_begun=True))


def test_an_appeal_takes_the_strategic_chair_and_the_assistant_chief_constable():
    chair, acc = Role.STRATEGIC_IAG_CHAIR, Role.ASSISTANT_CHIEF_CONSTABLE
    proposed = Context(actor_id=1, proposer_id=1, proposer_role=chair)
    with pytest.raises(NotAllowed, match="You proposed this decision"):
        check(State.APPEAL_LODGED, Action.UPHOLD_APPEAL, {chair, acc}, proposed)  # even holding both
    other_chair = Context(actor_id=2, proposer_id=1, proposer_role=chair)
    with pytest.raises(NotAllowed, match="so the assistant chief constable must confirm it"):
        check(State.APPEAL_LODGED, Action.DISMISS_APPEAL, {chair}, other_chair)
    assert check(State.APPEAL_LODGED, Action.UPHOLD_APPEAL, {acc}, other_chair) == State.APPEAL_UPHELD
    with pytest.raises(NotAllowed, match="There is no proposed decision"):
        check(State.APPEAL_LODGED, Action.UPHOLD_APPEAL, {acc}, Context(actor_id=2))
    with pytest.raises(NotAllowed, match="A proposal is waiting"):
        check(State.APPEAL_LODGED, Action.PROPOSE_APPEAL_OUTCOME, {acc}, other_chair)
    with pytest.raises(NotAllowed):
        check(State.APPEAL_LODGED, Action.UPHOLD_APPEAL, {Role.APPEALS_PANEL}, other_chair)  # the old role
