"""The poller against the real Dovecot: every kind of message ends up recorded exactly once, and the
mailbox and the database agree."""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

from sqlalchemy import func, select

from mail_ingest import cli
from mail_ingest.poller import Poller, open_source
from tests.mail_ingest import mailgen
from webapp import outgoing
from webapp.db import session_scope
from webapp.models import (
    Application,
    Attachment,
    EmailKind,
    EqualityResponse,
    InboundEmail,
    OutboxMessage,
    Source,
)
from webapp.services import events


def poll(app):
    poller = Poller(app)
    source = open_source(app)
    try:
        assert poller.take_lease(source) is None
        return poller.poll_once(source)
    finally:
        poller.release()
        source.close()


def reconcile(app, capsys) -> dict:
    capsys.readouterr()
    cli._reconcile(app, argparse.Namespace(json=True))
    return json.loads(capsys.readouterr().out)


def kinds(app) -> Counter:
    with session_scope(app) as session:
        return Counter(str(k) for k in session.scalars(select(InboundEmail.kind)))


def blank_form(client, kind: str = "application") -> bytes:
    return client.get(f"/forms/{kind}-form.pdf").data


def test_a_returned_pdf_form_becomes_an_application_with_its_answers_and_an_acknowledgement(
    mail_app, client, imap, smtp_sink
):
    form = mailgen.filled_form(
        blank_form(client),
        {
            "group": "Somerset IAG",
            "full_name": "Rhiannon Evans",
            "email": "rhiannon@example.org",
            "why_join": "To speak up for rural communities.",
            "time_commitment": "Yes",
        },
    )
    raw = mailgen.with_attachment(
        "My IAG application", "application.pdf", form, sender="R Evans <rhi@example.net>"
    )
    mailgen.append(imap, [raw])
    report = poll(mail_app)
    assert report.ingested == 1 and report.moved == 1
    with session_scope(mail_app) as session:
        application = session.scalar(select(Application))
        assert application.source == Source.EMAIL and application.group.slug == "somerset"
        assert application.applicant.name == "Rhiannon Evans"
        assert application.answers["why_join"] == "To speak up for rural communities."
        email = session.scalar(select(InboundEmail))
        assert email.kind == EmailKind.NEW_APPLICATION and email.application_id == application.id
        [attachment] = session.scalars(select(Attachment)).all()
        assert attachment.filename == "application.pdf" and attachment.content_type == "application/pdf"
        reference = application.reference
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": 1, "Quarantine": 0}
    outgoing.send_due(mail_app)
    ack = smtp_sink.wait_for(lambda m: reference in m["Subject"])
    assert ack["To"] == "rhi@example.net"  # the acknowledgement answers the sender, in the thread
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == email.message_id
    assert ack["Subject"] == f"We have received your application: {reference}"  # ours, not the sender's
    body = ack.get_content()
    assert "/my-application/" in body  # a link to their own page
    assert re.search(r"of the Somerset IAG\.\s+We aim to reply within 20 working days", body)  # apart


def test_200_messages_of_every_kind_are_each_accounted_for_once(mail_app, client, imap, capsys):
    mail_app.config["MAIL_MAX_MESSAGE_MB"] = 1
    blank, monitoring = blank_form(client), blank_form(client, "monitoring")
    references, sent_ids = [], []
    from webapp.services import applications as service
    from webapp.services import outbox
    from webapp.services.actors import APPLICANT

    with session_scope(mail_app) as session:
        from webapp.models import Group

        bristol = session.scalar(select(Group).where(Group.slug == "bristol"))
        for n in range(10):
            application, _ = service.receive(
                session,
                service.Arrival(
                    source=Source.WEB, name=f"Web {n}", email=f"web{n}@example.org", group=bristol
                ),
                APPLICANT,
            )
            references.append(application.reference)
            sent = outbox.queue(
                session,
                to=f"web{n}@example.org",
                subject="About your application",
                body="Hi",
                sender_domain="avonandsomerset.police.uk",
                application_id=application.id,
            )
            sent_ids.append(sent.message_id)
    messages: list[bytes] = []
    for n in range(40):
        form = mailgen.filled_form(
            blank,
            {
                "group": "Bristol IAG",
                "full_name": f"Form {n}",
                "email": f"form{n}@example.org",
                "why_join": f"Reason {n}",
            },
        )
        messages.append(
            mailgen.with_attachment(f"Application {n}", "form.pdf", form, sender=f"form{n}@example.org")
        )
    messages += [
        mailgen.plain(
            f"Application to join the North Somerset IAG ({n})",
            "I would like to apply.",
            sender=f"plain{n}@example.org",
        )
        for n in range(20)
    ]
    messages += [
        mailgen.with_attachment(
            f"My application {n}",
            "application.docx",
            mailgen.docx([f"Name: Docx {n}", "I want to join the Bristol IAG."]),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            sender=f"docx{n}@example.org",
        )
        for n in range(10)
    ]
    messages += [
        mailgen.plain(
            f"Re: Your application [{references[n % 10]}]", "Thanks!", sender=f"web{n % 10}@example.org"
        )
        for n in range(20)
    ]
    messages += [
        mailgen.plain(
            "Re: About your application",
            "Here is my answer.",
            sender=f"web{n % 10}@example.org",
            In_Reply_To=sent_ids[n % 10],
        )
        for n in range(20)
    ]
    messages += [
        mailgen.plain(
            "Automatic reply: away", "I am away", sender=f"away{n}@example.org", Auto_Submitted="auto-replied"
        )
        for n in range(20)
    ]
    messages += [mailgen.bounce(sent_ids[n % 10]) for n in range(10)]
    messages += [
        mailgen.plain(f"Community newsletter {n}", "News", sender="news@example.org", Precedence="bulk")
        for n in range(10)
    ]
    messages += [
        mailgen.plain(f"Question {n}", "What time is the next meeting?", sender=f"q{n}@example.org")
        for n in range(20)
    ]
    messages += [
        mailgen.with_attachment(
            f"Monitoring {n}",
            "monitoring.pdf",
            mailgen.filled_form(
                monitoring, {"religion": "Prefer not to say", "application_reference": references[n % 10]}
            ),
            sender=f"web{n % 10}@example.org",
        )
        for n in range(10)
    ]
    messages += [b"\x00\x01 this is not an email at all" + bytes([n]) for n in range(10)]
    messages += [
        mailgen.plain(f"Huge {n}", "x" * (1024 * 1024 + 10), sender=f"big{n}@example.org") for n in range(10)
    ]
    assert len(messages) == 200
    mailgen.append(imap, messages)

    report = poll(mail_app)
    assert report.ingested + 10 == 200  # the 10 oversized ones are quarantined before their body is fetched
    assert kinds(mail_app) == Counter(
        {
            "new application": 70,
            "reply": 40,
            "automatic": 30,
            "bounce": 10,  # reports of our own emails: each marks the email it names bounced
            "needs triage": 20 + 10,
            "quarantined": 20,
        }
    )
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).where(Application.source == Source.EMAIL)) == 70
        assert session.scalar(select(func.count()).select_from(EqualityResponse)) == 10
        triage = session.scalars(
            select(InboundEmail.subject).where(InboundEmail.kind == EmailKind.NEEDS_TRIAGE)
        )
        assert sum(s.startswith("Monitoring") for s in triage) == 10  # the email itself needs a human
        acks = session.scalar(select(func.count()).where(OutboxMessage.purpose == "acknowledgement"))
        assert acks == 70  # one per new application, each from its own sender
        assert events.verify(session).intact
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": 180, "Quarantine": 20}
    result = reconcile(mail_app, capsys)
    assert result["unaccounted"] == [] and result["in_inbox_waiting"] == 0
    assert result["recorded"] == 200 and result["recorded_not_yet_moved"] == 0

    assert poll(mail_app).ingested == 0  # a second pass finds nothing new
    assert sum(kinds(mail_app).values()) == 200


def test_mail_read_in_outlook_first_is_still_ingested(mail_app, imap):
    mailgen.append(
        imap, [mailgen.plain(f"Question {n}", sender=f"q{n}@example.org") for n in range(10)], seen=False
    )
    mailgen.append(
        imap, [mailgen.plain(f"Read {n}", sender=f"r{n}@example.org") for n in range(10)], seen=True
    )
    assert poll(mail_app).ingested == 20
    assert sum(kinds(mail_app).values()) == 20


def test_a_poison_message_first_is_quarantined_and_the_rest_still_ingested(mail_app, imap, monkeypatch):
    import mail_ingest.ingest as ingest_module

    real_parse = ingest_module.parse

    def breaks_on_one(raw, *args, **kwargs):
        if b"Subject: Poison" in raw:
            raise RecursionError("a parser bug this message triggers")
        return real_parse(raw, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "parse", breaks_on_one)
    mailgen.append(
        imap,
        [b"\xff\xfe\x00garbage without headers", mailgen.plain("Poison")]
        + [mailgen.plain(f"Question {n}", sender=f"q{n}@example.org") for n in range(5)],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        reasons = sorted(
            session.scalars(select(InboundEmail.reason).where(InboundEmail.kind == EmailKind.QUARANTINED))
        )
    assert reasons == [
        "error while ingesting: RecursionError: a parser bug this message triggers",
        "the message has no headers",
    ]
    assert kinds(mail_app) == Counter({"quarantined": 2, "needs triage": 5})
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": 5, "Quarantine": 2}


def test_a_message_that_breaks_recording_is_quarantined_and_the_rest_of_its_group_recorded(
    mail_app, imap, smtp_sink, monkeypatch
):
    """Messages are recorded in groups, a transaction each; one that makes that step fail is recorded
    alone, in quarantine with the error, and the others in its group each once, with one acknowledgement
    each."""
    from webapp.services import inbound

    real_acknowledge = inbound.acknowledge

    def breaks_on_one(session, answers, *args):
        if any("Poison" in answer.email.subject for answer in answers):
            raise KeyError("a bug this message triggers")
        return real_acknowledge(session, answers, *args)

    monkeypatch.setattr(inbound, "acknowledge", breaks_on_one)
    mailgen.append(
        imap,
        [mailgen.plain(f"Application to join {n}", sender=f"a{n}@example.org") for n in range(4)]
        + [mailgen.plain("Poison application", sender="p@example.org")]
        + [mailgen.plain(f"Application to join {n}", sender=f"a{n}@example.org") for n in range(4, 8)],
    )
    report = poll(mail_app)
    assert (report.ingested, report.quarantined) == (9, 1)
    with session_scope(mail_app) as session:
        reasons = session.scalars(
            select(InboundEmail.reason).where(InboundEmail.kind == EmailKind.QUARANTINED)
        )
        assert list(reasons) == ["error while ingesting: KeyError: 'a bug this message triggers'"]
        assert session.scalar(select(func.count()).select_from(Application)) == 8
        acknowledged = session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.purpose == "acknowledgement")
        ).all()
    assert sorted(acknowledged) == [f"a{n}@example.org" for n in range(8)]
    assert kinds(mail_app) == Counter({"new application": 8, "quarantined": 1})
    assert mailgen.folder_counts(imap) == {"INBOX": 0, "Processed": 8, "Quarantine": 1}
    with session_scope(mail_app) as session:
        assert events.verify(session).intact


def test_a_copy_and_a_reply_in_the_same_batch_as_their_original_find_it(mail_app, imap):
    """Messages are recorded in groups; a message that is a copy of, or answers, one fetched with it is
    recorded after it, and so is a duplicate of it, or threaded onto its application."""
    original = mailgen.plain(
        "Application to join the Bristol IAG", sender="amina@example.org", message_id="<first@example.org>"
    )
    reply = mailgen.plain(
        "Re: my application",
        "One more thing.",
        sender="amina@example.org",
        In_Reply_To="<first@example.org>",
    )
    others = [mailgen.plain(f"Question {n}", sender=f"q{n}@example.org") for n in range(3)]
    mailgen.append(imap, [others[0], original, others[1], original, reply, others[2]])
    assert poll(mail_app).ingested == 6
    with session_scope(mail_app) as session:
        rows = session.execute(
            select(
                InboundEmail.id, InboundEmail.kind, InboundEmail.application_id, InboundEmail.duplicate_of_id
            )
            .where(InboundEmail.from_address == "amina@example.org")
            .order_by(InboundEmail.uid)
        ).all()
        [application_id] = session.scalars(select(Application.id)).all()
    (first, kind, app, _), (_, copy_kind, copy_app, copy_of), (_, reply_kind, reply_app, _) = rows
    assert (kind, app) == (EmailKind.NEW_APPLICATION, application_id)
    assert (copy_kind, copy_app, copy_of) == (EmailKind.DUPLICATE, application_id, first)
    assert (reply_kind, reply_app) == (EmailKind.REPLY, application_id)
    assert kinds(mail_app)["needs triage"] == 3


def test_an_oversized_message_is_quarantined_by_its_size_without_fetching_it(mail_app, imap, capsys):
    mail_app.config["MAIL_MAX_MESSAGE_MB"] = 1
    mailgen.append(imap, [mailgen.plain("Scanned form", "x" * (1024 * 1024 + 1))])
    poll(mail_app)
    with session_scope(mail_app) as session:
        email = session.scalar(select(InboundEmail))
        assert email.kind == EmailKind.QUARANTINED and email.sha256 is None
        assert email.reason.startswith("too large:") and "body was not fetched" in email.reason
    capsys.readouterr()
    cli._quarantine(mail_app, argparse.Namespace(json=True))
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["reason"].startswith("too large:")


def test_our_own_mail_bulk_mail_and_unknown_references_never_become_applications(mail_app, imap, smtp_sink):
    """A loop through the shared mailbox, a newsletter, and someone quoting a reference that does not
    exist all wait where a person (or nobody) should see them; only the person is answered, and not with
    a reference."""
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Application to join the Bristol IAG",
                "Forwarded to ourselves.",
                sender="Strategic IAG <StrategicIAG@avonandsomerset.police.uk>",
            ),
            mailgen.plain(
                "Join us at the summer fair",
                "Come along!",
                sender="news@example.org",
                List_Unsubscribe="<https://news.example/unsubscribe>",
            ),
            mailgen.plain(
                "My application IAG-AAAA-BBBB",
                "I would like to join; is my application going ahead?",
                sender="kim@example.org",
            ),
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        rows = {e.subject: (e.kind, e.reason) for e in session.scalars(select(InboundEmail))}
        assert session.scalar(select(func.count()).select_from(Application)) == 0
    assert rows["Application to join the Bristol IAG"] == (EmailKind.AUTOMATIC, "sent from our own mailbox")
    assert rows["Join us at the summer fair"] == (EmailKind.AUTOMATIC, "bulk mail (List-Unsubscribe)")
    assert rows["My application IAG-AAAA-BBBB"] == (
        EmailKind.NEEDS_TRIAGE,
        "quotes a reference no application has: IAG-AAAA-BBBB",
    )
    assert outgoing.send_due(mail_app) == (1, 0)
    answer = smtp_sink.wait_for(lambda m: m["To"] == "kim@example.org")
    assert answer["Subject"] == "We have received your email"
    assert "reply within 20 working days" in " ".join(answer.get_content().split())


def test_a_reference_quoted_in_the_body_files_the_email_with_its_application(mail_app, imap):
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Application to join the Bristol IAG", "Please consider me.", sender="lee@example.org"
            )
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        application = session.scalar(select(Application))
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Hello again",
                "Can I still come on Tuesday?\n\n"
                f"> We have given your application the reference\n> {application.reference}.",
                sender="lee@example.org",
            )
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        reply = session.scalar(select(InboundEmail).where(InboundEmail.subject == "Hello again"))
        assert (reply.kind, reply.application_id) == (EmailKind.REPLY, application.id)


def test_no_acknowledgement_goes_to_a_sender_our_server_found_forged(mail_app, imap):
    """Our receiving server says the sender's domain did not authorise the message: the application is
    still made (a person will look), but the force's mailbox does not write to an address that may be
    someone else's."""
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Application to join the Bristol IAG",
                "Please consider me.",
                sender="ceo@bank.example",
                Authentication_Results="mx.avonandsomerset.police.uk; spf=fail; dmarc=fail (p=reject)",
            ),
            mailgen.plain("Application to join the Bristol IAG", "Me too.", sender="real@example.org"),
        ],
    )
    poll(mail_app)
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 2
        forged = session.scalar(select(InboundEmail).where(InboundEmail.from_address == "ceo@bank.example"))
        assert "DMARC failed" in forged.flags
        acknowledged = set(
            session.scalars(
                select(OutboxMessage.to_address).where(OutboxMessage.purpose == "acknowledgement")
            )
        )
    assert acknowledged == {"real@example.org"}
