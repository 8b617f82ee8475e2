"""Real messages of every kind the shared mailbox receives, as bytes, for the mail tests."""

from __future__ import annotations

import functools
import io
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from imapclient import IMAPClient
from pypdf import PdfReader, PdfWriter

from tests.conftest import IMAP_PASSWORD, IMAP_USER

MAILBOX = "StrategicIAG@avonandsomerset.police.uk"


def plain(
    subject: str,
    body: str = "Hello",
    sender: str = "Sam Person <sam@example.org>",
    message_id: str | None = "auto",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    if message_id == "auto":
        message["Message-ID"] = make_msgid(domain="example.org")
    elif message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def _written(subject: str, body: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(body)
    return message


def with_attachment(
    subject: str,
    filename: str,
    data: bytes,
    content_type: str = "application/pdf",
    sender: str = "Sam Person <sam@example.org>",
    body: str = "Please find attached.",
) -> bytes:
    message = _written(subject, body, sender)
    maintype, subtype = content_type.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@functools.lru_cache(maxsize=8)
def _parsed(blank_pdf: bytes) -> PdfReader:
    """A blank form read once: each filled copy is cloned from it (parsing it again each time was most of
    the cost of filling forty)."""
    return PdfReader(io.BytesIO(blank_pdf))


def filled_form(blank_pdf: bytes, values: dict[str, str]) -> bytes:
    """The blank form filled in as a PDF reader's "Save" would leave it."""
    writer = PdfWriter(clone_from=_parsed(blank_pdf))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(paragraphs: list[str], extra_xml_head: str = "") -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>{extra_xml_head}'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + " " * (60 * 1024 * 1024) + "</w:document>")
    return out.getvalue()


def bounce(
    original_message_id: str,
    recipient: str = "nobody@example.org",
    action: str = "failed",
    status: str = "5.1.1",
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it, about the message with this
    Message-ID: failed for good, or (action "delayed") still being tried."""
    what = "could not be delivered" if action == "failed" else "is delayed; delivery will be tried again"
    diagnostic = (
        f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown"
        if action == "failed"
        else "451 4.4.7 connection timed out"
    )
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: {MAILBOX}
Subject: Undelivered Mail Returned to Sender
Message-ID: {make_msgid(domain="mx.example.net")}
Date: Tue, 24 Nov 2026 09:41:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

Your message to {recipient} {what}.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B1
Content-Type: text/rfc822-headers

Message-ID: {original_message_id}
Subject: Application received

--B1--
""".replace("\n", "\r\n").encode()


def append(server, messages: list[bytes], folder: str = "INBOX", seen: bool = False) -> None:
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        for raw in messages:
            client.append(folder, raw, flags=[b"\\Seen"] if seen else [])


def folder_counts(server) -> dict[str, int]:
    with IMAPClient(server.host, port=server.port, ssl=False) as client:
        client.login(IMAP_USER, IMAP_PASSWORD)
        counts = {}
        for folder in ("INBOX", "Processed", "Quarantine"):
            if client.folder_exists(folder):
                counts[folder] = client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"]
        return counts


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def forwarded(
    inner: bytes, by: str, note: str = "Forwarding this application, see attached.", encode: bool = False
) -> bytes:
    """`inner` forwarded as an attachment (Outlook's and Thunderbird's "forward as attachment")."""
    message = EmailMessage()
    message["From"] = by
    message["To"] = MAILBOX
    message["Subject"] = "FW: application"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(note)
    if encode:
        message.add_attachment(inner, maintype="message", subtype="rfc822")  # base64, as some programs do
    else:
        from email import message_from_bytes, policy

        message.add_attachment(message_from_bytes(inner, policy=policy.default))
    return message.as_bytes()


def calendar_reply(
    uid: str, answer: str, attendee: str, subject: str = "Accepted: Informal discussion"
) -> bytes:
    """What Outlook sends when an invitation is accepted, declined or tentatively accepted."""
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={answer.upper()};CN=Amina:mailto:{attendee}\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261120T093000Z\r\nSEQUENCE:0\r\nSUMMARY:{subject}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = MIMEMultipart("alternative")
    message["From"] = f"Amina <{attendee}>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    message.attach(MIMEText(f"{subject.split(':')[0]}", "plain"))
    message.attach(MIMEText(ics, "calendar; method=REPLY", "utf-8"))
    return message.as_bytes()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add_attachments(raw: bytes, files: dict[str, tuple[bytes, str]]) -> bytes:
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    for name, (data, content_type) in files.items():
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def inline_logo(subject: str, body: str, sender: str = "Sam Person <sam@example.org>") -> bytes:
    """An HTML email with the sender's logo in its signature (Outlook's inline image, by Content-ID)."""
    message = _written(subject, body, sender)
    message.add_alternative(f'<p>{body}</p><img src="cid:logo001">', subtype="html")
    html = message.get_payload()[1]
    html.add_related(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, maintype="image", subtype="png", cid="<logo001>")
    return message.as_bytes()
