"""A message to members, sent through the outbox to the real SMTP sink with the shared mailbox as Reply-To
(and a confidential paper, stamped for each reader), and a member's reply coming back through the real
Dovecot and the poller, threaded onto the message: on the message's page, the member's timeline and in
the news of the member of staff who wrote it; not in triage."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from tests.given import given_member
from tests.helpers import text_of
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_conversation import answer_to
from tests.mail_ingest.test_poller import poll
from tests.review_journey import act, staff_client
from tests.webapp.test_member_meetings import _add_paper, _pdf
from webapp import outgoing
from webapp.db import session_scope
from webapp.models import EmailKind, InboundEmail, Notification
from webapp.workflow import Role


def _plain_copy(sent):
    """The sent message as a plain one (its text and threading headers), for the reply to quote."""
    from email.message import EmailMessage

    copy = EmailMessage()
    for name in ("Subject", "Message-ID", "Reply-To"):
        copy[name] = sent[name]
    copy["References"] = sent["References"] or ""
    copy.set_content(sent.get_body(("plain",)).get_content())
    return copy


def test_a_members_reply_to_a_message_threads_back_onto_it(mail_app, imap, smtp_sink):
    given_member(mail_app)
    given_member(mail_app, name="Bob Jones", email="bob@example.org")
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    _add_paper(coordinator, "Briefing note", _pdf("Operation Hawk"), "briefing.pdf")
    messages = "/staff/groups/bristol/messages"
    page = coordinator.get(messages)
    ids = re.findall(r'name="members" type="checkbox" value="(\d+)"', page.get_data(as_text=True))
    paper = re.search(r'<option value="(\d+)">Briefing note</option>', page.get_data(as_text=True)).group(1)
    nobody = act(coordinator, messages, data={"subject": "Hello", "body": "Hi", "paper_id": ""})
    assert nobody.status_code == 422 and "Choose at least one member" in text_of(nobody)
    body = "Dear members,\n\nPlease read the attached note before Thursday.\n\nPriya"
    act(
        coordinator,
        messages,
        data={"subject": "Before Thursday", "body": body, "members": ids, "paper_id": paper},
    )
    outgoing.send_due(mail_app)
    sent = smtp_sink.wait_for(lambda m: m["Subject"] == "Before Thursday" and "amina@example.org" in m["To"])
    assert sent["Reply-To"] == mail_app.extensions["deployment"].mailbox
    (attached,) = [part for part in sent.iter_attachments()]
    stamped = " ".join(PdfReader(io.BytesIO(attached.get_content())).pages[0].extract_text().split())
    assert "Confidential — issued to Amina Yusuf on" in stamped

    reply = answer_to(_plain_copy(sent), "Thank you, I will read it.", "Amina Yusuf <amina@example.org>")
    mailgen.append(imap, [reply])
    poll(mail_app)
    with session_scope(mail_app) as session:
        reply = session.scalar(select(InboundEmail).where(InboundEmail.subject == "Re: Before Thursday"))
        assert reply.kind == EmailKind.MEMBER_REPLY and reply.application_id is None
        told = session.scalar(select(Notification).where(Notification.kind == "member replied"))
        assert told.summary == "Amina Yusuf replied to “Before Thursday” (Bristol IAG)"
    listing = coordinator.get(messages).get_data(as_text=True)
    message_page = re.search(r"/staff/groups/bristol/messages/\d+", listing).group(0)
    shown = text_of(coordinator.get(message_page))
    assert (
        "Replies (1)" in shown
        and "Thank you, I will read it." in shown
        and "Sent to 2: Amina Yusuf, Bob Jones" in shown
    )
    assert "Before Thursday" not in text_of(coordinator.get("/staff/triage"))  # threaded: nobody must sort it
    register = coordinator.get("/staff/groups/bristol/members").get_data(as_text=True)
    timelines = re.findall(r'href="(/staff/groups/bristol/members/\d+/timeline)"', register)
    seen = [text_of(coordinator.get(url)) for url in timelines]
    amina = next(page for page in seen if "Amina Yusuf" in page)
    assert "Message sent: Before Thursday" in amina and "Reply received: Re: Before Thursday" in amina


def test_a_reply_on_a_members_thread_from_another_address_is_shown_as_such(mail_app, imap, smtp_sink):
    """Anyone can quote a Message-ID: a reply threaded onto a member's copy but sent from another address
    shows its sender and is flagged, as replies on applications are (second security review, low 7)."""
    given_member(mail_app)
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    messages = "/staff/groups/bristol/messages"
    ids = re.findall(
        r'name="members" type="checkbox" value="(\d+)"', coordinator.get(messages).get_data(as_text=True)
    )
    act(coordinator, messages, data={"subject": "Vote on Thursday", "body": "Please vote.", "members": ids})
    outgoing.send_due(mail_app)
    sent = smtp_sink.wait_for(lambda m: m["Subject"] == "Vote on Thursday" and "amina@example.org" in m["To"])
    forged = answer_to(_plain_copy(sent), "I vote for Sam.", "Amina Yusuf <amina.yusuf@evil.example>")
    mailgen.append(imap, [forged])
    poll(mail_app)
    with session_scope(mail_app) as session:
        reply = session.scalar(select(InboundEmail).where(InboundEmail.subject == "Re: Vote on Thursday"))
        assert reply.kind == EmailKind.MEMBER_REPLY
        assert "sent from an address that is not the member's" in reply.flags
        told = session.scalar(select(Notification).where(Notification.kind == "member replied"))
        assert told.summary.endswith("from another address (amina.yusuf@evil.example)")
    listing = coordinator.get(messages).get_data(as_text=True)
    shown = text_of(coordinator.get(re.search(r"/staff/groups/bristol/messages/\d+", listing).group(0)))
    assert "amina.yusuf@evil.example" in shown and "Not from the member's address" in shown
