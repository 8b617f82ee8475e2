"""The corpus of mail shapes in tests/mail_ingest/fixtures/corpus: what real mail programs, phones, lists,
servers and people send to a shared mailbox, each file named by what it must become
(`<kind>--<shape>.eml`). The files are fixed bytes, committed; this module wrote them once
(`python -m tests.mail_ingest.corpus` writes them again, for a new shape) and arranges the database
they refer to: one known application with an acknowledgement sent and a discussion to answer.

Used by tests/mail_ingest/test_corpus.py (through Dovecot) and bench/classification.py (the confusion
table)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path

from tests.mail_ingest import mailgen
from webapp.models import EmailKind

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
MAILBOX = mailgen.MAILBOX
KNOWN_REFERENCE = "IAG-BQ7K-M2XD"
UNKNOWN_REFERENCE = "IAG-ZZ9Z-99ZZ"
KNOWN_ACK = "<known-ack-1@avonandsomerset.police.uk>"
KNOWN_APPLICANT = "known.applicant@example.org"
COLLEAGUE = "Pat Officer <pat.officer@avonandsomerset.police.uk>"
KINDS = {kind.value.replace(" ", "-"): kind for kind in EmailKind}


def expected(path: Path) -> EmailKind:
    return KINDS[path.name.split("--", 1)[0]]


def files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))


def arrange(session) -> None:
    """The known application the replies in the corpus answer, with our acknowledgement's Message-ID
    and a discussion its calendar answers are about."""
    from sqlalchemy import select

    from webapp.clock import now
    from webapp.models import Applicant, Application, Discussion, Group, OutboxMessage, Source, StaffUser

    bristol = session.scalar(select(Group).where(Group.slug == "bristol"))
    application = Application(
        reference=KNOWN_REFERENCE,
        group=bristol,
        applicant=Applicant(name="Known Applicant", email=KNOWN_APPLICANT),
        source=Source.WEB,
        state="discussion invited",
        answers={},
        submitted_at=now(),
    )
    session.add(application)
    staff = StaffUser(email="corpus.coordinator@force.example", name="Corpus Coordinator")
    session.add(staff)
    session.flush()
    session.add(
        OutboxMessage(
            message_id=KNOWN_ACK,
            to_address=KNOWN_APPLICANT,
            subject=f"Application received: {KNOWN_REFERENCE}",
            body_text="Thank you",
            application_id=application.id,
            status="sent",
        )
    )
    session.add(
        Discussion(
            application_id=application.id, starts_at=now(), place="Trinity Road", created_by_id=staff.id
        )
    )


# --- Building blocks -------------------------------------------------------------------------------------

DATE = format_datetime(datetime(2026, 11, 24, 9, 41, tzinfo=UTC))
counter = iter(range(1, 1000))


def _headers(message, sender: str, subject: str, client: str, to: str = MAILBOX, **extra: str) -> None:
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = DATE
    message["Message-ID"] = f"<corpus-{next(counter)}@{sender.rsplit('@', 1)[-1].rstrip('>')}>"
    message["MIME-Version"] = "1.0"
    for name, value in CLIENTS[client].items():
        message[name] = value
    for name, value in extra.items():
        message[name.replace("_", "-")] = value


CLIENTS = {
    "outlook": {
        "X-Mailer": "Microsoft Outlook 16.0",
        "Thread-Index": "AdlQ3k7Yz1hH2m0eQ0W6mZs5bq9x1Q==",
        "X-MS-Has-Attach": "yes",
        "X-MS-Exchange-Organization-SCL": "1",
        "Authentication-Results": "mx.avonandsomerset.police.uk; spf=pass; dkim=pass; dmarc=pass",
    },
    "gmail": {
        "X-Gm-Message-State": "AOJu0YwQ2",
        "Authentication-Results": "mx.avonandsomerset.police.uk; spf=pass smtp.mailfrom=gmail.com; dmarc=pass",
    },
    "apple": {"X-Mailer": "Apple Mail (2.3774.400.31)"},
    "iphone": {"X-Mailer": "iPhone Mail (21F90)"},
    "android": {"X-Mailer": "Samsung Email"},
    "thunderbird": {"User-Agent": "Mozilla Thunderbird"},
    "server": {},
}


def _alternative(text: str, html: str | None = None) -> MIMEMultipart:
    part = MIMEMultipart("alternative")
    part.attach(MIMEText(text, "plain", "utf-8"))
    part.attach(
        MIMEText(
            html
            or "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</body></html>",
            "html",
            "utf-8",
        )
    )
    return part


def person(
    subject: str,
    text: str,
    sender: str = "Sam Person <sam.person@example.org>",
    client: str = "outlook",
    files: dict[str, tuple[bytes, str]] | None = None,
    html_only: bool = False,
    charset: str = "utf-8",
    **extra: str,
) -> bytes:
    """What a person's mail program sends: text and HTML, and any files attached."""
    if html_only:
        body: MIMEBase = MIMEText(
            f"<html><body><div>{text.replace(chr(10), '<br>')}</div></body></html>", "html", charset
        )
    elif client in {"outlook", "gmail", "apple"}:
        body = _alternative(text)
    else:
        body = MIMEText(text, "plain", charset)
    if files:
        message: MIMEBase = MIMEMultipart("mixed")
        message.attach(body)
        for name, (data, content_type) in files.items():
            maintype, subtype = content_type.split("/", 1)
            part = MIMEBase(maintype, subtype)
            part.set_payload(data)
            from email import encoders

            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=name)
            message.attach(part)
    else:
        message = body
    _headers(message, sender, subject, client, **extra)
    return message.as_bytes()


def reply(
    subject: str,
    text: str,
    client: str = "gmail",
    sender: str = f"Known Applicant <{KNOWN_APPLICANT}>",
    **extra,
) -> bytes:
    return person(subject, text, sender=sender, client=client, **extra)


def calendar_answer(answer: str, subject: str, client: str) -> bytes:
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:-//corpus//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={answer};CN=Known Applicant:mailto:{KNOWN_APPLICANT}\r\n"
        f"UID:discussion-{KNOWN_REFERENCE}@avonandsomerset.police.uk\r\nDTSTAMP:20261124T094100Z\r\n"
        "SEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = MIMEMultipart("alternative")
    message.attach(MIMEText(subject, "plain", "utf-8"))
    message.attach(MIMEText(ics, "calendar; method=REPLY", "utf-8"))
    _headers(message, f"Known Applicant <{KNOWN_APPLICANT}>", subject, client)
    return message.as_bytes()


def report(kind: str, sender: str, subject: str, text: str) -> bytes:
    message = MIMEMultipart("report", report_type=kind)
    message.attach(MIMEText(text, "plain", "utf-8"))
    if kind == "delivery-status":
        message.attach(
            MIMEApplication(
                b"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.1.1\n",
                "delivery-status",
            )
        )
    else:
        message.attach(
            MIMEApplication(
                b"Final-Recipient: rfc822; x@example.net\nDisposition: manual-action/MDN-sent-manually; displayed\n",
                "disposition-notification",
            )
        )
    _headers(message, sender, subject, "server")
    return message.as_bytes()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cv.txt", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


SCAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PDF, ZIP, JPG = "application/pdf", "application/zip", "image/jpeg"
DOCX = mailgen.DOCX_TYPE


def shapes(application_form, monitoring_form) -> dict[str, bytes]:
    """Every shape, by file name. `application_form(values)` and `monitoring_form(values)` fill our PDFs."""
    form = application_form(
        {
            "group": "Bristol IAG",
            "full_name": "Grace Okafor",
            "email": "grace@example.org",
            "declaration": "/Yes",
        }
    )
    unticked = application_form(
        {"group": "Somerset IAG", "full_name": "Lee Unticked", "email": "lee@example.org"}
    )
    monitoring = monitoring_form({"age_band": "25 to 34"})
    cv = mailgen.docx(["Curriculum vitae: Tomasz Nowak", "I would like to join the Bristol IAG."])
    original = person(
        "My application",
        "Please find my form attached.",
        "Rhian Evans <rhian@example.org>",
        "gmail",
        {"application.pdf": (form, PDF)},
    )
    many = ", ".join(f"person{n}@example.org" for n in range(24))
    found: dict[str, bytes] = {
        # --- New applications ------------------------------------------------------------------------
        "new-application--outlook-returned-form.eml": person(
            "IAG application",
            "Hello,\nPlease find my application attached.\nGrace",
            files={"application.pdf": (form, PDF)},
        ),
        "new-application--gmail-form-no-words.eml": person(
            "", "", "Grace O <grace.o@gmail.com>", "gmail", {"IAG form.pdf": (form, PDF)}
        ),
        "new-application--apple-form-in-zip.eml": person(
            "Forms",
            "Both attached in a zip",
            "g@icloud.com",
            "apple",
            {"forms.zip": (mailgen.zipped({"IAG/application.pdf": form}), ZIP)},
        ),
        "new-application--form-forwarded-by-colleague.eml": mailgen.forwarded(original, by=COLLEAGUE),
        "new-application--form-forwarded-base64.eml": mailgen.forwarded(original, by=COLLEAGUE, encode=True),
        "new-application--form-unticked-declaration.eml": person(
            "Application", "Form attached.", "lee@example.org", "thunderbird", {"form.pdf": (unticked, PDF)}
        ),
        "new-application--form-and-equality-form.eml": person(
            "Application and monitoring",
            "Both forms attached.",
            files={"application.pdf": (form, PDF), "monitoring.pdf": (monitoring, PDF)},
        ),
        "new-application--spanish-with-form.eml": person(
            "Solicitud",
            "Hola, adjunto mi formulario. Muchas gracias por su atención.",
            "Ana Ruiz <ana@example.es>",
            "gmail",
            {"formulario.pdf": (form, PDF)},
        ),
        "new-application--docx-cv.eml": person(
            "CV", "Attached.", "Tomasz Nowak <tomasz@example.pl>", "outlook", {"CV Tomasz.docx": (cv, DOCX)}
        ),
        "needs-triage--word-97-document.eml": person(
            "Bristol IAG",
            "See attached",
            "old.pc@example.org",
            "outlook",
            {"letter.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/msword")},
        ),
        "needs-triage--iphone-photo-of-paper-form.eml": person(
            "Bristol", "Sent from my iPhone", "Mo <mo@example.org>", "iphone", {"IMG_2041.JPG": (JPEG, JPG)}
        ),
        "needs-triage--scanned-pdf.eml": person(
            "Somerset IAG",
            "Here is my scanned form",
            "Jan <jan@example.org>",
            "android",
            {"scan0001.pdf": (SCAN_PDF, PDF)},
        ),
        "new-application--plain-iag-form-below.eml": person(
            "IAG",
            "Hi, I'd like to apply to be on the group. My details are below.\n\nName: Jo Bloggs\nArea: Easton",
            "Jo Bloggs <jo.bloggs@example.org>",
            "gmail",
        ),
        "new-application--welsh-hoffwn-ymuno.eml": person(
            "Helo",
            "Hoffwn ymuno â'r IAG. Rwy'n byw yng Nghaerdydd ers deng mlynedd.",
            "Siân <sian@example.cymru>",
            "outlook",
        ),
        "new-application--welsh-cais-subject.eml": person(
            "Cais i ymuno", "Dyma fy nghais. Diolch.", "Gethin <gethin@example.cymru>", "thunderbird"
        ),
        "new-application--please-accept-my-application.eml": person(
            "Somerset IAG",
            "Please accept this email as my application to join the Somerset IAG.",
            "Ruth <ruth@example.org>",
            "outlook",
        ),
        "new-application--html-only-outlook.eml": person(
            "Joining",
            "I would like to join the Bristol IAG.\nKind regards, Ade",
            "Ade <ade@example.org>",
            "outlook",
            html_only=True,
        ),
        "new-application--inline-forward-by-colleague.eml": person(
            "Fwd: Joining",
            "Please see below.\n\n---------- Forwarded message ---------\nFrom: Kofi Mensah <kofi@example.org>\nDate: Mon, 23 Nov 2026\nSubject: Joining\nTo: <pat.officer@avonandsomerset.police.uk>\n\nI would like to join the Bristol IAG.\n",
            COLLEAGUE,
            "gmail",
        ),
        "new-application--forwarded-docx-as-attachment.eml": mailgen.forwarded(
            person(
                "My CV",
                "I want to apply, CV attached",
                "Nia <nia@example.org>",
                "gmail",
                {"cv.docx": (cv, DOCX)},
            ),
            by=COLLEAGUE,
        ),
        "new-application--smime-signed.eml": _signed(
            person(
                "Membership",
                "I wish to apply for membership of the Strategic IAG.",
                "Dr K Shah <k.shah@nhs.example>",
                "server",
            )
        ),
        "needs-triage--outlook-tnef.eml": person(
            "Application to join",
            "I would like to join.",
            "rtf.user@example.org",
            "outlook",
            {"winmail.dat": (b"\x78\x9f\x3e\x22" + b"\0" * 200, "application/ms-tnef")},
        ),
        "new-application--android-short.eml": person(
            "Join", "Hi can I join? I'd like to apply. Thanks", "Dee <dee@example.org>", "android"
        ),
        "new-application--windows-1252-no-charset.eml": _no_charset(
            "Application", "I\x92d like to apply \x96 please find my details below.\n".encode("latin-1")
        ),
        "new-application--encoded-subject.eml": person(
            "Application – Bristol IAG",
            "Please find my application below.\nName: Precious",
            "Precious <precious@example.org>",
            "gmail",
        ),
        "new-application--subject-only.eml": person(
            "Membership application", "", "blank@example.org", "android"
        ),
        "new-application--colleague-applying-themselves.eml": person(
            "IAG",
            "I am a PCSO but I'd like to join the IAG as a resident of Bath.",
            "Chris PCSO <chris.pcso@avonandsomerset.police.uk>",
            "outlook",
        ),
        "new-application--display-name-pretending.eml": person(
            "Application",
            "I'd like to apply",
            "=?utf-8?q?StrategicIAG=40avonandsomerset=2Epolice=2Euk?= <real.person@example.org>",
            "gmail",
        ),
        # --- Replies to a case ---------------------------------------------------------------------
        "reply--gmail-in-reply-to.eml": reply(
            "Re: Application received", "Thank you!", In_Reply_To=KNOWN_ACK, References=KNOWN_ACK
        ),
        "reply--outlook-reference-in-subject.eml": reply(
            f"RE: Your application {KNOWN_REFERENCE}", "Yes, Tuesday suits me.", "outlook"
        ),
        "reply--reference-in-quoted-text.eml": reply(
            "Re: your email",
            f"That's fine.\n\nOn 20 Nov, IAG wrote:\n> Your reference is {KNOWN_REFERENCE}",
            "apple",
        ),
        "reply--reference-in-own-words.eml": reply(
            "Update", f"My reference is {KNOWN_REFERENCE}. I have moved house.", "thunderbird"
        ),
        "reply--lowercase-reference.eml": reply(
            "question", "about iag-bq7k-m2xd - can we move the meeting?", "android"
        ),
        "reply--iphone-threaded.eml": reply(
            "Re: Invitation", "Will do. Sent from my iPhone", "iphone", In_Reply_To=KNOWN_ACK
        ),
        "reply--html-only-references-chain.eml": reply(
            "Re: Re: Application received",
            "See you then",
            "outlook",
            html_only=True,
            References=f"<older@example.org> {KNOWN_ACK}",
        ),
        "reply--calendar-accepted-outlook.eml": calendar_answer(
            "ACCEPTED", "Accepted: Informal discussion", "outlook"
        ),
        "reply--calendar-declined-google.eml": calendar_answer(
            "DECLINED", "Declined: Informal discussion @ Tue 1 Dec", "gmail"
        ),
        "reply--calendar-tentative-apple.eml": calendar_answer(
            "TENTATIVE", "Tentative: Informal discussion", "apple"
        ),
        "reply--welsh-reply-with-reference.eml": reply(
            f"Ateb: {KNOWN_REFERENCE}", "Diolch, mae dydd Mawrth yn iawn.", "outlook"
        ),
        # --- Automatic mail ------------------------------------------------------------------------
        "automatic--outlook-out-of-office.eml": person(
            "Automatic reply: Application",
            "I am out of the office until Monday.",
            "away@example.org",
            "outlook",
            Auto_Submitted="auto-replied",
            X_Auto_Response_Suppress="All",
        ),
        "automatic--gmail-vacation.eml": person(
            "Re: your application",
            "I'm on holiday and will reply when I'm back.",
            "holiday@gmail.com",
            "gmail",
            Auto_Submitted="auto-replied",
            Precedence="bulk",
        ),
        "automatic--old-autoresponder.eml": person(
            "Away", "I would like to join you but I'm away", "old@example.org", "server", X_Autoreply="yes"
        ),
        "automatic--postfix-bounce.eml": report(
            "delivery-status",
            "MAILER-DAEMON@mx.example.net",
            "Undelivered Mail Returned to Sender",
            "Your message could not be delivered.",
        ),
        "automatic--exchange-ndr.eml": report(
            "delivery-status",
            "postmaster@example.net",
            "Undeliverable: Application received",
            "Delivery has failed to these recipients.",
        ),
        "automatic--read-receipt.eml": report(
            "disposition-notification",
            "someone@example.org",
            "Read: Application received",
            "Your message was read.",
        ),
        "automatic--newsletter-join-us.eml": person(
            "Join us at the spring fair!",
            "Join us! Apply for a stall.",
            "news@charity.example",
            "server",
            List_Unsubscribe="<https://charity.example/u>",
        ),
        "automatic--mailing-list.eml": person(
            "[community-forum] Who wants to join the IAG?",
            "Anyone applying?",
            "member@example.org",
            "thunderbird",
            List_Id="<community.lists.example>",
        ),
        "automatic--bulk-marketing.eml": person(
            "Apply now for our course",
            "Applications open.",
            "marketing@college.example",
            "server",
            Precedence="bulk",
        ),
        "automatic--many-recipients.eml": person(
            "Join our community event",
            "Everyone is welcome to join us.",
            "organiser@example.org",
            "gmail",
            to=f"{MAILBOX}, {many}",
        ),
        "automatic--loop-from-our-own-mailbox.eml": person(
            "Application to join the Bristol IAG",
            "Forwarded to ourselves.",
            f"Strategic IAG <{MAILBOX}>",
            "outlook",
        ),
        "automatic--mailchimp-campaign.eml": person(
            "Membership drive: apply today",
            "Become a member",
            "campaign@mail.example",
            "server",
            List_Unsubscribe="<mailto:u@mail.example>",
            Precedence="list",
        ),
        "automatic--dmarc-report.eml": person(
            "Report domain: avonandsomerset.police.uk",
            "DMARC aggregate report",
            "noreply-dmarc-support@google.com",
            "server",
            files={"report.zip": (mailgen.zipped({"r.xml": b"<feedback/>"}), ZIP)},
        ),
        "automatic--empty-return-path-bounce.eml": person(
            "Delivery failure",
            "Could not deliver your application",
            "bounces@example.net",
            "server",
            Return_Path="<>",
        ),
        # --- For a person to look at ---------------------------------------------------------------
        "needs-triage--question-about-joining.eml": person(
            "Question about joining",
            "What does membership involve? How often do you meet?",
            "Q <q@example.org>",
            "gmail",
        ),
        "needs-triage--could-someone-ring-me.eml": person(
            "Hello", "Could someone ring me please? 07700 900123", "ring@example.org", "android"
        ),
        "needs-triage--chinese.eml": person(
            "你好", "我想加入独立咨询小组。我住在布里斯托尔，希望为社区服务。", "Li <li@example.cn>", "gmail"
        ),
        "needs-triage--polish-iso-8859-2.eml": person(
            "Dzień dobry",
            "Dzień dobry, chciałbym dołączyć do grupy doradczej. Mieszkam w Bristolu od pięciu lat.",
            "Piotr <piotr@example.pl>",
            "thunderbird",
            charset="iso-8859-2",
        ),
        "needs-triage--arabic.eml": person(
            "مرحبا",
            "مرحبا، أود الانضمام إلى المجموعة الاستشارية المستقلة في بريستول. شكرا لكم.",
            "Omar <omar@example.org>",
            "gmail",
        ),
        "needs-triage--unknown-reference.eml": person(
            f"Re: {UNKNOWN_REFERENCE}", "What is happening with my application?", "kim@example.org", "gmail"
        ),
        "needs-triage--thanks-with-logo.eml": mailgen.inline_logo(
            "Thanks for the meeting", "Thanks all, good to see you on Tuesday."
        ),
        "needs-triage--welsh-question.eml": person(
            "Ymholiad",
            "Helo, a oes modd i rywun fy ffonio i drafod y grŵp? Diolch.",
            "Elin <elin@example.cymru>",
            "outlook",
        ),
        "needs-triage--vacancies-enquiry.eml": person(
            "Enquiry", "Do you have vacancies on the Somerset group?", "enq@example.org", "apple"
        ),
        "needs-triage--meeting-minutes.eml": person(
            "Minutes",
            "Minutes from last week's community meeting, for information.",
            "sec@residents.example",
            "outlook",
            html_only=True,
        ),
        # --- Dangerous or unreadable ----------------------------------------------------------------
        "quarantined--docx-zip-bomb.eml": person(
            "Application",
            "CV attached",
            "bomb@example.org",
            "outlook",
            {"cv.docx": (mailgen.zip_bomb_docx(), DOCX)},
        ),
        "quarantined--zip-bomb.eml": person(
            "Forms", "Attached", "bomb2@example.org", "gmail", {"forms.zip": (zip_bomb(), ZIP)}
        ),
        "quarantined--docx-with-entities.eml": person(
            "My application",
            "Attached",
            "xxe@example.org",
            "outlook",
            {
                "application.docx": (
                    mailgen.docx(["&xxe;"], '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
                    DOCX,
                )
            },
        ),
        "quarantined--too-many-attachments.eml": person(
            "Photos",
            "All my photos",
            "photos@example.org",
            "iphone",
            {f"IMG_{n}.JPG": (JPEG, JPG) for n in range(25)},
        ),
    }
    return found


def _signed(raw: bytes) -> bytes:
    """`raw` as S/MIME signed (multipart/signed, the signature a separate part)."""
    from email import message_from_bytes, policy

    inner = message_from_bytes(raw, policy=policy.default)
    signed = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    body = MIMEText(inner.get_content(), "plain", "utf-8")
    signed.attach(body)
    signature = MIMEApplication(b"0\x82\x05\x00" + b"\x01" * 300, "pkcs7-signature", name="smime.p7s")
    signature.add_header("Content-Disposition", "attachment", filename="smime.p7s")
    signed.attach(signature)
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        signed[name] = inner[name]
    return signed.as_bytes()


def _no_charset(subject: str, body: bytes) -> bytes:
    return (
        f"From: Pat <pat.c@example.org>\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\nDate: {DATE}\r\n"
        f"Message-ID: <no-charset-{next(counter)}@example.org>\r\nContent-Type: text/plain\r\n\r\n"
    ).encode() + body


def write() -> None:
    """Write the corpus files (once; they are then fixed bytes in the repository)."""
    import tempfile

    from tests import harness
    from tests.conftest import make_app
    from webapp import migrate
    from webapp.db import session_scope
    from webapp.deployment import sync_groups

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/corpus.sqlite3"
        migrate.upgrade(url)
        app = make_app(url, Path(tmp) / "instance", harness.free_port())
        with session_scope(app) as session:
            sync_groups(session, app.extensions["deployment"])
        client = app.test_client()
        blank = client.get("/forms/application-form.pdf").data
        blank_monitoring = client.get("/forms/monitoring-form.pdf").data
        made = shapes(
            lambda values: mailgen.filled_form(blank, values),
            lambda values: mailgen.filled_form(blank_monitoring, values),
        )
        app.extensions["iag_engine"].dispose()
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, raw in made.items():
        (CORPUS / name).write_bytes(raw)
    print(f"wrote {len(made)} messages to {CORPUS}")


if __name__ == "__main__":
    write()
