"""Raw message bytes -> ParsedMessage, for any mail at all. `parse()` never raises: what it cannot read
becomes a flag (decoded as best it can) or, if the message as a whole is unreadable, a ParseFailure with
the reason, which the poller quarantines."""

from __future__ import annotations

import base64
import functools
import quopri
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.utils import getaddresses, parseaddr

from webapp import safe_html
from webapp.extract import detect_type
from webapp.models import DMARC_FAILED

ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedAttachment:
    filename: str
    declared_type: str
    detected_type: str
    data: bytes
    flags: list[str] = field(default_factory=list)
    inline: bool = False  # shown in the body (a logo, a signature picture), not attached by the writer


@dataclass
class Forwarded:
    """The message someone forwarded to us: attached whole (message/rfc822) or quoted in the body under a
    "Forwarded message" line. Its sender is read from its own From."""

    from_address: str | None
    from_name: str
    subject: str
    text: str


@dataclass
class ParsedMessage:
    message_id: str | None
    from_address: str | None  # None: "unknown sender", never matched to an applicant
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    in_reply_to: str
    references: list[str]
    headers: dict[str, str]  # the few headers classification reads, lower-case names
    text_body: str
    html_body: str  # sanitised: no script, no styles, no remote content
    attachments: list[ParsedAttachment]
    flags: list[str]
    is_report: bool  # multipart/report: a delivery status notification or similar
    forwarded: Forwarded | None = None


@dataclass
class ParseFailure:
    reason: str


@dataclass(frozen=True)
class Limits:
    max_attachments: int = 20
    max_attachment_bytes: int = 20 * 1024 * 1024


class _RememberingRegistry(HeaderRegistry):
    """policy.default's header registry, remembering the headers it has parsed. The email package parses
    a header again each time it is read (a dozen times a message: Content-Type alone five times), and
    most mail repeats the same Content-Type, MIME-Version and Content-Transfer-Encoding. Header objects
    are immutable; only short values are kept, so the memory stays small."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed = functools.lru_cache(maxsize=2048)(super().__call__)

    def __call__(self, name: str, value: str):
        return self._parsed(name, value) if len(value) <= 256 else super().__call__(name, value)


POLICY = policy.default.clone(header_factory=_RememberingRegistry())

CLASSIFYING_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "precedence",
    "return-path",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "x-failed-recipients",
    "authentication-results",  # the first one: the one our own receiving server added
)
DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def parse(raw: bytes, limits: Limits | None = None) -> ParsedMessage | ParseFailure:
    limits = limits or Limits()
    try:
        return _parse(raw, limits)
    except Exception as exc:  # the boundary: nothing a message contains may stop the poller
        return ParseFailure(f"could not read the message: {type(exc).__name__}: {str(exc)[:200]}")


def _parse(raw: bytes, limits: Limits) -> ParsedMessage | ParseFailure:
    if not raw.strip():
        return ParseFailure("the message is empty")
    message = message_from_bytes(raw, policy=POLICY)
    flags: list[str] = []
    if not message.keys():
        return ParseFailure("the message has no headers")
    # Structured headers are read raw (cheap); only those shown to people are decoded by the email policy.
    raw_headers = _raw_headers(message)
    headers = {name: raw_headers.get(name, "") for name in CLASSIFYING_HEADERS}
    from_name, from_address = _sender(_header(message, "from", flags), raw_headers.get("from", ""), flags)
    message_id = _message_id(raw_headers.get("message-id", ""))
    if DMARC_FAIL.search(headers["authentication-results"]):
        flags.append(DMARC_FAILED)
    if message_id is None:
        flags.append("no Message-ID")
    text_body, html_body, attachments = "", "", list[ParsedAttachment]()
    bodies: dict[str, list[str]] = {"text": [], "html": []}
    forwards: list[Forwarded] = []
    _walk(message, _Walk(flags, limits, attachments, bodies, forwards))
    if len(attachments) > limits.max_attachments:
        return ParseFailure(
            f"{len(attachments)} attachments, more than the limit of {limits.max_attachments}"
        )
    text_body, html_body = _bodies(bodies)
    subject = " ".join(_header(message, "subject", flags).split())[:998]
    forwarded = forwards[0] if forwards else _inline_forward(subject, text_body)
    for inner in forwards:
        text_body += f"\n\n---------- Forwarded message ----------\nFrom: {inner.from_name} "
        text_body += f"<{inner.from_address or 'unknown'}>\nSubject: {inner.subject}\n\n{inner.text}"
    return ParsedMessage(
        message_id=message_id,
        from_address=from_address,
        from_name=from_name,
        to=[addr for _name, addr in getaddresses([_header(message, "to", flags)]) if addr],
        cc=[addr for _name, addr in getaddresses([_header(message, "cc", flags)]) if addr],
        subject=subject,
        in_reply_to=" ".join(MESSAGE_ID.findall(raw_headers.get("in-reply-to", ""))),
        references=MESSAGE_ID.findall(raw_headers.get("references", ""))[-50:],
        headers=headers,
        text_body=text_body,
        html_body=html_body,
        attachments=attachments,
        flags=flags,
        is_report=message.get_content_type() == "multipart/report",
        forwarded=forwarded,
    )


def _bodies(bodies: dict[str, list[str]]) -> tuple[str, str]:
    """The text body and the sanitised HTML body (the text taken from the HTML when there is none)."""
    text_body = "\n\n".join(bodies["text"])
    raw_html = "\n".join(bodies["html"])
    html_body = safe_html.clean(raw_html) if raw_html else ""
    if raw_html and not text_body:
        text_body = safe_html.text_of(raw_html)
    return text_body, html_body


FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|wg|ymlaen)\s*:", re.IGNORECASE)
# Where a forwarded message starts in a body (Gmail, Outlook, Apple Mail, Thunderbird), then its From.
FORWARD_START = re.compile(
    r"^\s*(-{2,}\s*(Forwarded message|Original Message|Neges wedi'i hanfon ymlaen)\s*-*|_{10,}|"
    r"Begin forwarded message:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_FIELD = re.compile(
    r"^\s*\*?(From|Subject|Oddi wrth|Pwnc)\s*:\*?\s*(.+)$", re.IGNORECASE | re.MULTILINE
)


def _inline_forward(subject: str, text: str) -> Forwarded | None:
    """A forwarded message quoted in the body: the sender and subject from its header lines."""
    if not FORWARD_SUBJECT.match(subject):
        return None
    start = FORWARD_START.search(text)
    if start is None:
        return None
    rest = text[start.end() :]
    header, _sep, body = rest.lstrip("\n").partition("\n\n")
    fields: dict[str, str] = {}
    for found in FORWARD_FIELD.finditer(header):
        key = {"oddi wrth": "from", "pwnc": "subject"}.get(found.group(1).lower(), found.group(1).lower())
        fields.setdefault(key, found.group(2).strip())
    if "from" not in fields:
        return None
    name, address = parseaddr(fields["from"].replace("[mailto:", "<").replace("]", ">"))
    address = address.strip().lower()
    return Forwarded(
        address if ADDRESS.match(address) else None,
        name[:200],
        fields.get("subject", "")[:998],
        body[:20_000],
    )


def _raw_headers(message: Message) -> dict[str, str]:
    """The first value of each header, undecoded, as one unfolded line (lower-case names)."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key not in found:
            found[key] = " ".join(str(value).split())
    return found


@dataclass
class Headers:
    message_id: str | None = None
    from_address: str | None = None
    from_name: str = ""
    subject: str = ""


def parse_headers(raw: bytes) -> Headers:
    """Just the identifying headers, from a message's header block (for mail too large to fetch)."""
    try:
        message = message_from_bytes(raw + b"\n\n", policy=POLICY)
        flags: list[str] = []
        name, address = _sender(_header(message, "from", flags), _raw_headers(message).get("from", ""), flags)
        return Headers(
            _message_id(_header(message, "message-id", flags)),
            address,
            name,
            " ".join(_header(message, "subject", flags).split())[:998],
        )
    except Exception:
        return Headers()


def _header(message: Message, name: str, flags: list[str]) -> str:
    """A header's decoded value, or its raw bytes decoded leniently when it is malformed."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        flags.append(f"malformed {name} header")
    for key, raw in message.raw_items():
        if key.lower() == name:
            try:
                return str(make_header(decode_header(str(raw))))
            except Exception:
                return str(raw).encode("utf-8", "replace").decode("utf-8", "replace")
    return ""


def _sender(value: str, raw: str, flags: list[str]) -> tuple[str, str | None]:
    """The display name (decoded) and the address, read from the raw header: an address can never be
    inside an encoded word, so one that only appears once decoded (a display name pretending to be an
    address) is not the sender."""
    name, _decoded_address = parseaddr(value)
    _raw_name, address = parseaddr(raw)
    address = address.strip().lower()
    if not address or len(address) > 320 or not ADDRESS.match(address) or "=?" in address:
        flags.append("sender address could not be read")
        return (name or value)[:200], None
    return name[:200], address


def _message_id(value: str) -> str | None:
    match = MESSAGE_ID.search(value)
    return match.group(0)[:998] if match else None


@dataclass
class _Walk:
    """What walking a message's parts collects."""

    flags: list[str]
    limits: Limits
    attachments: list[ParsedAttachment]
    bodies: dict[str, list[str]]
    forwards: list[Forwarded]


def _walk(part: Message, into: _Walk, depth: int = 0) -> None:
    if depth > 20:
        into.flags.append("parts nested too deeply; the rest was not read")
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822" and depth > 0:
        _forwarded(part, into, depth)
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _walk(child, into, depth + 1)
        return
    filename = _filename(part, into.flags)
    disposition = (part.get_content_disposition() or "").lower()
    is_body = content_type in {"text/plain", "text/html"} and disposition != "attachment" and not filename
    if is_body:
        text = _decode_text(part, into.flags)
        into.bodies["html" if content_type == "text/html" else "text"].append(text)
        return
    data = _payload(part)
    if not filename:
        filename = (
            "winmail.dat"
            if content_type == "application/ms-tnef"
            else f"attachment.{content_type.split('/')[-1]}"
        )
    inline = (
        disposition != "attachment" and bool(part.get("content-id")) and content_type.startswith("image/")
    )
    _add_attachment(into, filename, content_type, data, inline)


def _forwarded(part: Message, into: _Walk, depth: int) -> None:
    """A message attached whole: its files join this message's, its text is kept as its own, and its
    sender is remembered (the person who wrote it, not the one who forwarded it)."""
    into.flags.append("contains a forwarded message")
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
    if inner is None:
        inner = message_from_bytes(_payload(part), policy=POLICY)
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding in {"base64", "quoted-printable"} and not inner.keys():
        # Some programs encode an attached message (RFC 2046 forbids it): decode it, then read it.
        encoded = inner.get_payload()
        raw = encoded.encode("ascii", "replace") if isinstance(encoded, str) else b""
        data = base64.b64decode(raw, validate=False) if encoding == "base64" else quopri.decodestring(raw)
        inner = message_from_bytes(data, policy=POLICY)
    bodies: dict[str, list[str]] = {"text": [], "html": []}
    _walk(inner, _Walk(into.flags, into.limits, into.attachments, bodies, into.forwards), depth + 1)
    # (Its sender's problems are not this message's: the flag is for the person who sent it to us.)
    name, address = _sender(_header(inner, "from", []), _raw_headers(inner).get("from", ""), [])
    text, _html = _bodies(bodies)
    subject = " ".join(_header(inner, "subject", into.flags).split())[:998]
    into.forwards.insert(0, Forwarded(address, name, subject, text[:20_000]))


def _add_attachment(into: _Walk, filename: str, declared: str, data: bytes, inline: bool = False) -> None:
    flags, limits = into.flags, into.limits
    own_flags = []
    if filename.lower() == "winmail.dat" or declared == "application/ms-tnef":
        own_flags.append("Outlook winmail.dat: its contents can only be opened in Outlook")
    if len(data) > limits.max_attachment_bytes:
        own_flags.append(f"too large to keep ({len(data):,} bytes)")
        flags.append(f"attachment '{filename}' too large to keep")
        data = b""
    detected = detect_type(data) if data else "application/octet-stream"
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in {"pdf", "docx", "odt"} and data and not detected.endswith(_EXPECTED[extension]):
        own_flags.append(f"named .{extension} but its content is {detected}")
    into.attachments.append(ParsedAttachment(filename, declared, detected, data, own_flags, inline))


_EXPECTED = {"pdf": "pdf", "docx": "wordprocessingml.document", "odt": "opendocument.text"}


def _filename(part: Message, flags: list[str]) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        flags.append("an attachment's name could not be read")
        return ""
    # Never a path: only the last component, without control characters, at most 200 characters.
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200]


def _payload(part: Message) -> bytes:
    """A part's body, transfer-decoded."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decode_text(part: Message, flags: list[str]) -> str:
    payload = _payload(part)
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset)
        except LookupError:
            flags.append(f"unknown charset '{charset[:40]}'; read as windows-1252")
        except UnicodeDecodeError:
            flags.append(f"text was not valid {charset[:40]}; unreadable characters replaced")
            return payload.decode(charset, errors="replace")
    else:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            flags.append("no charset given; read as windows-1252")
    return payload.decode("cp1252", errors="replace")
