"""Mail containers opened: Outlook's winmail.dat and S/MIME, signed (opaque and detached) and encrypted.
The messages are built here as the programs that send them write them, from the formats themselves (a
small TNEF writer after MS-OXTNEF, compressed RTF after MS-OXRTFCP, CMS from `cryptography`), never with
the code under test."""

from __future__ import annotations

import base64
import datetime
import functools
import io
import struct
import time
import zlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from mail_ingest import containers
from mail_ingest.parse import Limits, ParsedMessage, ParseFailure, parse

MAILBOX = "StrategicIAG@avonandsomerset.police.uk"


def parsed(raw: bytes, limits: Limits | None = None) -> ParsedMessage:
    result = parse(raw, limits)
    assert isinstance(result, ParsedMessage), result
    return result


@functools.cache
def form_pdf() -> bytes:
    """A real PDF of a few KB, as a form would be: pages, a title, a file inside it."""
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "IAG application form", "/Author": "Rhian Evans"})
    writer.add_attachment("notes.txt", b"Why I would like to join the group. " * 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def b64(data: bytes) -> str:
    """Base64 in 76-character lines, as mail programs write it."""
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


# --- a TNEF writer (MS-OXTNEF) ---------------------------------------------------------------------------

LVL_MESSAGE, LVL_ATTACHMENT = 1, 2
# Attribute ids with their TNEF types in the high word (atpString 1, atpDate 3, atpShort 4, atpByte 6,
# atpWord 7, atpDword 8).
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_SUBJECT = 0x00018004
ATT_DATE_SENT = 0x00038005
ATT_PRIORITY = 0x0004800D
ATT_MSG_PROPS = 0x00069003
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_CREATE_DATE = 0x00038012
ATT_ATTACH_MODIFY_DATE = 0x00038013
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005

PT_BOOLEAN, PT_LONG, PT_STRING8, PT_UNICODE, PT_SYSTIME, PT_BINARY, PT_OBJECT = (
    0x000B,
    0x0003,
    0x001E,
    0x001F,
    0x0040,
    0x0102,
    0x000D,
)
MV_SHORT = 0x1002
IID_IMESSAGE = bytes.fromhex("0703020000000000c000000000000046")
PSETID_COMMON = bytes.fromhex("0820060000000000c000000000000046")
PS_INTERNET_HEADERS = bytes.fromhex("8603020000000000c000000000000046")


def attribute(level: int, ident: int, data: bytes) -> bytes:
    """level, id, length, data, and the checksum: the sum of the data's bytes, modulo 65536."""
    return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def prop(kind: int, ident: int, value: object, name: tuple[bytes, int | str] | None = None) -> bytes:
    """One MAPI property as TNEF writes it: type, id, (for a named one: GUID and number or name), value."""
    out = struct.pack("<HH", kind, ident)
    if name is not None:
        guid, number_or_name = name
        if isinstance(number_or_name, int):
            out += guid + struct.pack("<II", 0, number_or_name)
        else:
            encoded = (number_or_name + "\0").encode("utf-16-le")
            out += guid + struct.pack("<II", 1, len(encoded)) + padded(encoded)
    if kind == PT_LONG:
        assert isinstance(value, int)
        return out + struct.pack("<i", value)
    if kind == PT_BOOLEAN:
        return out + struct.pack("<H", bool(value)) + b"\0\0"
    if kind == PT_SYSTIME:
        assert isinstance(value, datetime.datetime)
        ticks = int((value - datetime.datetime(1601, 1, 1, tzinfo=datetime.UTC)).total_seconds()) * 10**7
        return out + struct.pack("<Q", ticks)
    if kind == MV_SHORT:
        assert isinstance(value, list)
        return out + struct.pack("<I", len(value)) + padded(struct.pack(f"<{len(value)}h", *value))
    if kind == PT_STRING8:
        assert isinstance(value, str)
        data = (value + "\0").encode("cp1252")
    elif kind == PT_UNICODE:
        assert isinstance(value, str)
        data = (value + "\0").encode("utf-16-le")
    else:
        assert isinstance(value, bytes)
        data = value
    return out + struct.pack("<II", 1, len(data)) + padded(data)


def props(*items: bytes) -> bytes:
    return struct.pack("<I", len(items)) + b"".join(items)


def dtr(when: datetime.datetime) -> bytes:
    """A TNEF date: year, month, day, hour, minute, second, day of the week (Sunday 0)."""
    return struct.pack(
        "<7H", when.year, when.month, when.day, when.hour, when.minute, when.second, (when.weekday() + 1) % 7
    )


SENT = datetime.datetime(2026, 11, 17, 10, 12, 3, tzinfo=datetime.UTC)


def tnef_file(long_name: str, title: str, data: bytes, mime_tag: str = "") -> bytes:
    """One attachment as Outlook writes it: rendering data first, the 8.3 title, dates, the file, then its
    MAPI properties (the long name among them)."""
    rend = struct.pack("<HIhhI", 1, 0xFFFFFFFF, -1, -1, 0x00000001)  # a file, no position, no rendering
    properties = [
        prop(PT_LONG, 0x3705, 1),  # PR_ATTACH_METHOD: ATTACH_BY_VALUE
        prop(PT_STRING8, 0x3704, title),  # PR_ATTACH_FILENAME
        prop(PT_UNICODE, 0x3707, long_name),  # PR_ATTACH_LONG_FILENAME
        prop(PT_STRING8, 0x3703, "." + long_name.rsplit(".", 1)[-1]),  # PR_ATTACH_EXTENSION
        prop(PT_LONG, 0x370B, -1),  # PR_RENDERING_POSITION
        prop(PT_LONG, 0x0E20, len(data)),  # PR_ATTACH_SIZE
        prop(PT_BOOLEAN, 0x7FFE, False),  # PR_ATTACHMENT_HIDDEN
    ]
    if mime_tag:
        properties.append(prop(PT_STRING8, 0x370E, mime_tag))  # PR_ATTACH_MIME_TAG
    return b"".join(
        [
            attribute(LVL_ATTACHMENT, ATT_ATTACH_REND_DATA, rend),
            attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE, title.encode("cp1252") + b"\0"),
            attribute(LVL_ATTACHMENT, ATT_ATTACH_CREATE_DATE, dtr(SENT)),
            attribute(LVL_ATTACHMENT, ATT_ATTACH_MODIFY_DATE, dtr(SENT)),
            attribute(LVL_ATTACHMENT, ATT_ATTACH_DATA, data),
            attribute(LVL_ATTACHMENT, ATT_ATTACHMENT, props(*properties)),
        ]
    )


def tnef_message_props(
    body: bytes | str = b"", rtf: bytes = b"", sender: str = "rhian.evans@example.org"
) -> bytes:
    properties = [
        prop(PT_STRING8, 0x0037, "IAG application"),  # PR_SUBJECT
        prop(PT_SYSTIME, 0x0039, SENT),  # PR_CLIENT_SUBMIT_TIME
        prop(PT_STRING8, 0x0C1A, "Rhian Evans"),  # PR_SENDER_NAME
        prop(PT_STRING8, 0x0C1E, "SMTP"),  # PR_SENDER_ADDRTYPE
        prop(PT_STRING8, 0x0C1F, sender),  # PR_SENDER_EMAIL_ADDRESS
        prop(PT_LONG, 0x3FDE, 1252),  # PR_INTERNET_CPID
        prop(PT_BOOLEAN, 0x0E1F, True),  # PR_RTF_IN_SYNC
        prop(PT_LONG, 0x8552, 0x1DA0B8, name=(PSETID_COMMON, 0x8552)),  # PidLidCurrentVersion
        prop(PT_STRING8, 0x8000, "urn:content-classes:message", name=(PS_INTERNET_HEADERS, "content-class")),
        prop(MV_SHORT, 0x8001, [1, 2, 3], name=(PSETID_COMMON, 0x8501)),
    ]
    if isinstance(body, str):
        properties.append(prop(PT_UNICODE, 0x1000, body))  # PR_BODY, from a Unicode mailbox
    elif body:
        properties.append(prop(PT_BINARY, 0x1000, body))  # PR_BODY, as Outlook writes it for non-Unicode
    if rtf:
        properties.append(prop(PT_BINARY, 0x1009, rtf))  # PR_RTF_COMPRESSED
    return props(*properties)


def tnef(message_props: bytes, *attachments: bytes, key: int = 0x5D1E) -> bytes:
    """A whole winmail.dat: signature, key, the message's attributes, then each attachment's."""
    return b"".join(
        [
            struct.pack("<IH", 0x223E9F78, key),
            attribute(LVL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000)),
            attribute(LVL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0)),
            attribute(LVL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\0"),
            attribute(LVL_MESSAGE, ATT_SUBJECT, b"IAG application\0"),
            attribute(LVL_MESSAGE, ATT_DATE_SENT, dtr(SENT)),
            attribute(LVL_MESSAGE, ATT_PRIORITY, struct.pack("<H", 2)),
            attribute(LVL_MESSAGE, ATT_MSG_PROPS, message_props),
            *attachments,
        ]
    )


# --- compressed RTF (MS-OXRTFCP) --------------------------------------------------------------------------

RTF_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    b"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)


def lzfu(rtf: bytes) -> bytes:
    """RTF compressed as Outlook stores it: runs of eight literals or references into a 4 KB window that
    starts with the standard prebuffer, ended by a reference to the write position, under a header with
    MS-OXRTFCP's CRC (the CRC-32 table, started at 0, not inverted)."""
    window = bytearray(4096)
    window[: len(RTF_PREBUF)] = RTF_PREBUF
    write, i, out = len(RTF_PREBUF), 0, bytearray()
    while True:
        control, run = 0, bytearray()
        for bit in range(8):
            if i >= len(rtf):
                control |= 1 << bit
                run += struct.pack(">H", write << 4)
                out += bytes([control]) + run
                crc = zlib.crc32(bytes(out), 0xFFFFFFFF) ^ 0xFFFFFFFF
                return struct.pack("<IIII", len(out) + 12, len(rtf), 0x75465A4C, crc) + bytes(out)
            offset, length = _longest_match(window, write, rtf[i : i + 17])
            if length >= 2:
                control |= 1 << bit
                run += struct.pack(">H", (offset << 4) | (length - 2))
            else:
                length = 1
                run.append(rtf[i])
            for byte in rtf[i : i + length]:
                window[write], write = byte, (write + 1) % 4096
            i += length
        out += bytes([control]) + run


def _longest_match(window: bytearray, write: int, wanted: bytes) -> tuple[int, int]:
    """The longest run of the window equal to what comes next, not touching where the copy will write."""
    for length in range(len(wanted), 1, -1):
        found = window.find(wanted[:length])
        while found >= 0:
            if found + length <= write or found >= write + length:
                return found, length
            found = window.find(wanted[:length], found + 1)
    return 0, 0


OUTLOOK_RTF = (
    b"{\\rtf1\\ansi\\ansicpg1252\\deff0\\nouicompat\\deflang2057"
    b"{\\fonttbl{\\f0\\fswiss\\fcharset0 Calibri;}}\r\n"
    b"{\\*\\generator Riched20 16.0.18227}\\viewkind4\\uc1 \r\n"
    b"\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang9 Dear Sir or Madam,\\par\r\n"
    b"I would like to apply to join the Independent Advisory Group. My name is Zo\\'eb Williams.\\par\r\n"
    b"I run a caf\\u233?\\endash  the one by the station.\\par\r\n"
    b"}\r\n\0"
)


# --- mail as the programs send it --------------------------------------------------------------------------


def outlook_with_winmail(winmail: bytes, body: str = "Please find my application form attached.") -> bytes:
    """An Outlook message in rich text to someone outside: the text beside a winmail.dat."""
    boundary = "----=_NextPart_000_0001_01DB38C1.5D1E2A30"
    parts = [
        f"From: Rhian Evans <rhian.evans@example.org>\r\nTo: StrategicIAG <{MAILBOX}>\r\n"
        "Subject: IAG application\r\nDate: Tue, 17 Nov 2026 10:12:03 +0000\r\n"
        "Message-ID: <000001db38c1$5d1e2a30$175a7e90$@example.org>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"\r\nX-Mailer: Microsoft Outlook 16.0\r\n'
        "Thread-Index: AQHbOMFdHiowF1p+kH3Zs2VhbGFuZA==\r\nContent-Language: en-gb\r\n"
        "X-MS-TNEF-Correlator: 00000000A9C1D2E3F4B5A6978899AABBCCDDEEFF0700D1E2F3A4B5C6D7E8F9\r\n\r\n"
        "This is a multipart message in MIME format.\r\n",
    ]
    if body:
        parts.append(
            f'--{boundary}\r\nContent-Type: text/plain;\r\n\tcharset="us-ascii"\r\n'
            f"Content-Transfer-Encoding: 7bit\r\n\r\n{body}\r\n"
        )
    parts.append(
        f'--{boundary}\r\nContent-Type: application/ms-tnef;\r\n\tname="winmail.dat"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment;\r\n\tfilename="winmail.dat"\r\n'
        f"\r\n{b64(winmail)}\r\n--{boundary}--\r\n"
    )
    return "\r\n".join(parts).encode()


def winmail_only(winmail: bytes) -> bytes:
    """A message that is nothing but its winmail.dat (Exchange sending a rich-text message as TNEF)."""
    return (
        f"From: Rhian Evans <rhian.evans@example.org>\r\nTo: {MAILBOX}\r\nSubject: IAG application\r\n"
        "Date: Tue, 17 Nov 2026 10:12:03 +0000\r\n"
        "Message-ID: <000101db38c1$aa1e2a30$175a7e90$@example.org>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
        'Content-Disposition: attachment; filename="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n'
        "X-MS-TNEF-Correlator: <000101db38c1$aa1e2a30$175a7e90$@example.org>\r\n"
        f"X-MS-Has-Attach:\r\n\r\n{b64(winmail)}\r\n"
    ).encode()


def outlook_entity(text: str, pdf: bytes) -> bytes:
    """The MIME entity Outlook signs: its text and the form."""
    boundary = "----=_NextPart_000_0005_01DB38C2.0A1B2C3D"
    return (
        f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"\r\n\r\n'
        "This is a multipart message in MIME format.\r\n\r\n"
        f'--{boundary}\r\nContent-Type: text/plain;\r\n\tcharset="us-ascii"\r\n'
        "Content-Transfer-Encoding: 7bit\r\n"
        f"\r\n{text}\r\n\r\n"
        f'--{boundary}\r\nContent-Type: application/pdf;\r\n\tname="IAG application.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment;\r\n\tfilename="IAG application.pdf"'
        f"\r\n\r\n{b64(pdf)}\r\n\r\n--{boundary}--\r\n"
    ).encode()


def outlook_smime(p7m: bytes, smime_type: str) -> bytes:
    """Outlook's S/MIME message: the whole body one application/pkcs7-mime part."""
    return (
        f"From: Rhian Evans <rhian.evans@example.org>\r\nTo: {MAILBOX}\r\nSubject: IAG application\r\n"
        "Date: Tue, 17 Nov 2026 10:14:41 +0000\r\n"
        "Message-ID: <000201db38c2$0a1b2c3d$1e2f3a4b$@example.org>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: application/pkcs7-mime; smime-type={smime_type};\r\n\tname="smime.p7m"\r\n'
        'Content-Disposition: attachment;\r\n\tfilename="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n'
        "X-Mailer: Microsoft Outlook 16.0\r\nContent-Language: en-gb\r\n"
        f"\r\n{b64(p7m)}\r\n"
    ).encode()


@functools.cache
def signer(kind: str = "rsa") -> tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]:
    """A self-signed certificate, as a person's own S/MIME certificate is to us: not trusted by anything."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Rhian Evans"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "rhian.evans@example.org"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def signed_der(content: bytes, kind: str = "rsa", detached: bool = False, binary: bool = False) -> bytes:
    """CMS SignedData over the content, DER. Without `binary`, line ends become CRLF first (S/MIME's
    canonical form for text), as a mail program's signing does."""
    certificate, key = signer(kind)
    options = [pkcs7.PKCS7Options.DetachedSignature] if detached else []
    options += [pkcs7.PKCS7Options.Binary] if binary else []
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(certificate, key, hashes.SHA256())
    return builder.sign(serialization.Encoding.DER, options)


# --- winmail.dat --------------------------------------------------------------------------------------------


def test_the_files_in_a_winmail_dat_become_the_messages_attachments():
    pdf = form_pdf()
    ends_in_zeros = b"OLE-ish data\x00\x01" + b"\x00" * 7  # tnefparse would strip these zeros
    winmail = tnef(
        tnef_message_props(body=b"Please find my application form attached.\r\n"),
        tnef_file("Ffurflen gais \u2013 Rhian.pdf", "FFURFL~1.PDF", pdf, "application/pdf"),
        tnef_file("notes.bin", "NOTES.BIN", ends_in_zeros),
    )
    assert len(pdf) > 4000  # a form of several KB
    message = parsed(outlook_with_winmail(winmail))
    form, notes = message.attachments
    assert (form.filename, form.declared_type, form.detected_type) == (
        "Ffurflen gais \u2013 Rhian.pdf",
        "application/pdf",
        "application/pdf",
    )
    assert form.data == pdf and len(PdfReader(io.BytesIO(form.data)).pages) == 3
    assert form.flags == ["from winmail.dat"] and not form.inline
    assert (notes.filename, notes.data, notes.flags) == ("notes.bin", ends_in_zeros, ["from winmail.dat"])
    assert message.text_body.strip() == "Please find my application form attached."
    assert message.unopened == []
    assert not any("winmail" in flag for flag in message.flags)


def test_a_winmail_dat_holding_only_an_rtf_body_gives_the_message_its_text():
    compressed = lzfu(OUTLOOK_RTF)
    assert containers.decompress_rtf(compressed) == OUTLOOK_RTF  # the writer and the reader agree
    message = parsed(winmail_only(tnef(tnef_message_props(rtf=compressed))))
    assert message.attachments == [] and message.unopened == []
    assert message.text_body == (
        "Dear Sir or Madam,\nI would like to apply to join the Independent Advisory Group. "
        "My name is Zo\u00eb Williams.\nI run a caf\u00e9\u2013 the one by the station."
    )


@pytest.mark.parametrize(
    "body", [b"Words only in the winmail.dat.\r\n", "Words only in the winmail.dat.\r\n"]
)
def test_a_winmail_dat_plain_text_body_is_used_only_when_the_message_has_none(body):
    winmail = tnef(tnef_message_props(body=body))
    assert parsed(winmail_only(winmail)).text_body.strip() == "Words only in the winmail.dat."
    beside = parsed(outlook_with_winmail(winmail, body="The words Outlook sent as text."))
    assert beside.text_body.strip() == "The words Outlook sent as text."


def test_decompressing_rtf_matches_the_specifications_own_examples():
    # MS-OXRTFCP section 4: "Example 1: Simple Compressed RTF" and "Example 2: Reading a Token from the
    # Dictionary that Crosses WritePosition".
    simple = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0"
    )
    assert containers.decompress_rtf(simple) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
    crossing = bytes.fromhex("1a0000001c0000004c5a4675e2d44b51410004205758595a0d6e7d010eb0")
    assert containers.decompress_rtf(crossing) == b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"
    assert (
        containers.decompress_rtf(lzfu(b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}")) == b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"
    )


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda w: w[: w.index(b"%%EOF") - 100], "it is truncated"),
        (lambda w: w.replace(b"/Title", b"/Tithe"), "it is damaged (a checksum does not match)"),
        (lambda w: b"\x78\x9f\x3e\x22\x01", "it is truncated"),
    ],
    ids=["truncated in the middle of the form", "a byte changed", "nothing after the signature"],
)
def test_a_damaged_winmail_dat_is_kept_whole_and_said_to_be_unopened(damage, reason):
    winmail = damage(tnef(tnef_message_props(), tnef_file("form.pdf", "FORM.PDF", form_pdf())))
    message = parsed(outlook_with_winmail(winmail))
    [kept] = message.attachments
    assert (kept.filename, kept.data) == ("winmail.dat", winmail)
    assert kept.flags == ["Outlook winmail.dat: its contents can only be opened in Outlook"]
    assert message.unopened == [f"winmail.dat could not be opened: {reason}"]
    assert message.text_body.strip() == "Please find my application form attached."  # the rest still read


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("winmail.dat", "application/ms-tnef"),
        ("ATT00001.dat", "application/octet-stream"),
        ("", "application/vnd.ms-tnef"),
    ],
)
def test_a_winmail_dat_is_known_by_its_type_its_name_or_its_first_bytes(filename, content_type):
    winmail = tnef(tnef_message_props(), tnef_file("form.pdf", "FORM.PDF", form_pdf()))
    raw = mail_with_attachment(filename, content_type, winmail)
    if not filename:
        raw = raw.replace(b'; name=""', b"").replace(b'Content-Disposition: attachment; filename=""\r\n', b"")
    message = parsed(raw)
    assert [(a.filename, a.flags) for a in message.attachments] == [("form.pdf", ["from winmail.dat"])]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_winmail_dat_damaged_anywhere_is_opened_or_kept_never_lost(data):
    winmail = bytearray(
        tnef(tnef_message_props(body=b"Hello\r\n"), tnef_file("form.pdf", "FORM.PDF", b"%PDF-1.4 x"))
    )
    at = data.draw(st.integers(0, len(winmail) - 1))
    if data.draw(st.booleans()):
        del winmail[at:]
    else:
        winmail[at] = data.draw(st.integers(0, 255))
    message = parsed(outlook_with_winmail(bytes(winmail)))
    kept = [a for a in message.attachments if a.filename == "winmail.dat"]
    assert (kept and kept[0].data == bytes(winmail) and message.unopened) or (
        not kept and not message.unopened
    )
    assert message.text_body.strip() == "Please find my application form attached."


def test_a_winmail_dat_with_no_files_and_no_body_is_kept():
    winmail = tnef(tnef_message_props())
    message = parsed(outlook_with_winmail(winmail))
    assert [a.filename for a in message.attachments] == ["winmail.dat"]
    assert message.unopened == ["winmail.dat could not be opened: it holds no files and no text"]


@pytest.mark.parametrize(
    "properties",
    [
        struct.pack("<I", 0xFFFFFFFF) + prop(PT_LONG, 0x3FDE, 1252),
        props(struct.pack("<HHI", MV_SHORT, 0x3A40, 0xFFFFFFFF) + b"\0\0\0\0"),
    ],
    ids=["a property count of four billion", "a multi-valued count of four billion"],
)
def test_a_crafted_winmail_dat_cannot_make_the_parser_loop(properties):
    winmail = tnef(properties, tnef_file("form.pdf", "FORM.PDF", form_pdf()))
    started = time.perf_counter()
    message = parsed(outlook_with_winmail(winmail))
    assert time.perf_counter() - started < 2
    assert message.unopened[0].startswith("winmail.dat could not be opened: its properties are damaged")


def test_an_outlook_item_inside_a_winmail_dat_is_a_forwarded_message():
    inner = tnef(
        tnef_message_props(body=b"My application is attached.\r\n", sender="amina.yusuf@example.net"),
        tnef_file("application.pdf", "APPLIC~1.PDF", form_pdf(), "application/pdf"),
    )
    item = b"".join(
        [
            attribute(LVL_ATTACHMENT, ATT_ATTACH_REND_DATA, struct.pack("<HIhhI", 1, 0xFFFFFFFF, -1, -1, 1)),
            attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE, b"IAG application\0"),
            attribute(
                LVL_ATTACHMENT,
                ATT_ATTACHMENT,
                props(
                    prop(PT_LONG, 0x3705, 5),  # PR_ATTACH_METHOD: ATTACH_EMBEDDED_MSG
                    prop(PT_STRING8, 0x3001, "IAG application"),  # PR_DISPLAY_NAME
                    prop(PT_OBJECT, 0x3701, IID_IMESSAGE + inner),  # PR_ATTACH_DATA_OBJ
                ),
            ),
        ]
    )
    outer = tnef(tnef_message_props(body=b"Forwarding this one to you.\r\n"), item)
    message = parsed(outlook_with_winmail(outer, body="Forwarding this one to you."))
    assert [(a.filename, a.detected_type) for a in message.attachments] == [
        ("application.pdf", "application/pdf")
    ]
    assert message.forwarded is not None
    assert (message.forwarded.from_address, message.forwarded.from_name) == (
        "amina.yusuf@example.net",
        "Rhian Evans",
    )
    assert message.forwarded.subject == "IAG application"
    assert "My application is attached." in message.forwarded.text
    assert "contains a forwarded message" in message.flags


def test_the_attachment_limits_apply_to_what_comes_out_of_a_winmail_dat():
    winmail = tnef(
        tnef_message_props(), tnef_file("a.pdf", "A.PDF", form_pdf()), tnef_file("b.pdf", "B.PDF", form_pdf())
    )
    raw = outlook_with_winmail(winmail)
    too_many = parse(raw, Limits(max_attachments=1))
    assert isinstance(too_many, ParseFailure) and "2 attachments" in too_many.reason
    [first, _second] = parsed(raw, Limits(max_attachment_bytes=1000)).attachments
    assert first.data == b"" and first.flags == [
        "from winmail.dat",
        f"too large to keep ({len(form_pdf()):,} bytes)",
    ]


# --- S/MIME ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_an_opaque_signed_message_gives_its_text_and_its_form(kind):
    entity = outlook_entity("Please find my application attached.", form_pdf())
    message = parsed(outlook_smime(signed_der(entity, kind), "signed-data"))
    [form] = message.attachments
    assert (form.filename, form.detected_type, form.data) == (
        "IAG application.pdf",
        "application/pdf",
        form_pdf(),
    )
    assert message.text_body.strip() == "Please find my application attached."
    assert "S/MIME signed; signature intact (not checked against a trusted certificate)" in message.flags
    assert message.unopened == []
    assert (message.from_address, message.subject) == ("rhian.evans@example.org", "IAG application")


def test_an_opaque_signed_message_altered_after_signing_is_read_and_said_to_be_altered():
    entity = outlook_entity("I would like to join the group.", form_pdf())
    der = signed_der(entity).replace(b"I would like", b"I would LIKE")
    message = parsed(outlook_smime(der, "signed-data"))
    assert message.text_body.strip() == "I would LIKE to join the group."
    assert (
        "S/MIME signed; the signature does not match the content: it may have been altered" in message.flags
    )


def test_an_opaque_signed_p7m_without_smime_type_and_as_an_attachment_is_opened_too():
    entity = b'Content-Type: text/plain; charset="utf-8"\r\n\r\nSigned words.\r\n'
    boundary = "------------7Gw1V0kQpM2bUe4d1CsvSJd9"
    raw = (
        f"From: Sam Person <sam@example.org>\r\nTo: {MAILBOX}\r\nSubject: Signed\r\n"
        "Message-ID: <a1@example.org>\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSee the signed part.\r\n"
        f'--{boundary}\r\nContent-Type: application/x-pkcs7-mime; name="smime.p7m"\r\n'
        'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'
        f"{b64(signed_der(entity))}\r\n--{boundary}--\r\n"
    ).encode()
    message = parsed(raw)
    assert message.attachments == [] and message.unopened == []
    assert message.text_body.split() == ["See", "the", "signed", "part.", "Signed", "words."]


def test_a_signed_file_p7m_gives_the_file():
    # What e-signature tools make (CAdES): the signed content is the file itself, named file.pdf.p7m.
    raw = mail_with_attachment(
        "modulo.pdf.p7m", "application/pkcs7-mime", signed_der(form_pdf(), binary=True)
    )
    [form] = parsed(raw).attachments
    assert (form.filename, form.detected_type, form.data) == ("modulo.pdf", "application/pdf", form_pdf())
    assert form.flags == ["from modulo.pdf.p7m"]


def test_a_detached_signature_is_not_among_the_attachments():
    # Thunderbird: multipart/signed, the signed part exactly as sent, then smime.p7s.
    inner_boundary = "------------5Ssl2bLmfThdXbaJ4Z9qOM0Z"
    signed_part = (
        f'Content-Type: multipart/mixed; boundary="{inner_boundary}"\r\n\r\n'
        f"--{inner_boundary}\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\nMy application is attached.\r\n\r\n"
        f'--{inner_boundary}\r\nContent-Type: application/pdf; name="application.pdf"\r\n'
        'Content-Disposition: attachment; filename="application.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
        f"\r\n{b64(form_pdf())}\r\n\r\n--{inner_boundary}--\r\n"
    ).encode()
    signature = signed_der(signed_part, detached=True)
    boundary = "------------ms020807090602000207040708"
    raw = (
        (
            f"From: Sam Person <sam@example.org>\r\nTo: {MAILBOX}\r\nSubject: Application\r\n"
            "Message-ID: <d2a1c0b9-3f4e-4a5b-8c6d-7e8f9a0b1c2d@example.org>\r\n"
            "User-Agent: Mozilla Thunderbird\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\r\n'
            f' boundary="{boundary}"\r\n\r\n'
            "This is a cryptographically signed message in MIME format.\r\n\r\n"
            f"--{boundary}\r\n"
        ).encode()
        + signed_part
        + (
            f'\r\n--{boundary}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
            'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n'
            "Content-Description: S/MIME Cryptographic Signature\r\n\r\n"
            f"{b64(signature)}\r\n\r\n--{boundary}--\r\n"
        ).encode()
    )
    message = parsed(raw)
    assert [a.filename for a in message.attachments] == ["application.pdf"]
    assert message.attachments[0].detected_type == "application/pdf"
    assert "S/MIME signed" in message.flags and message.unopened == []
    assert message.text_body.strip() == "My application is attached."


def test_an_encrypted_message_is_kept_and_said_to_be_unreadable():
    certificate, _key = signer("rsa")
    entity = outlook_entity("Secret application.", form_pdf())
    enveloped = pkcs7.PKCS7EnvelopeBuilder().set_data(entity).add_recipient(certificate)
    der = enveloped.encrypt(serialization.Encoding.DER, [])
    message = parsed(outlook_smime(der, "enveloped-data"))
    [kept] = message.attachments
    assert (kept.filename, kept.data) == ("smime.p7m", der)
    assert kept.flags == ["encrypted with S/MIME: it cannot be read here"]
    assert message.unopened == ["encrypted with S/MIME: it cannot be read here"]
    assert "Secret" not in message.text_body


def mail_with_attachment(filename: str, content_type: str, data: bytes) -> bytes:
    boundary = "----=_Part_1_2028472.1731838321"
    return (
        f"From: Sam Person <sam@example.org>\r\nTo: {MAILBOX}\r\nSubject: Form\r\n"
        "Message-ID: <b2@example.org>\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nMy form.\r\n"
        f'--{boundary}\r\nContent-Type: {content_type}; name="{filename}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n{b64(data)}\r\n--{boundary}--\r\n'
    ).encode()


@pytest.mark.parametrize("content_type", ["application/pkcs7-mime", "application/octet-stream"])
def test_a_p7m_that_is_not_cms_is_kept_and_said_to_be_unopened(content_type):
    garbage = b"\x30\x82\x01\x00 this is not a CMS structure at all" + bytes(range(256))
    message = parsed(mail_with_attachment("smime.p7m", content_type, garbage))
    [kept] = message.attachments
    assert (kept.filename, kept.data) == ("smime.p7m", garbage)
    assert kept.flags == ["could not be opened: it is not S/MIME data"]
    assert message.unopened == ["smime.p7m could not be opened: it is not S/MIME data"]
    assert message.text_body.strip() == "My form."


def test_containers_inside_containers_open_a_few_levels_deep_and_no_further():
    content = outlook_with_winmail(tnef(tnef_message_props(), tnef_file("form.pdf", "FORM.PDF", form_pdf())))
    for _ in range(2):  # a winmail.dat signed, and signed again: three containers
        content = outlook_smime(signed_der(content), "signed-data")
    assert [a.filename for a in parsed(content).attachments] == ["form.pdf"]
    content = outlook_smime(signed_der(content), "signed-data")  # four
    message = parsed(content)
    [kept] = message.attachments
    assert kept.filename == "winmail.dat"  # the innermost, kept whole
    assert message.unopened == ["winmail.dat: containers nested too deeply; not opened"]


def test_an_rtf_body_with_characters_beyond_the_basic_plane_is_stored_whole():
    """Outlook writes an emoji as two \\u surrogates: they are joined (a lone one would make the message
    impossible to store, and it would be quarantined)."""
    from mail_ingest.containers import rtf_text

    text = rtf_text(rb"{\rtf1\ansi\uc1 Hello \u-10179?\u-8704? I would like to apply. Lone \u-10179? end.}")
    assert text == "Hello \U0001f600 I would like to apply. Lone \ufffd end."
    assert text.encode("utf-8")
