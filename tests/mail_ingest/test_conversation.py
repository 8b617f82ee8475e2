"""Writing to the applicant from the case, and their answer coming back onto it: through the outbox, the
real SMTP sink and the real Dovecot."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from tests.helpers import csrf_token, text_of
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from tests.review_journey import staff_client
from webapp import outgoing
from webapp.db import session_scope
from webapp.models import Application, EmailKind, InboundEmail
from webapp.workflow import Role


def answer_to(sent: EmailMessage, body: str, sender: str = "Jo Bloggs <jo@example.org>") -> bytes:
    """What the applicant's mail program sends when they press Reply."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = sent["Reply-To"]
    reply["Subject"] = "Re: " + sent["Subject"]
    reply["Message-ID"] = "<answer-1@example.org>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References']} {sent['Message-ID']}"
    reply.set_content(f"{body}\n\nOn Tuesday, the IAG team wrote:\n> {sent.get_content()[:40]}")
    return reply.as_bytes()


def emailed_application(app, imap) -> tuple[int, str]:
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Joining the Bristol IAG",
                "I'd like to join the Bristol IAG.",
                sender="Jo Bloggs <jo@example.org>",
                message_id="<first@example.org>",
            )
        ],
    )
    poll(app)
    with session_scope(app) as session:
        application = session.scalar(select(Application))
        return application.id, application.reference


def test_a_coordinator_writes_from_the_case_and_the_answer_threads_back(mail_app, imap, smtp_sink):
    application_id, reference = emailed_application(mail_app, imap)
    case_url = f"/staff/applications/{application_id}"
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert "Write to the applicant" in text_of(coordinator.get(case_url))
    write_url = f"{case_url}/write"
    started = coordinator.get(f"{write_url}?standard=reply_call_back")
    assert "We would like to talk to you by phone" in text_of(started)  # the standard reply, filled in
    token = csrf_token(started.get_data(as_text=True))
    message = "Hello Jo,\n\nCould you tell us which evenings suit you?\n\nPriya"
    preview = coordinator.post(write_url, data={"csrf_token": token, "body": message, "action": "preview"})
    shown = text_of(preview)
    assert (
        "Preview" in shown
        and f"Subject: Your application {reference}" in shown
        and "To: jo@example.org" in shown
    )
    sent = coordinator.post(write_url, data={"csrf_token": token, "body": message, "action": "send"})
    assert sent.status_code == 302
    case = text_of(coordinator.get(case_url))
    assert "Wrote to the applicant" in case and "which evenings suit you" in case
    outgoing.send_due(mail_app)
    received = smtp_sink.wait_for(lambda m: m["To"] == "jo@example.org" and "evenings" in m.get_content())
    assert received["Subject"] == f"Your application {reference}"
    assert received["In-Reply-To"] == "<first@example.org>"  # in Jo's own thread
    assert received["Reply-To"] == mailgen.MAILBOX
    assert received["Auto-Submitted"] is None  # a person wrote it
    mailgen.append(imap, [answer_to(received, "Tuesday or Thursday evenings are best.")])
    poll(mail_app)
    with session_scope(mail_app) as session:
        answer = session.scalar(
            select(InboundEmail).where(InboundEmail.message_id == "<answer-1@example.org>")
        )
        assert (answer.kind, answer.application_id) == (EmailKind.REPLY, application_id)
    # The coordinator is told, sees the case marked unread, and the answer marked new to them.
    outgoing.send_due(mail_app)
    told = smtp_sink.wait_for(lambda m: m["To"] == "priya@force.example" and "reply" in m["Subject"])
    assert told["Subject"] == f"IAG reply: {reference}" and "Tuesday" not in told.get_content()
    assert "Unread mail" in text_of(coordinator.get("/staff/"))
    assert "Mail you have not read" in text_of(coordinator.get("/staff/waiting"))
    case = coordinator.get(case_url).get_data(as_text=True)
    assert "Tuesday or Thursday evenings are best" in case
    new_marks = case.count("New to you")
    assert new_marks == 1  # only the answer: the first email was read when the coordinator opened it before
    assert "Unread mail" not in text_of(coordinator.get("/staff/"))
    assert (
        len([m for m in smtp_sink.messages if m["To"] == "jo@example.org"]) == 2
    )  # ack + ours; no ack of the answer


def test_what_cannot_be_sent_is_explained_and_kept(mail_app, imap):
    application_id, _reference = emailed_application(mail_app, imap)
    write_url = f"/staff/applications/{application_id}/write"
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    token = csrf_token(coordinator.get(write_url).get_data(as_text=True))
    empty = coordinator.post(write_url, data={"csrf_token": token, "body": "  ", "action": "send"})
    assert empty.status_code == 422 and "Enter your message" in text_of(empty)
    foreign = coordinator.post(
        write_url, data={"csrf_token": token, "body": "Hi", "files": "999999", "action": "send"}
    )
    assert foreign.status_code == 422 and "Hi" in foreign.get_data(as_text=True)
    other_group = staff_client(mail_app, "sam@force.example", Role.POLICE_COORDINATOR, "somerset")
    assert other_group.get(write_url).status_code == 404
    with session_scope(mail_app) as session:
        from webapp.models import OutboxMessage

        assert session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "staff reply")) is None


def test_a_reply_from_another_address_is_filed_and_flagged(mail_app, imap):
    application_id, reference = emailed_application(mail_app, imap)
    mailgen.append(
        imap,
        [
            mailgen.plain(
                f"About {reference}", "I am Jo's sister; Jo is away this week.", sender="sis@example.net"
            )
        ],
    )
    poll(mail_app)
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    case = text_of(coordinator.get(f"/staff/applications/{application_id}"))
    assert "Jo is away this week" in case
    assert "sent from an address that is not the applicant's" in case
