"""Precision before recall, end to end through the real Dovecot on both databases: an application is made
only on strong evidence; anything weaker, anything for someone else and anything with a legal clock goes to
triage marked as such; nothing automatic, spam or forged is answered; a bounce of our own email marks it
bounced on the case. (The second corpus, tests/mail_ingest/fixtures/unseen, is scored by
bench/classification.py.)"""

from __future__ import annotations

import io
import secrets
from dataclasses import replace

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import blank_form, poll
from tests.mail_ingest.test_understanding import emails, sent
from tests.review_journey import staff_client
from webapp import outgoing
from webapp.clock import UK, month_after, now
from webapp.db import session_scope
from webapp.models import (
    Application,
    Attachment,
    EmailKind,
    Mark,
    Notification,
    OutboxMessage,
    OutboxStatus,
)
from webapp.workflow import Role

ACKS = {"We have received your email", "We have received your application"}
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def answers_to(app, subject_of_theirs: str) -> list[str]:
    """The subjects of what we sent in answer to the email with this subject."""
    email = emails(app)[subject_of_theirs]
    return [m.subject for m in sent(app) if m.headers.get("In-Reply-To") == email.message_id]


def photo(lines: list[str]) -> bytes:
    """A phone photo of a page with these lines written on it."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(DEJAVU, 34)
    for number, line in enumerate(lines):
        draw.text((90, 120 + number * 70), line, fill="black", font=font)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_weak_evidence_goes_to_triage_with_what_it_may_be_and_no_claim_of_an_application(
    mail_app, client, imap
):
    receipt = photo(
        ["BRISTOL TAXIS", "Receipt 0042", "Trinity Road to Temple Meads", "Total 12.50", "Thank you"]
    )
    blank = blank_form(client)
    mailgen.append(
        imap,
        [
            mailgen.with_attachment("Receipt", "IMG_2041.jpg", receipt, sender="Kim <kim@example.org>"),
            mailgen.with_attachment(
                "FW: IAG form", "iag-application-form.pdf", blank, sender="Lee <lee@example.org>"
            ),
            mailgen.plain("Membership", "Membership", sender="Ash <ash@example.org>"),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    assert (rows["Receipt"].kind, rows["Receipt"].mark) == (EmailKind.NEEDS_TRIAGE, Mark.MAY_BE_APPLICATION)
    assert rows["Receipt"].reason == "may be an application: a photo"
    assert (rows["FW: IAG form"].kind, rows["FW: IAG form"].mark) == (EmailKind.NEEDS_TRIAGE, Mark.BLANK_FORM)
    assert rows["Membership"].mark == Mark.MAY_BE_APPLICATION
    with session_scope(mail_app) as session:
        assert session.scalar(select(Application)) is None
    outgoing.send_due(mail_app)
    for subject in ("Receipt", "FW: IAG form", "Membership"):
        assert answers_to(mail_app, subject) == ["We have received your email"]  # never "your application"


def test_the_paper_form_photographed_and_filled_in_becomes_an_application_for_the_group_written_on_it(
    mail_app, imap
):
    form = photo(PAPER_FORM)
    mailgen.append(
        imap, [mailgen.with_attachment("form", "IMG_5120.jpg", form, sender="amira.h@example.org")]
    )
    poll(mail_app)
    email = emails(mail_app)["form"]
    assert email.kind == EmailKind.NEW_APPLICATION
    assert email.reason.startswith("the application form, filled in, as a photo (IMG_5120.jpg)")
    with session_scope(mail_app) as session:
        application = session.get_one(Application, email.application_id)
        assert application.group is not None and application.group.slug == "north-somerset"
        assert "Amira Hassan" in application.answers["document_text"]


def test_requests_with_a_legal_clock_or_for_someone_else_are_marked_with_their_contact(mail_app, imap, app):
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Subject access request",
                "Under the UK GDPR I am asking for a copy of all the personal data you hold about me, "
                "including my IAG application from last year.",
                sender="dana@example.org",
            ),
            mailgen.plain(
                "Request",
                "Under the Freedom of Information Act, how many people applied to join an IAG in 2025?",
                sender="reporter@example.org",
            ),
            mailgen.plain(
                "Officer at the stop",
                "I want to make a complaint about the officer who searched my son last night.",
                sender="parent@example.org",
            ),
            mailgen.plain(
                "Application",
                "Please find my application for the role of police constable (PCDA), with my CV.",
                sender="recruit@example.org",
            ),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    sar = rows["Subject access request"]
    assert (sar.kind, sar.mark) == (EmailKind.NEEDS_TRIAGE, Mark.SUBJECT_ACCESS)
    assert sar.due_on == month_after(now().astimezone(UK).date())
    assert rows["Request"].mark == Mark.FREEDOM_OF_INFORMATION
    assert rows["Officer at the stop"].mark == Mark.COMPLAINT
    assert rows["Application"].mark == Mark.JOB_APPLICATION  # not an application to an IAG
    admin = staff_client(app, "admin.team@force.example", Role.ADMIN_TEAM, "bristol")
    page = admin.get(f"/staff/emails/{sar.id}").get_data(as_text=True)
    assert "Subject access request." in page and "one month from when it arrived" in page
    assert "subject access export" in page
    foi = admin.get(f"/staff/emails/{rows['Request'].id}").get_data(as_text=True)
    assert "FreedomOfInformation@avonandsomerset.police.uk" in foi
    listing = admin.get("/staff/triage").get_data(as_text=True)
    assert "Subject access request</strong> due" in listing


def test_automatic_spam_and_members_mail_are_never_taken_for_a_person_applying(mail_app, imap, app):
    exchange = mailgen.plain(
        "Automatic reply: Application received",
        "I am out of the office until Monday.",
        sender="known@example.org",
        X_Auto_Response_Suppress="All",
        X_MS_Exchange_Organization_AuthAs="Internal",
    )
    french = mailgen.plain("Réponse automatique : IAG", "Je suis absente.", sender="fr@example.org")
    phishing = mailgen.plain(
        "Join our IAG application portal",
        "I would like to apply: verify your account at the link.",
        sender="it-support@example.net",
        X_MS_Exchange_Organization_SCL="9",
        X_Forefront_Antispam_Report="CIP:203.0.113.5;CTRY:;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;",
    )
    mailgen.append(imap, [exchange, french, phishing])
    poll(mail_app)
    rows = emails(mail_app)
    for subject in (
        "Automatic reply: Application received",
        "Réponse automatique : IAG",
        "Join our IAG application portal",
    ):
        assert rows[subject].kind == EmailKind.AUTOMATIC, rows[subject].reason
    assert "spam" in rows["Join our IAG application portal"].reason
    outgoing.send_due(mail_app)
    assert not [m for m in sent(mail_app) if m.subject.startswith(tuple(ACKS))]


def test_a_members_own_email_goes_to_triage_marked_as_a_members(mail_app, imap, app):
    from tests.mail_ingest import unseen

    with session_scope(mail_app) as session:
        unseen.arrange(session)
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Apologies for Thursday",
                "Sorry, I can't make it in person; I would like to join by Teams if that's OK.",
                sender=f"Sam Member <{unseen.MEMBER[1]}>",
            )
        ],
    )
    poll(mail_app)
    email = emails(mail_app)["Apologies for Thursday"]
    assert (email.kind, email.mark) == (EmailKind.NEEDS_TRIAGE, Mark.MEMBER)
    assert email.application_id is None  # never an application, whatever the words


def test_a_bounce_of_our_acknowledgement_marks_it_bounced_on_the_case_and_tells_the_groups_staff(
    mail_app, imap, smtp_sink, app
):
    coordinator = staff_client(app, "coordinator@force.example", Role.POLICE_COORDINATOR, "bristol")
    jo = f"jo.{secrets.token_hex(4)}@btinternet.con"  # the SMTP sink is shared by every test of the run
    mailgen.append(
        imap,
        [mailgen.plain("Bristol IAG", "I would like to apply to join the Bristol IAG.", sender=jo)],
    )
    poll(mail_app)
    outgoing.send_due(mail_app)
    ack = smtp_sink.wait_for(lambda m: m["To"] == jo)
    sent_id = str(ack["Message-ID"]).strip()
    delay = mailgen.bounce(sent_id, jo, action="delayed", status="4.4.7")
    mailgen.append(imap, [delay])
    poll(mail_app)
    with session_scope(mail_app) as session:
        ours = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == sent_id)).one()
        assert ours.status == OutboxStatus.SENT  # a delay is not a bounce
    mailgen.append(imap, [mailgen.bounce(sent_id, jo)])
    poll(mail_app)
    with session_scope(mail_app) as session:
        ours = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == sent_id)).one()
        assert ours.status == OutboxStatus.BOUNCED and "5.1.1" in ours.last_error
        application_id = ours.application_id
        told = session.scalars(select(Notification)).all()
        assert any("did not accept our email" in n.summary for n in told)
    page = coordinator.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "The applicant's address did not accept our email" in page and "5.1.1" in page


def test_forms_in_winmail_dat_and_signed_mail_and_an_iphone_photo_become_applications_encrypted_mail_cannot(
    mail_app, client, imap
):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7
    from pillow_heif import from_pillow

    from tests.unit import test_containers as shapes

    form = mailgen.filled_form(
        blank_form(client),
        {"group": "Bristol IAG", "full_name": "Rhian Evans", "email": "rhian.evans@example.org"},
    )
    winmail = shapes.tnef(
        shapes.tnef_message_props(), shapes.tnef_file("IAG application.pdf", "IAGAPP~1.PDF", form)
    )
    certificate, key = shapes.signer("rsa")
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(shapes.outlook_entity("My application form.", form))
        .add_signer(certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [])
    )
    sealed = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(shapes.outlook_entity("Secret application.", form))
        .add_recipient(certificate)
        .encrypt(serialization.Encoding.DER, [])
    )
    page = Image.open(io.BytesIO(photo(PAPER_FORM))).rotate(90, expand=True)  # held sideways...
    heic = from_pillow(page)
    exif = Image.Exif()
    exif[0x0112] = 8  # ...and the phone says how to turn it upright
    out = io.BytesIO()
    heic.save(out, exif=exif.tobytes())

    def titled(raw: bytes, subject: str) -> bytes:
        """One of the shapes, as a message of its own (the shapes share a subject and Message-IDs)."""
        raw = raw.replace(b"Subject: IAG application", f"Subject: {subject}".encode(), 1)
        return raw.replace(b"Message-ID: <", f"Message-ID: <{subject.lower()}.".encode(), 1)

    mailgen.append(
        imap,
        [
            titled(shapes.outlook_with_winmail(winmail), "Outlook"),
            titled(shapes.outlook_smime(signed, "signed-data"), "Signed"),
            titled(shapes.outlook_smime(sealed, "enveloped-data"), "Encrypted"),
            mailgen.with_attachment(
                "form", "IMG_4822.HEIC", out.getvalue(), "image/heic", sender="amira.h@example.org"
            ),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    for subject in ("Outlook", "Signed"):
        assert (rows[subject].kind, rows[subject].reason) == (
            EmailKind.NEW_APPLICATION,
            "a returned application form; for the Bristol IAG",
        ), subject
    assert (rows["Encrypted"].kind, rows["Encrypted"].mark) == (EmailKind.NEEDS_TRIAGE, Mark.NOT_OPENED)
    assert "encrypted with S/MIME" in rows["Encrypted"].reason
    assert rows["form"].kind == EmailKind.NEW_APPLICATION, rows["form"].reason
    with session_scope(mail_app) as session:
        application = session.get_one(Application, rows["form"].application_id)
        assert application.group is not None and application.group.slug == "north-somerset"


PAPER_FORM = [
    "Application to join an Independent Advisory Group",
    "Which group would you like to join?",
    "North Somerset IAG",
    "Full name",
    "Amira Hassan",
    "Email address",
    "amira.hassan@example.org",
    "Phone number (optional)",
    "07700 900456",
    "Why do you want to join?",
]


def test_mail_in_a_language_we_do_not_read_is_named_and_told_in_english_that_we_will_reply(mail_app, imap):
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "Grupa",
                "Dzień dobry, chciałabym dołączyć do grupy w Bristolu. Pozdrawiam, Anna",
                sender="anna@example.pl",
            )
        ],
    )
    poll(mail_app)
    email = emails(mail_app)["Grupa"]
    assert (email.kind, email.mark) == (EmailKind.NEEDS_TRIAGE, Mark.LANGUAGE)
    assert email.reason == "written in Polish: someone needs to read it"
    outgoing.send_due(mail_app)
    [answer] = [m for m in sent(mail_app) if m.headers.get("In-Reply-To") == email.message_id]
    assert "We can see that you wrote to us in Polish. We will reply in English" in " ".join(
        answer.body_text.split()
    )


def test_a_request_for_another_team_is_passed_on_with_the_standard_reply_naming_its_contact(
    mail_app, imap, app
):
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "FOI",
                "Under the Freedom of Information Act, how much did the IAGs cost in 2025?",
                sender="reporter@example.org",
            )
        ],
    )
    poll(mail_app)
    email = emails(mail_app)["FOI"]
    admin = staff_client(app, "admin.team@force.example", Role.ADMIN_TEAM, "bristol")
    page = admin.get(f"/staff/emails/{email.id}")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    done = admin.post(f"/staff/emails/{email.id}/pass-on", data={"csrf_token": token}, follow_redirects=True)
    assert "Passed on to FreedomOfInformation@avonandsomerset.police.uk" in done.get_data(as_text=True)
    filed = emails(mail_app)["FOI"]
    assert filed.kind == EmailKind.NOT_APPLICATION
    assert (
        filed.reason
        == "freedom of information request: passed on to FreedomOfInformation@avonandsomerset.police.uk"
    )
    [reply] = [m for m in sent(mail_app) if m.subject == "Your email has been passed on"]
    assert reply.to_address == "reporter@example.org"
    assert "Freedom of Information request" in reply.body_text
    assert "FreedomOfInformation@avonandsomerset.police.uk" in reply.body_text


def test_a_bounce_of_a_staff_notification_is_marked_and_tells_nobody_so_no_mail_loop_starts(mail_app, imap):
    from webapp.services import outbox

    with session_scope(mail_app) as session:
        message_id = outbox.queue(
            session,
            to="full.mailbox@force.example",
            subject="A new application in the Bristol IAG",
            body="A new application.",
            sender_domain="avonandsomerset.police.uk",
            purpose="notification",
        ).message_id
    outgoing.send_due(mail_app)
    mailgen.append(imap, [mailgen.bounce(message_id, "full.mailbox@force.example", status="5.2.2")])
    poll(mail_app)
    with session_scope(mail_app) as session:
        ours = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one()
        assert ours.status == OutboxStatus.BOUNCED
        assert session.scalars(select(Notification)).all() == []  # nobody emailed: no loop
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        assert waiting.all() == []


def test_passing_on_twice_or_without_a_contact_is_refused_with_a_reason_and_sends_nothing_more(
    mail_app, imap, app, monkeypatch
):
    mailgen.append(
        imap,
        [
            mailgen.plain(
                "FOI", "A Freedom of Information request: what did the IAGs cost?", sender="a@example.org"
            ),
        ],
    )
    poll(mail_app)
    email = emails(mail_app)["FOI"]
    admin = staff_client(app, "admin.team@force.example", Role.ADMIN_TEAM, "bristol")

    def post() -> str:
        page = admin.get(f"/staff/emails/{email.id}").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        return admin.post(f"/staff/emails/{email.id}/pass-on", data={"csrf_token": token}).get_data(
            as_text=True
        )

    deployment = app.extensions["deployment"]
    with monkeypatch.context() as patched:  # a force that set no FOI contact
        patched.setitem(app.extensions, "deployment", replace(deployment, contacts={}))
        refused = post()
    assert "No contact is set for this in the deployment file" in refused and "There is a problem" in refused
    post()
    again = post()
    assert "This email has already been filed: nothing was sent" in again
    replies = [m for m in sent(mail_app) if m.subject == "Your email has been passed on"]
    assert len(replies) == 1


def test_a_filled_form_printed_to_pdf_reaches_the_reviewers_as_an_application(
    mail_app, client, imap, tmp_path
):
    """ "Print to PDF" flattens the form: no fields left, only its words, answers included. Its note that
    equal opportunities monitoring is on a separate form must not make it look like that form."""
    import subprocess

    filled = tmp_path / "filled.pdf"
    filled.write_bytes(
        mailgen.filled_form(
            blank_form(client),
            {"group": "North Somerset IAG", "full_name": "Karen Whitfield", "email": "karen.w@example.org"},
        )
    )
    subprocess.run(["pdftocairo", "-pdf", str(filled), str(tmp_path / "flat.pdf")], check=True)
    flat = (tmp_path / "flat.pdf").read_bytes()
    mailgen.append(
        imap, [mailgen.with_attachment("Form", "IAG form.pdf", flat, sender="karen.w@example.org")]
    )
    poll(mail_app)
    email = emails(mail_app)["Form"]
    assert email.kind == EmailKind.NEW_APPLICATION, email.reason
    assert email.reason.startswith("the application form, filled in, as a PDF (IAG form.pdf)")
    with session_scope(mail_app) as session:
        attachment = session.scalars(select(Attachment).where(Attachment.email_id == email.id)).one()
        assert attachment.filename == "IAG form.pdf"  # kept with the case, not hidden as equality data


def test_equal_opportunities_forms_in_a_phone_photo_or_inside_the_applications_pdf_never_reach_reviewers(
    mail_app, client, imap, tmp_path
):
    """The second security review (medium 3): a phone photo with an ordinary name, one PDF with the
    application on its first pages and the monitoring form after, and a monitoring page whose heading a
    force reworded: each is kept with the equality data, never as an attachment a reviewer can open."""
    import subprocess

    from pypdf import PdfReader, PdfWriter

    from webapp.models import EqualityFile

    monitoring = tmp_path / "monitoring.pdf"
    monitoring.write_bytes(
        mailgen.filled_form(blank_form(client, "monitoring"), {"religion": "Prefer not to say"})
    )
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", str(monitoring), str(tmp_path / "p")],
        check=True,
    )
    snapshot = (tmp_path / "p-1.png").read_bytes()
    application = mailgen.filled_form(
        blank_form(client), {"group": "Bristol IAG", "full_name": "Jo Ames", "email": "jo.ames@example.org"}
    )
    both = PdfWriter()
    for data in (application, monitoring.read_bytes()):
        for page in PdfReader(io.BytesIO(data)).pages:
            both.add_page(page)  # pages only (as "combine files" in a PDF tool): no form fields carried
    combined = io.BytesIO()
    both.write(combined)
    reworded = photo(
        ["Diversity questionnaire", "Your ethnicity", "Your religion", "IAG-EO-1 Equal opportunities"]
    )
    mailgen.append(
        imap,
        [
            mailgen.with_attachment("Photo", "IMG_2041.png", snapshot, "image/png", sender="a@example.org"),
            mailgen.with_attachment("Both", "forms.pdf", combined.getvalue(), sender="jo.ames@example.org"),
            mailgen.with_attachment("Reworded", "scan.jpg", reworded, "image/jpeg", sender="b@example.org"),
        ],
    )
    poll(mail_app)
    rows = emails(mail_app)
    with session_scope(mail_app) as session:
        for subject in ("Photo", "Both", "Reworded"):
            shown = session.scalars(select(Attachment).where(Attachment.email_id == rows[subject].id)).all()
            kept = session.scalars(
                select(EqualityFile).where(EqualityFile.email_id == rows[subject].id)
            ).all()
            assert (shown, len(kept)) == ([], 1), subject
