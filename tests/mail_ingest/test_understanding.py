"""Mail understood, end to end through the real Dovecot: what people write becomes the right thing, with
its reason, and every person who wrote is answered once."""

from __future__ import annotations

from sqlalchemy import select

from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import blank_form, poll
from tests.review_journey import APPLICANT, act, invite_data, mails_to, reviewed, status_token
from webapp import outgoing
from webapp.db import session_scope
from webapp.models import (
    Application,
    Attachment,
    Discussion,
    EmailKind,
    EqualityFile,
    EqualityResponse,
    InboundEmail,
    Mark,
    OutboxMessage,
)

COLLEAGUE = "Pat Officer <pat.officer@avonandsomerset.police.uk>"


def emails(app) -> dict[str, InboundEmail]:
    with session_scope(app) as session:
        rows = session.scalars(select(InboundEmail)).all()
        session.expunge_all()
        return {row.subject: row for row in rows}


def application_of(app, email: InboundEmail) -> Application:
    with session_scope(app) as session:
        application = session.get_one(Application, email.application_id)
        _ = application.applicant, application.group
        session.expunge_all()
        return application


def sent(app) -> list[OutboxMessage]:
    with session_scope(app) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        session.expunge_all()
        return list(rows)


def test_what_a_person_writes_is_read_from_the_body_in_english_and_welsh(mail_app, imap):
    mailgen.append(
        imap,
        [
            mailgen.plain("IAG", "Hi, I'd like to apply to the Bristol IAG. My details are below.\nJo"),
            mailgen.plain("Helo", "Hoffwn ymuno â'r IAG. Rwy'n byw yng Nghaerdydd.", sender="cy@example.org"),
            mailgen.plain(
                "Question about joining",
                "What does membership involve? How often do you meet?",
                sender="q@x.org",
            ),
            mailgen.plain("Hello", "Could someone ring me please? 07700 900123", sender="ring@example.org"),
            mailgen.plain(
                "你好", "我想加入独立咨询小组。我住在布里斯托尔，希望为社区服务。", sender="zh@example.org"
            ),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    assert rows["IAG"].kind == EmailKind.NEW_APPLICATION
    assert rows["IAG"].reason == "asks to apply (“like to apply”); for the Bristol IAG"
    assert application_of(mail_app, rows["IAG"]).group.slug == "bristol"
    assert rows["Helo"].kind == EmailKind.NEW_APPLICATION
    assert rows["Helo"].reason.startswith("asks to apply (“Hoffwn ymuno”); group not known")
    assert (rows["Question about joining"].kind, rows["Question about joining"].reason) == (
        EmailKind.NEEDS_TRIAGE,
        "an enquiry (“?”)",
    )
    assert rows["Hello"].kind == EmailKind.NEEDS_TRIAGE
    assert rows["你好"].reason == "written in Chinese: someone needs to read it"
    # Everyone is answered once: applicants with their reference, everyone else that we have their email.
    by_address = {m.to_address: m for m in sent(mail_app)}
    assert by_address["sam@example.org"].subject.startswith("We have received your application: IAG-")
    assert by_address["cy@example.org"].subject.startswith("We have received your application: IAG-")
    for enquirer in ("q@x.org", "ring@example.org", "zh@example.org"):
        assert by_address[enquirer].subject == "We have received your email"
        assert "IAG-" not in by_address[enquirer].body_text
    assert len(sent(mail_app)) == 5


def test_a_form_inside_a_zip_or_in_a_forwarded_message_is_read(mail_app, client, imap, smtp_sink):
    blank = blank_form(client)
    form = mailgen.filled_form(
        blank, {"group": "Somerset IAG", "full_name": "Rhiannon Evans", "email": "rhiannon@example.org"}
    )
    original = mailgen.with_attachment(
        "Fy nghais", "cais.pdf", form, sender="Rhiannon Evans <rhiannon@example.org>", body="Dyma fy nghais."
    )
    mailgen.append(
        imap,
        [
            mailgen.with_attachment(
                "Solicitud",
                "formulario.zip",
                mailgen.zipped({"forms/application.pdf": form}),
                "application/zip",
                sender="Ana <ana@example.org>",
                body="Hola, adjunto mi formulario. Gracias por su tiempo y atención.",
            ),
            mailgen.forwarded(original, by=COLLEAGUE),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    zipped = rows["Solicitud"]
    assert zipped.kind == EmailKind.NEW_APPLICATION and zipped.reason.startswith(
        "a returned application form"
    )
    assert application_of(mail_app, zipped).applicant.name == "Rhiannon Evans"
    forwarded = rows["FW: application"]
    assert forwarded.kind == EmailKind.NEW_APPLICATION
    assert forwarded.reason == (
        "a returned application form; for the Somerset IAG; "
        "forwarded by pat.officer@avonandsomerset.police.uk"
    )
    with session_scope(mail_app) as session:
        names = set(session.scalars(select(Attachment.filename).where(Attachment.email_id == forwarded.id)))
    assert names == {"cais.pdf"}  # the forwarded message's own file, with the email
    # A colleague forwarded it: the person who wrote it is answered, not the colleague.
    assert "pat.officer@avonandsomerset.police.uk" not in {m.to_address for m in sent(mail_app)}
    assert "rhiannon@example.org" in {m.to_address for m in sent(mail_app)}


def test_a_forwarded_plain_application_credits_its_writer_not_the_forwarder(mail_app, imap):
    inline = (
        "Please see below.\n\n---------- Forwarded message ---------\nFrom: Kofi Mensah <kofi@example.org>\n"
        "Date: Mon, 30 Nov 2026 at 09:12\nSubject: Joining\nTo: <pat.officer@avonandsomerset.police.uk>\n\n"
        "I would like to join the Bristol IAG. I have lived in St Pauls for twenty years.\n"
    )
    mailgen.append(imap, [mailgen.plain("Fwd: Joining", inline, sender=COLLEAGUE)])
    poll(mail_app)
    email = emails(mail_app)["Fwd: Joining"]
    assert email.kind == EmailKind.NEW_APPLICATION, email.reason
    assert email.reason.endswith("forwarded by pat.officer@avonandsomerset.police.uk")
    applicant = application_of(mail_app, email).applicant
    assert (applicant.name, applicant.email) == ("Kofi Mensah", "kofi@example.org")
    assert [m.to_address for m in sent(mail_app)] == ["kofi@example.org"]


def test_a_stranger_forwarding_is_answered_themselves(mail_app, imap):
    """A "From:" line in a body can say anything: only a colleague's forward makes us write to it."""
    inline = (
        "FYI\n\nBegin forwarded message:\n\nFrom: Victim <victim@example.net>\nSubject: Join\n\n"
        "I'd like to join.\n"
    )
    mailgen.append(imap, [mailgen.plain("Fwd: Join", inline, sender="stranger@example.com")])
    poll(mail_app)
    assert [m.to_address for m in sent(mail_app)] == ["stranger@example.com"]


def test_the_sender_is_read_from_the_address_never_from_a_display_name(mail_app, imap):
    raw = mailgen.plain("Application to join", "I'd like to join.", sender="x@example.org")
    raw = raw.replace(
        b"From: x@example.org", b"From: =?utf-8?q?boss=40avonandsomerset=2Epolice=2Euk?= <real@example.org>"
    )
    mailgen.append(imap, [raw])
    poll(mail_app)
    email = emails(mail_app)["Application to join"]
    assert (email.from_address, email.from_name) == ("real@example.org", "boss@avonandsomerset.police.uk")
    assert email.kind == EmailKind.NEW_APPLICATION  # not mistaken for our own mailbox or a colleague


def test_an_unticked_declaration_is_kept_and_shown_on_the_case(mail_app, client, imap):
    from tests.review_journey import staff_client
    from webapp.workflow import Role

    form = mailgen.filled_form(blank_form(client), {"group": "Bristol IAG", "full_name": "Lee Unticked"})
    mailgen.append(imap, [mailgen.with_attachment("Application", "form.pdf", form, sender="lee@example.org")])
    poll(mail_app)
    email = emails(mail_app)["Application"]
    application = application_of(mail_app, email)
    assert application.answers["declaration"] == "not ticked"
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = " ".join(coordinator.get(f"/staff/applications/{application.id}").get_data(as_text=True).split())
    assert "The declaration on the returned form was not ticked" in page
    with session_scope(mail_app) as session:
        flags = session.scalar(select(Attachment.flags).where(Attachment.email_id == email.id))
    assert "the declaration was not ticked" in flags
    # The applicant is asked on their own page (the link in their acknowledgement), and confirms.
    own_page = f"/my-application/{status_token(mails_to(mail_app, 'lee@example.org')[-1])}"
    applicant = mail_app.test_client()
    asked = " ".join(applicant.get(own_page).get_data(as_text=True).split())
    assert "Please confirm the declaration" in asked and "Selflessness" in asked
    act(applicant, own_page, f"{own_page}/declaration")
    assert "Please confirm the declaration" not in applicant.get(own_page).get_data(as_text=True)
    page = " ".join(coordinator.get(f"/staff/applications/{application.id}").get_data(as_text=True).split())
    assert "The declaration on the returned form was not ticked" not in page
    assert "Declaration confirmed" in page  # on the timeline


def test_a_calendar_answer_is_recorded_on_the_discussion(mail_app, client, imap):
    reference, url, coordinator, _chair = reviewed(mail_app, client)
    act(coordinator, f"{url}/invite", data=invite_data())
    invitation = mails_to(mail_app, APPLICANT)[-1]
    assert any(a["content_type"] == "text/calendar" for a in invitation.attachments)
    uid = f"discussion-{reference}@avonandsomerset.police.uk"
    mailgen.append(imap, [mailgen.calendar_reply(uid, "accepted", APPLICANT)])  # Outlook sends no thread
    poll(mail_app)
    email = emails(mail_app)["Accepted: Informal discussion"]
    assert (email.kind, email.reason) == (EmailKind.REPLY, "calendar reply: accepted")
    with session_scope(mail_app) as session:
        discussion = session.scalar(select(Discussion))
        assert discussion.response == "accepted" and discussion.responded_at is not None
    page = " ".join(coordinator.get(url).get_data(as_text=True).split())
    assert "Accepted the calendar invitation" in page
    assert not [m for m in sent(mail_app) if m.to_address == APPLICANT and m.purpose]  # not acknowledged


def test_an_equality_form_that_cannot_be_read_is_kept_apart_never_a_reviewers_attachment(
    mail_app, client, imap
):
    monitoring = mailgen.filled_form(blank_form(client, "monitoring"), {"age_band": "25 to 34"})
    form = mailgen.filled_form(blank_form(client), {"group": "Bristol IAG", "full_name": "Sam Scan"})
    message = mailgen.with_attachment("My application", "application.pdf", form)
    raw = mailgen.add_attachments(
        message,
        {
            "Equal opportunities form (scan).jpg": (b"\xff\xd8\xff\xe0" + b"\0" * 200, "image/jpeg"),
            "eo.pdf": (b"GATEWAY-STAMP\r\n" + monitoring[:5000], "application/pdf"),  # damaged: bytes first
        },
    )
    mailgen.append(imap, [raw])
    poll(mail_app)
    email = emails(mail_app)["My application"]
    assert email.kind == EmailKind.NEW_APPLICATION
    with session_scope(mail_app) as session:
        kept = {
            a.filename for a in session.scalars(select(Attachment).where(Attachment.email_id == email.id))
        }
        apart = {f.filename for f in session.scalars(select(EqualityFile))}
        assert session.scalar(select(EqualityResponse)) is None  # nothing could be read from them
    assert kept == {"application.pdf"}
    assert apart == {"Equal opportunities form (scan).jpg", "eo.pdf"}
    assert "kept apart" in email.flags


def test_a_docx_zip_bomb_is_quarantined_and_not_answered(mail_app, imap):
    mailgen.append(
        imap,
        [mailgen.with_attachment("Application", "cv.docx", mailgen.zip_bomb_docx(), mailgen.DOCX_TYPE)],
    )
    poll(mail_app)
    email = emails(mail_app)["Application"]
    assert email.kind == EmailKind.QUARANTINED and "zip bomb" in email.reason
    assert mailgen.folder_counts(imap)["Quarantine"] == 1
    assert sent(mail_app) == [] and outgoing.send_due(mail_app) == (0, 0)


def test_a_photo_nobody_can_read_is_in_triage_as_what_may_be_an_application_a_signature_logo_is_not(
    mail_app, imap
):
    photo = mailgen.with_attachment(
        "Bristol", "IMG_2041.jpg", b"\xff\xd8\xff\xe0" + b"\1" * 500, "image/jpeg", body="Sent from my iPhone"
    )
    logo = mailgen.inline_logo("Thanks for the meeting", "Thanks all, good to see you.")
    mailgen.append(imap, [photo, logo])
    poll(mail_app)
    rows = emails(mail_app)
    # A photo alone is not evidence of an application (precision before recall): a person looks.
    assert (rows["Bristol"].kind, rows["Bristol"].mark) == (EmailKind.NEEDS_TRIAGE, Mark.MAY_BE_APPLICATION)
    assert rows["Bristol"].reason == "may be an application: a photo, its text not readable"
    assert rows["Thanks for the meeting"].kind == EmailKind.NEEDS_TRIAGE
    assert rows["Thanks for the meeting"].mark is None  # a logo in a signature is no attachment of theirs


def test_only_the_equality_reporter_and_system_admins_can_open_an_unreadable_equality_form(mail_app, imap):
    from tests.review_journey import staff_client
    from webapp.workflow import Role

    raw = mailgen.with_attachment(
        "Monitoring", "diversity form.jpg", b"\xff\xd8\xff\xe0" + b"\2" * 300, "image/jpeg"
    )
    mailgen.append(imap, [raw])
    poll(mail_app)
    with session_scope(mail_app) as session:
        kept = session.scalar(select(EqualityFile))
        assert session.scalar(select(Attachment)) is None
    url = f"/staff/equality/forms/{kept.id}"
    reporter = staff_client(mail_app, "eq@force.example", Role.EQUALITY_REPORTER, None)
    assert "diversity form.jpg" in reporter.get("/staff/equality").get_data(as_text=True)
    opened = reporter.get(url)
    assert opened.status_code == 200 and opened.data.startswith(b"\xff\xd8\xff")
    admin = staff_client(mail_app, "root@force.example", Role.SYSTEM_ADMIN, None)
    assert admin.get(url).status_code == 200
    for role, group in (
        (Role.POLICE_COORDINATOR, "bristol"),
        (Role.ADMIN_TEAM, "bristol"),
        (Role.CHAIR, "bristol"),
    ):
        other = staff_client(mail_app, f"{role.name.lower()}@force.example", role, group)
        assert other.get(url).status_code == 404
    # The email itself waits in triage, without the form.
    email = emails(mail_app)["Monitoring"]
    team = staff_client(mail_app, "team@force.example", Role.ADMIN_TEAM, "bristol")
    shown = team.get(f"/staff/emails/{email.id}").get_data(as_text=True)
    assert email.kind == EmailKind.NEEDS_TRIAGE and "Monitoring" in shown and "diversity form" not in shown
