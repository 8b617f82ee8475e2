"""How the demo takes each application to its state: the same service calls staff and applicants make
through the pages (start the review, invite, propose and agree, appeal, send the agreement, sign)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Application, Group, StaffUser
from webapp.services import (
    appeals,
    decisions,
    discussions,
    documents,
    joining,
    news,
    signing,
    transitions,
    withdrawals,
)
from webapp.services.actors import APPLICANT, staff
from webapp.services.meetings import TimeAndPlace
from webapp.workflow import Action, Outcome, Role, State

# What comes before each state, in order.
BEFORE: dict[State, tuple[State, ...]] = {
    State.SUBMITTED: (),
    State.IN_REVIEW: (State.IN_REVIEW,),
    State.DISCUSSION_INVITED: (State.IN_REVIEW, State.DISCUSSION_INVITED),
    State.DISCUSSION_HELD: (State.IN_REVIEW, State.DISCUSSION_INVITED, State.DISCUSSION_HELD),
    State.DECISION_PROPOSED: (State.IN_REVIEW, State.DECISION_PROPOSED),
    State.OFFERED: (State.IN_REVIEW, State.OFFERED),
    State.REFERRED: (State.IN_REVIEW, State.REFERRED),
    State.UNSUCCESSFUL: (State.IN_REVIEW, State.UNSUCCESSFUL),
    State.APPEAL_LODGED: (State.IN_REVIEW, State.UNSUCCESSFUL, State.APPEAL_LODGED),
    State.APPEAL_UPHELD: (State.IN_REVIEW, State.UNSUCCESSFUL, State.APPEAL_LODGED, State.APPEAL_UPHELD),
    State.APPEAL_DISMISSED: (
        State.IN_REVIEW,
        State.UNSUCCESSFUL,
        State.APPEAL_LODGED,
        State.APPEAL_DISMISSED,
    ),
    State.AGREEMENT_SENT: (State.IN_REVIEW, State.OFFERED, State.AGREEMENT_SENT),
    State.MEMBER: (State.IN_REVIEW, State.OFFERED, State.AGREEMENT_SENT, State.MEMBER),
    State.WITHDRAWN: (State.IN_REVIEW, State.WITHDRAWN),
}


class Journeys:
    def __init__(self, session: Session, people: dict[str, StaffUser | None]) -> None:
        self.session = session
        self.coordinator = people.get("coordinator@demo.invalid")
        self.chair = people.get("chair@demo.invalid")
        self.strategic = people.get("strategic.chair@demo.invalid")
        self.acc = people.get("acc@demo.invalid")

    @property
    def ready(self) -> bool:
        return None not in (self.coordinator, self.chair, self.strategic, self.acc)

    def take(self, application: Application, target: State) -> None:
        for step in BEFORE[target]:
            getattr(self, step.name.lower())(application)

    def _deciders(self, application: Application) -> tuple[StaffUser, StaffUser]:
        """Who proposes and who agrees: the group's Chair, then its Police Coordinator."""
        [chair, *_] = news.holders(self.session, {Role.CHAIR}, application.group_id)
        [coordinator, *_] = news.holders(self.session, {Role.POLICE_COORDINATOR}, application.group_id)
        return chair, coordinator

    def _decide(self, application: Application, outcome: Outcome, reason: str, to: int | None = None) -> None:
        proposer, agreer = self._deciders(application)
        decisions.propose_decision(
            self.session, application, proposer, outcome=outcome, reason=reason, referred_group_id=to
        )
        decisions.confirm_decision(self.session, application, agreer)

    def in_review(self, application: Application) -> None:
        transitions.apply(
            self.session, application, Action.START_REVIEW, staff(self._deciders(application)[1])
        )

    def discussion_invited(self, application: Application) -> None:
        assert self.coordinator
        when = (now() + timedelta(days=9)).replace(hour=18, minute=30, second=0, microsecond=0)
        place = TimeAndPlace(when, 60, "Trinity Road police station, Bristol")
        discussions.invite(self.session, application, self.coordinator, place)

    def discussion_held(self, application: Application) -> None:
        assert self.coordinator
        discussion = discussions.current(self.session, application)
        assert discussion is not None
        discussion.starts_at = now() - timedelta(days=2)  # the demo's discussion took place two days ago
        discussions.record_held(self.session, application, self.coordinator)

    def decision_proposed(self, application: Application) -> None:
        proposer, _ = self._deciders(application)
        reason = "Strong links with communities we hear from too little."
        decisions.propose_decision(self.session, application, proposer, outcome=Outcome.OFFER, reason=reason)

    def offered(self, application: Application) -> None:
        self._decide(application, Outcome.OFFER, "Your links with your community are what the group needs.")

    def referred(self, application: Application) -> None:
        bath = self.session.scalar(select(Group.id).where(Group.slug == "bath-and-north-east-somerset"))
        self._decide(application, Outcome.REFER, "The Bath group covers where you live.", bath)

    def unsuccessful(self, application: Application) -> None:
        reason = "The group is full for your area this year; please apply again next year."
        self._decide(application, Outcome.UNSUCCESSFUL, reason)

    def appeal_lodged(self, application: Application) -> None:
        appeals.lodge_appeal(self.session, application, "I have more time now and can come to every meeting.")

    def _appeal(self, application: Application, upheld: bool, reason: str) -> None:
        assert self.strategic and self.acc
        appeals.propose_outcome(self.session, application, self.strategic, upheld=upheld, reason=reason)
        appeals.confirm_outcome(self.session, application, self.acc)

    def appeal_upheld(self, application: Application) -> None:
        self._appeal(application, True, "Your experience is just what the group asked for.")

    def appeal_dismissed(self, application: Application) -> None:
        self._appeal(application, False, "The decision was fair: the group is full for your area.")

    def agreement_sent(self, application: Application) -> None:
        joining.send_for_signature(self.session, application, self._deciders(application)[1])

    def member(self, application: Application) -> None:
        request = joining.open_request(self.session, application)
        assert request is not None
        person, language = application.known_applicant, application.language
        shown = documents.shown_to(self.session, application.known_group, person.name, language)
        token = signing.link_token(request)
        signing.opened(self.session, request)
        signing.sign(
            self.session, token, person.name, shown.sha256, "127.0.0.1", "demo", language=shown.language
        )

    def withdrawn(self, application: Application) -> None:
        withdrawals.withdraw(self.session, application, APPLICANT, "applicant, from their page")
