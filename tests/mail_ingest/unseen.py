"""The second corpus (tests/mail_ingest/fixtures/unseen): mail written by someone who never read the mail
code or the first corpus, each built the way its client or server really writes it, with what a careful
coordinator wants of it in expected.json (kind, who is answered, the mark in triage, the group, and for a
bounce which of our emails it reports). This module arranges the database those messages refer to and
reads the expectations; bench/classification.py prints the confusion table, tests/mail_ingest/
test_unseen.py holds the score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.mail_ingest import corpus

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"
KINDS = {"needs-triage", "new-application", "automatic", "bounce", "reply", "member-reply", "quarantined"}
MARKS = {  # expected.json's flags, as the Mark they should show in triage
    "subject-access": "subject access request",
    "foi": "freedom of information request",
    "complaint": "complaint about the police",
    "member": "a member's email",
    "may-be-application": "may be an application",
    "unreadable": "could not be opened",
}
# The emails of ours the bounces report, and the member's message the member answers.
SENT = {
    "<ack-jo-1@avonandsomerset.police.uk>": ("IAG-C3DF-GH7J", "Jo Bloggs", "jo.bloggs@btinternet.con"),
    "<ack-ravi-1@avonandsomerset.police.uk>": ("IAG-K4MN-PQ8R", "Ravi Patel", "ravi.patel@gmial.com"),
}
MEMBER = ("Sam Member", "sam.member@example.net")
MEMBERS_MESSAGE = "<members-msg-1@avonandsomerset.police.uk>"


@dataclass(frozen=True)
class Expected:
    file: str
    kind: str
    answer: str  # "application", "enquiry" or "none"
    flag: str = ""
    group: str = ""
    bounces: str = ""
    why: str = ""

    @property
    def path(self) -> Path:
        return UNSEEN / self.file


def expectations() -> list[Expected]:
    rows = json.loads((UNSEEN / "expected.json").read_text(encoding="utf-8"))
    known = set(Expected.__dataclass_fields__)
    return [Expected(**{key: value or "" for key, value in row.items() if key in known}) for row in rows]


def arrange(session) -> None:
    """What the first corpus arranges, and the two applicants whose addresses are dead (our
    acknowledgements to them are the ones bounced), a member of the Bristol IAG and our message to its
    members."""
    from sqlalchemy import select

    from webapp.clock import now
    from webapp.models import (
        Applicant,
        Application,
        Group,
        Member,
        MemberMessage,
        Membership,
        OutboxMessage,
        Source,
    )

    corpus.arrange(session)
    bristol = session.scalars(select(Group).where(Group.slug == "bristol")).one()
    for message_id, (reference, name, address) in SENT.items():
        application = Application(
            reference=reference,
            group=bristol,
            applicant=Applicant(name=name, email=address),
            source=Source.EMAIL,
            state="submitted",
            answers={},
            submitted_at=now(),
        )
        session.add(application)
        session.flush()
        session.add(
            OutboxMessage(
                message_id=message_id,
                to_address=address,
                subject=f"Application received: {reference}",
                body_text="Thank you",
                application_id=application.id,
                status="sent",
            )
        )
    joined = Application(
        reference="IAG-MMMM-2222",
        group=bristol,
        applicant=Applicant(name=MEMBER[0], email=MEMBER[1]),
        source=Source.WEB,
        state="member",
        answers={},
        submitted_at=now(),
    )
    member = Member(name=MEMBER[0], email=MEMBER[1])
    session.add_all([joined, member])
    session.flush()
    session.add(Membership(application_id=joined.id, group_id=bristol.id, member_id=member.id))
    message = MemberMessage(group_id=bristol.id, subject="Bristol IAG: meeting on 14 January", body="See you")
    session.add(message)
    session.flush()
    session.add(
        OutboxMessage(
            message_id=MEMBERS_MESSAGE,
            to_address=MEMBER[1],
            subject=message.subject,
            body_text="See you",
            member_message_id=message.id,
            member_id=member.id,
            status="sent",
        )
    )
