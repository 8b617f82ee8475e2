"""Delivery reports ("bounces", non-delivery reports) about the mail the service sent.

This module owns one question: is an incoming message a report that an email we sent (an acknowledgement,
a letter) was not delivered, and if so, which of our emails it is about (by Message-ID), to whom, whether
the failure is final or only a delay, and what the receiving server said. `delivery_report` is pure (bytes
in, a `Report` or None out: no database, no network) and never raises.

It works in two stages. `_worth_a_look` reads only the top-level header block, by byte search, so ordinary
mail is dismissed in microseconds; only a likely report is parsed with the `email` package. A standard
report (RFC 3464 / 3462 / 6522, and RFC 6533's global forms) is read from its delivery-status part; the
non-standard ones (Exim, qmail, Sendmail without MIME, Exchange and Gmail text) from their human-readable
text, the way the Sisimai bounce parser reads them."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

from webapp import safe_html

MAX_REASON = 300
HEADER_LIMIT = 256 * 1024  # the gate looks no further than this for the end of the header block
MAX_DEPTH = 8  # MIME nesting followed; a report is two levels deep, three with Gmail's icon


@dataclass(frozen=True)
class Report:
    message_ids: tuple[str, ...]  # Message-IDs (with angle brackets) of our original message(s), in order
    recipients: tuple[str, ...]  # the addresses that failed, lower-case
    permanent: bool  # True: failed for good; False: only delayed, still being retried
    status: str  # the enhanced status code, e.g. "5.1.1"; "" if none
    reason: str  # the server's diagnostic in one line, at most MAX_REASON characters


def delivery_report(raw: bytes) -> Report | None:
    """The delivery report in `raw`, or None when it is not one at all (a person's mail, a read receipt,
    an out-of-office, a report that delivery succeeded)."""
    try:
        if not _worth_a_look(raw):
            return None
        return _read(message_from_bytes(raw))
    except Exception:  # the boundary: no message, however malformed, may stop the poller
        return None


# --- Stage 1: the gate, on the top-level header block only ---------------------------------------------

# The headers the gate reads; one pass of a regular expression finds them all, three times faster than
# a bytes.find for each.
_GATE_HEADER = re.compile(rb"\n(content-type|from|sender|return-path|x-failed-recipients|subject)[ \t]*:")
_REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?([\w-]+)", re.I)
_DELIVERY_REPORT_TYPES = ("delivery-status", "global-delivery-status")
_DAEMON = re.compile(
    r"mailer[-_]?daemon|mail-?daemon|postmaster@|mail delivery (?:sub)?system|microsoftexchange[0-9a-f]{32}@",
    re.I,
)
# Subjects servers give their reports (Sisimai's list, and Exchange's translations), matched at the start.
_BOUNCE_SUBJECT = re.compile(
    r"\s*(?:undeliver|non-?deliver|delivery (?:status|failure|failed|has failed|delayed|notification)"
    r"|mail delivery|mail (?:could not|failure|system error)|message (?:delivery has failed|not delivered)"
    r"|returned mail|failure notice|fail(?:ed|ure) delivery|delayed mail|warning: (?:could not send|message )"
    r"|notice: mail delivery|postmaster notify|there was an error sending your mail"
    r"|non recapitabile|non remis|unzustellbar|onbestelbaar|no se puede entregar)",
    re.I,
)


def _worth_a_look(raw: bytes) -> bool:
    """Whether the top-level headers look like a delivery report: cheap, and generous (stage 2 decides)."""
    headers = _top_headers(raw)
    content_type = headers.get(b"content-type", "").lower()
    if content_type.startswith("multipart/report"):
        # A read receipt (disposition-notification) or an abuse report (feedback-report): not delivery.
        kind = _REPORT_TYPE.search(content_type)
        return kind is None or kind.group(1) in _DELIVERY_REPORT_TYPES
    if content_type.startswith(("message/delivery-status", "message/global-delivery-status")):
        return True
    if b"x-failed-recipients" in headers or headers.get(b"return-path") == "<>":
        return True
    if _DAEMON.search(headers.get(b"from", "") + " " + headers.get(b"sender", "")):
        return True
    return _BOUNCE_SUBJECT.match(_subject_start(headers.get(b"subject", ""))) is not None


def _top_headers(raw: bytes) -> dict[bytes, str]:
    """The few headers the gate reads, by lower-case name, unfolded. Found by byte search rather than by the
    `email` parser, which costs many times more than the whole decision on an ordinary message."""
    block = b"\n" + raw[: _header_end(raw)]
    found: dict[bytes, str] = {}
    for header in _GATE_HEADER.finditer(block.lower()):
        if header.group(1) not in found:  # the first of each, as the email package reads it
            found[header.group(1)] = _unfolded(block, header.end()).decode("latin-1")
    return found


def _header_end(raw: bytes) -> int:
    """Where the header block ends: the first blank line, looked for with the message's own line ending
    first (bytes.find is many times faster than a regular expression allowing both)."""
    first_line = raw.find(b"\n", 0, HEADER_LIMIT)
    endings = (b"\r\n\r\n", b"\n\n") if raw[first_line - 1 : first_line] == b"\r" else (b"\n\n", b"\r\n\r\n")
    for blank_line in endings:
        end = raw.find(blank_line, 0, HEADER_LIMIT)
        if end >= 0:
            return end
    return HEADER_LIMIT


def _unfolded(block: bytes, start: int) -> bytes:
    """The header value starting at `start`, with its continuation lines, whitespace collapsed."""
    end = block.find(b"\n", start)
    while end >= 0 and block[end + 1 : end + 2] in (b" ", b"\t"):
        end = block.find(b"\n", end + 1)
    return b" ".join(block[start : end if end >= 0 else len(block)].split())


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _subject_start(value: str) -> str:
    """Enough of a subject to match its first words: a subject that opens with an encoded word has that word
    decoded alone, which is all the gate needs and costs a tenth of decoding the whole header."""
    word = _ENCODED_WORD.match(value.lstrip())
    if not word:
        return value
    charset, encoding, text = word.groups()
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = binascii.a2b_qp(text.replace("_", " "), header=True)
        return data.decode(charset.split("*")[0], "replace")
    except (LookupError, ValueError):  # a word that does not decode: match what is there
        return value


def _decoded(value: str) -> str:
    """A header value with RFC 2047 encoded words decoded: Exchange encodes the whole subject,
    "Undeliverable:" included, when the original subject has an accent in it."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # an encoded word that does not decode is read as it is
        return value


# --- Stage 2: the parts of a likely report -------------------------------------------------------------

_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_ORIGINAL_TYPES = frozenset(
    {
        "message/rfc822",
        "message/global",
        "message/rfc822-headers",
        "message/global-headers",
        "text/rfc822-headers",
        "text/rfc822",
    }
)


@dataclass
class _Parts:
    """A report's MIME parts sorted by what each is for."""

    plain: list[str] = field(default_factory=list)  # the text written for a person
    html: list[str] = field(default_factory=list)  # ... and its HTML version, as text
    statuses: list[str] = field(default_factory=list)  # delivery-status parts, as text
    originals: list[str] = field(default_factory=list)  # header blocks of the returned original(s)

    def human(self) -> str:
        return "\n".join(self.plain) if any(text.strip() for text in self.plain) else "\n".join(self.html)


def _sort(part: Message, parts: _Parts, depth: int = 0) -> None:
    """File `part` (and what it contains) into `parts`. The returned original is not descended into: its own
    text and attachments are our letter, not the report."""
    content_type = part.get_content_type()
    if content_type in _STATUS_TYPES:
        parts.statuses.append(_status_text(part))
    elif content_type in _ORIGINAL_TYPES:
        parts.originals.append(_original_headers(part))
    elif part.is_multipart():
        for sub in part.get_payload() if depth < MAX_DEPTH else []:
            if isinstance(sub, Message):
                _sort(sub, parts, depth + 1)
    elif content_type == "text/html":
        parts.html.append(_html_as_text(_text_of(part)))
    elif content_type == "text/plain" or content_type.startswith("multipart/"):
        parts.plain.append(_text_of(part))  # a multipart without a usable boundary is read as its text


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        text = payload.decode(part.get_content_charset() or "utf-8")
    except (LookupError, UnicodeDecodeError):  # an unknown or wrong charset: UTF-8, what most mail is
        text = payload.decode("utf-8", "replace")
    return text.replace("\r\n", "\n")  # so that "$" ends a line


def _unescaped(text: str) -> str:
    """Text the `email` package read from raw bytes, where non-ASCII bytes became surrogates, as UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\r\n", "\n")


def _status_text(part: Message) -> str:
    """A delivery-status part as text. The `email` package splits message/delivery-status into one Message per
    field block (and reads message/global-delivery-status as an enclosed message), so the blocks are written
    back out, and decoded if a server sent the part in base64 or quoted-printable."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _text_of(part)
    text = "\n\n".join(_block_text(block) for block in payload if isinstance(block, Message))
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    try:
        if encoding == "base64":
            text = base64.b64decode("".join(text.split())).decode("utf-8", "replace")
        elif encoding == "quoted-printable":
            text = quopri.decodestring(text.encode("utf-8", "surrogateescape")).decode("utf-8", "replace")
    except (binascii.Error, ValueError):  # not really encoded after all: read as it is
        pass
    return _unescaped(text)


def _block_text(block: Message) -> str:
    fields = "\n".join(f"{name}: {value}" for name, value in block.raw_items())
    # The raw bytes: get_payload() without decode=True turns non-ASCII into U+FFFD.
    body = block.get_payload(decode=True)
    return fields + "\n\n" + body.decode("ascii", "surrogateescape") if isinstance(body, bytes) else fields


def _original_headers(part: Message) -> str:
    """The header block of a returned original: a whole message, or its headers only."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return _unescaped("\n".join(f"{name}: {value}" for name, value in payload[0].raw_items()))
    text = _text_of(part).lstrip("\r\n")  # some servers start text/rfc822-headers with a blank line
    return re.split(r"\r?\n[ \t]*\r?\n", text, maxsplit=1)[0]


MAX_HTML = 200_000  # characters of an HTML report read: its words are at the top


def _html_as_text(markup: str) -> str:
    """Enough of an HTML report's text to read it (nh3: linear, whatever the markup)."""
    return safe_html.text_of(markup[:MAX_HTML])


# Where a report's own words stop and the copy of the original message begins (Exim, qmail, Sendmail,
# Gmail's older reports, Exchange's "Original message headers:").
_COPY_MARKER = re.compile(
    r"^[ \t]*-*[ \t]*(?:this is a copy of the message|below (?:this|the next) line is a copy of the"
    r"|original message follows|message header follows|unsent message follows|original message headers"
    r"|original message ?-|your message was:?[ \t]*$)",
    re.I | re.M,
)


def _before_copy(text: str) -> str:
    marker = _COPY_MARKER.search(text)
    return text[: marker.start()] if marker else text


# --- Delivery-status fields (RFC 3464 section 2) ------------------------------------------------------

_DSN_FIELDS = frozenset(
    {
        "reporting-mta",
        "received-from-mta",
        "arrival-date",
        "original-envelope-id",
        "x-original-message-id",
        "dsn-gateway",
        "final-recipient",
        "original-recipient",
        "x-actual-recipient",
        "action",
        "status",
        "diagnostic-code",
        "remote-mta",
        "last-attempt-date",
        "will-retry-until",
    }
)
_RECIPIENT_FIELDS = frozenset(
    {"final-recipient", "original-recipient", "action", "status", "diagnostic-code"}
)
_FIELD_LINE = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*)$")
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")


def _field_records(text: str) -> list[dict[str, str]]:
    """The DSN field blocks in `text`, each a dict of lower-case field name -> value. A blank line ends a
    block; so does a field seen twice, which is how a report pasted into plain text runs recipients together.
    Lines that are not DSN fields are passed over, so this reads a report's human text too."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in _unfold(text):
        match = _FIELD_LINE.match(line)
        name = match.group(1).lower() if match else ""
        if current and (not line.strip() or name in current):
            records.append(current)
            current = {}
        if match and name in _DSN_FIELDS:
            current[name] = match.group(2).strip()
    return [*records, current] if current else records


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and lines and lines[-1].strip():
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines


def _records(parts: _Parts, said: str) -> list[dict[str, str]]:
    """The field blocks of the delivery-status parts or, when there are none, of a report pasted into the
    human text (where at least two DSN fields together are needed, so a stray "Status:" line is not one)."""
    records = [record for text in parts.statuses for record in _field_records(text)]
    if any(_RECIPIENT_FIELDS & record.keys() for record in records):
        return records
    return records + [record for record in _field_records(said) if len(record) >= 2]


@dataclass(frozen=True)
class _Outcome:
    """What one recipient's block says."""

    address: str
    kind: str  # "failed", "delayed", "delivered" (or relayed, expanded), "" when it does not say
    status: str
    diagnostic: str


def _outcome(record: dict[str, str]) -> _Outcome | None:
    if not _RECIPIENT_FIELDS & record.keys():
        return None  # a per-message block
    status = _ENHANCED.search(record.get("status", ""))
    address = record.get("final-recipient") or record.get("original-recipient") or ""
    return _Outcome(
        address=_dsn_address(address),
        kind=_kind(record.get("action", ""), status.group(0) if status else ""),
        status=status.group(0) if status else "",
        diagnostic=_diagnostic(record.get("diagnostic-code", "")),
    )


def _kind(action: str, status: str) -> str:
    """The Action field, or the class of the Status when the Action is missing or not one of RFC 3464's."""
    action = action.strip().lower()
    if action.startswith("fail"):
        return "failed"
    if action.startswith("delay"):
        return "delayed"
    if action.startswith(("deliver", "relay", "expand")):
        return "delivered"
    return {"5": "failed", "4": "delayed", "2": "delivered"}.get(status[:1], "")


def _dsn_address(value: str) -> str:
    """ "rfc822; <Jo@Example.com>" -> "jo@example.com"; "" for a value that is not an email address."""
    kind, separator, address = value.partition(";")
    address = (address if separator else kind).strip().strip("<>").strip().lower()
    return address if "@" in address else ""


# The diagnostic type (RFC 3464 2.3.6) before the server's words: "smtp;", "X-Postfix;", "X-Unix;".
_TYPE_PREFIX = re.compile(r"^\s*(?:e?smtp|lmtp|x-[\w.-]+|x400|mta|unix)\s*;\s*", re.I)


def _diagnostic(value: str) -> str:
    return _tidy_reply(_TYPE_PREFIX.sub("", " ".join(value.split()), count=1))


_REPLY_LEAD = re.compile(r"([45]\d\d)[ -](?:([245]\.\d{1,3}\.\d{1,3})\s)?")


def _tidy_reply(text: str) -> str:
    """A multi-line SMTP reply as one: "550-5.1.1 a 550-5.1.1 b 550 5.1.1 c" -> "550 5.1.1 a b c"."""
    lead = _REPLY_LEAD.match(text)
    if not lead:
        return text
    code, status = lead.group(1), lead.group(2)
    repeated = re.compile(rf"\s{code}[ -]" + (rf"{re.escape(status)}\s" if status else ""))
    head = text[: lead.end()].replace(f"{code}-", f"{code} ", 1)
    return head + repeated.sub(" ", text[lead.end() :])


# --- Reading a report that has no delivery-status fields -----------------------------------------------

# Words only a mail server writes: enough, with no other sign, to call a message a delivery report.
_MACHINE_WORDS = re.compile(
    r"created automatically by mail delivery software|this is the qmail-send program|hi\. this is the qmail"
    r"|this is the mail system at host|had permanent fatal errors|transcript of session follows"
    r"|delivery has failed to these recipients or groups|diagnostic information for administrators"
    r"|remote server returned '|delivery to the following recipients? (?:failed|has been delayed)"
    r"|your message wasn't delivered to|(?:unable|not able|wasn't able|weren't able) to deliver your"
    r"|this message was undeliverable"
    r"|automatically generated delivery status notification|did not reach (?:some or all of )?the intended"
    r"|a message that you sent (?:could not|has not yet|was not)|this is a warning message only",
    re.I,
)
# Words a person might also write: counted only from a mail server's address.
_FAILURE_WORDS = re.compile(
    r"could ?n[o']t be delivered|was ?n[o']t delivered|undeliverable|delivery (?:has )?failed"
    r"|(?:failed|unable) to deliver|not (?:yet )?been delivered|permanent error|user unknown"
    r"|mailbox (?:unavailable|full)|address not found|does ?n[o']t exist|delivery (?:is |has been )?delayed",
    re.I,
)


def _looks_like_a_report(message: Message, said: str) -> bool:
    """For a message without delivery-status fields: the signs, beyond the gate's, that a server wrote it."""
    content_type = str(message.get("Content-Type", "")).lower()
    kind = _REPORT_TYPE.search(content_type)
    if message.get("X-Failed-Recipients") or (kind and kind.group(1) in _DELIVERY_REPORT_TYPES):
        return True
    if _MACHINE_WORDS.search(said):
        return True
    sender = f"{message.get('From', '')} {message.get('Sender', '')}"
    subject = _decoded(str(message.get("Subject", "")))
    return bool(_DAEMON.search(sender) and (_BOUNCE_SUBJECT.match(subject) or _FAILURE_WORDS.search(said)))


_EXCHANGE_SAID = re.compile(r"remote server returned '([^'\n]+)'", re.I)
_REASON_LINE = re.compile(r"^[ \t]*\(?reason:[ \t]*(\S[^\n]*)", re.I | re.M)  # Openwave, Sendmail
# An SMTP reply in a line of text: at its start (Exchange 2007 puts "#" before it), after "said:", after
# "<<<" (Sendmail's transcript) or after a diagnostic type ("smtp;550", Exchange 2003).
_REPLY_IN_LINE = re.compile(r"(?:^#?|;\s*|[:<>]\s+|said:?\s+)([45]\d\d)(?:[ :-]|$)")


def _text_reason(said: str) -> str:
    """The server's words in a report's text: Exchange's "Remote Server returned '...'", an SMTP reply quoted
    after "said:" or on its own line (Exim, qmail, Postfix, Sendmail, Gmail), a "Reason:" line, or else the
    sentence that best gives a reason."""
    quoted = _EXCHANGE_SAID.search(said)
    if quoted:
        return quoted.group(1)
    lines = said.splitlines()
    for index, line in enumerate(lines):
        reply = _REPLY_IN_LINE.search(line.strip())
        if reply:
            return _tidy_reply(_with_continuation(lines, index, line.strip()[reply.start(1) :]))
    given = _REASON_LINE.search(said)
    return _unbracketed(given.group(1)) if given else _best_sentence(said)


def _unbracketed(text: str) -> str:
    """Without what closed the text around the reply: "(reason: ...)", "<mx #5.1.1 smtp;...>", "... ##"."""
    text = text.rstrip("# ")
    for opening, closing in ("()", "<>"):
        if text.endswith(closing) and text.count(closing) > text.count(opening):
            text = text[:-1]
    return text


def _with_continuation(lines: list[str], index: int, reply: str) -> str:
    """A reply goes on while it is a multi-line SMTP reply ("550-5.1.1 ...") or its lines are indented
    deeper than the line it started on (Postfix wraps at four spaces)."""
    indent = _indent(lines[index])
    found = [reply]
    for line in lines[index + 1 :]:
        stripped = line.strip()
        go_on = found[-1][3:4] == "-" and stripped[:3] == reply[:3]
        if not stripped or not (go_on or _indent(line) > indent):
            break
        found.append(stripped)
    return _unbracketed(" ".join(found))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# A sentence that names a reason beats one that only says the message failed.
_REASON_WORDS = re.compile(
    r"unknown|not found|wasn't found|couldn't be found|could not be found|does ?n[o']t exist|no such"
    r"|no mailbox|full|quota|rejected|refused|blocked|denied|not listed|invalid|disabled|inactive"
    r"|too (?:large|big)|timed out|expired|unavailable|unroutable|unrouteable|spam|policy",
    re.I,
)
_OUTCOME_WORDS = re.compile(
    r"could ?n[o']t be delivered|was ?n[o']t delivered|not (?:yet )?been delivered|undeliverable"
    r"|delivery (?:has )?failed|failed permanently|delayed|temporary problem",
    re.I,
)


_LEADING_ADDRESS = re.compile(r"^<[^<>\s]+@[^<>\s]+>:\s*")  # qmail's "<jo@example.org>: Sorry, ..."


def _best_sentence(said: str) -> str:
    sentences = [
        _LEADING_ADDRESS.sub("", sentence)
        for paragraph in re.split(r"\n[ \t]*\n", said)
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z<\"'])", " ".join(paragraph.split()))
    ]
    for words in (_REASON_WORDS, _OUTCOME_WORDS):
        for sentence in sentences:
            if words.search(sentence):
                return sentence
    return ""


# --- The report ----------------------------------------------------------------------------------------


def _read(message: Message) -> Report | None:
    parts = _Parts()
    _sort(message, parts)
    said = _before_copy(parts.human())  # the report's own words, not the copy of our letter
    records = _records(parts, said)
    outcomes = [outcome for outcome in map(_outcome, records) if outcome is not None]
    if outcomes and all(outcome.kind == "delivered" for outcome in outcomes):
        return None  # a report that delivery succeeded (NOTIFY=SUCCESS): nothing went wrong
    failing = [outcome for outcome in outcomes if outcome.kind != "delivered"]
    # Fields in a delivery-status part are a server's; fields in text (or none) need a server's other signs.
    if not (parts.statuses and failing) and not _looks_like_a_report(message, said):
        return None
    return _report(message, parts, said, records, failing)


def _report(
    message: Message, parts: _Parts, said: str, records: list[dict[str, str]], failing: list[_Outcome]
) -> Report:
    subject = _decoded(str(message.get("Subject", "")))
    chosen = _chosen(failing)
    reason = chosen.diagnostic if chosen else ""
    if not re.search(r"[^\W\d_]", reason):  # none, or a bare "550": the report's text says more
        reason = _text_reason(said) or reason
    status = _status(chosen.status if chosen else "", reason, said)
    return Report(
        message_ids=_message_ids(message, parts, records),
        recipients=_recipients(message, failing, said),
        permanent=_permanent(failing, subject, said, status),
        status=status,
        reason=_one_line(reason),
    )


def _chosen(failing: list[_Outcome]) -> _Outcome | None:
    """The recipient the report is summed up by: the first that failed for good, else the first delayed."""
    for kind in ("failed", "delayed", ""):
        for outcome in failing:
            if outcome.kind == kind:
                return outcome
    return None


def _status(declared: str, *texts: str) -> str:
    """The Status field, unless it is only a class ("5.0.0", as Exim writes) and the server's own words give
    a more precise code of the same class; without a Status field, the first code in the words."""
    said = next((match.group(0) for text in texts if (match := _ENHANCED.search(text))), "")
    if declared.endswith(".0.0") and said[:1] == declared[:1]:
        return said
    return declared or said


_GIVEN_UP = re.compile(r"permanent|given up|giving up|gave up|not going to try again", re.I)
# "Delay" before the first colon: the report's own words ("Delivery Status Notification (Delay)", "Delivery
# delayed:", "Delayed Mail"), not our subject after "Undeliverable:". Sendmail and Exim warn with "Warning:".
_DELAY_SUBJECT = re.compile(r"\s*(?:warning:|[^:]*delay)", re.I)
_DELAY_WORDS = re.compile(
    r"not yet been delivered|will (?:be )?retr(?:y|ied)|will keep trying|will continue (?:to try|trying)"
    r"|delivery attempts will continue|still (?:being )?(?:retried|retrying|trying)|warning (?:message )?only"
    r"|do not need to resend|no action is required on your part|has been delayed|delivery incomplete"
    r"|temporary problem delivering",
    re.I,
)


def _permanent(failing: list[_Outcome], subject: str, said: str, status: str) -> bool:
    """Final unless the report says it is still trying: the Action fields decide when there are any (a
    message that expired after retries is "failed" even with a 4.x.x status), else the words and the code."""
    kinds = {outcome.kind for outcome in failing}
    if "failed" in kinds:
        return True
    if "delayed" in kinds or _DELAY_SUBJECT.match(subject) or _DELAY_WORDS.search(said):
        return False
    return _GIVEN_UP.search(said) is not None or not status.startswith("4")


_ADDRESSED = ("From", "To", "Cc", "Delivered-To", "Reply-To", "Return-Path", "Sender")
_ADDRESS = r"[^\s<>()\[\]@,;:\"']+@[\w-]+(?:\.[\w-]+)+"
_RECIPIENT_IN_TEXT = re.compile(
    # an address alone on its line (Exim, Gmail, Exchange, Sendmail's list), maybe "Recipient:" before it
    rf"^[ \t]*(?:(?:final-|original-)?recipient(?: address)?:[ \t]*)?<?({_ADDRESS})>?"
    rf"(?:[ \t]*\([^)\n]*\))?:?[ \t]*$"
    rf"|^[ \t]*<({_ADDRESS})>(?::|\.\.\.)"  # qmail and Postfix "<jo@...>:", Sendmail "<jo@...>..."
    rf"|^[ \t]+({_ADDRESS}) on \d"  # Exchange 2003: "jo@example.org on 20/11/2024 09:31"
    rf"|(?:message|mail) to <?({_ADDRESS})>? (?:could|was|has|can)"
    rf"|(?:delivered|deliver(?:ing)? your message) to <?({_ADDRESS})",
    re.I | re.M,
)


def _recipients(message: Message, failing: list[_Outcome], said: str) -> tuple[str, ...]:
    found = [outcome.address for outcome in failing if outcome.address]
    for value in message.get_all("X-Failed-Recipients") or []:
        found += [address.strip().strip("<>") for address in str(value).split(",")]
    if not found:  # the report's own addresses (ours, the server's) are not the ones that failed
        headers = [str(value) for name in _ADDRESSED for value in message.get_all(name) or []]
        ours = {address.lower() for _name, address in getaddresses(headers)}
        found = [_first(match.groups()) for match in _RECIPIENT_IN_TEXT.finditer(said)]
        found = [address for address in found if address.lower() not in ours]
    return _unique(address.lower() for address in found if "@" in address)


_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*message-id[ \t]*:[ \t]*((?:\r?\n[ \t]+)?[^\r\n]*)", re.I | re.M)
_X_ORIGINAL_LINE = re.compile(r"^[ \t>]*x-original-message-id[ \t]*:[ \t]*([^\r\n]*)", re.I | re.M)


def _message_ids(message: Message, parts: _Parts, records: list[dict[str, str]]) -> tuple[str, ...]:
    """Our Message-IDs the report is about, from the best source it has: the returned original's own
    Message-ID; one quoted in the report's text; X-Original-Message-ID; the report's own In-Reply-To or
    last References entry (Gmail, Exchange and Exim point them at the original); Original-Envelope-Id."""
    texts = parts.plain + parts.html
    for found in (
        [_bracketed(match.group(1)) for block in parts.originals for match in _first_match(block)],
        [_bracketed(match.group(1)) for text in texts for match in _MESSAGE_ID_LINE.finditer(text)],
        _x_original_ids(message, parts, records),
        _bracketed_all(message.get("In-Reply-To", "")) or _bracketed_all(message.get("References", ""))[-1:],
        [_envelope_id(record.get("original-envelope-id", "")) for record in records],
    ):
        ids = _unique(found)
        if ids:
            return ids
    return ()


def _first_match(block: str) -> list[re.Match[str]]:
    """The Message-ID header of one header block: the first, not any quoted further on."""
    match = _MESSAGE_ID_LINE.search(block)
    return [match] if match else []


def _x_original_ids(message: Message, parts: _Parts, records: list[dict[str, str]]) -> list[str]:
    found = [record["x-original-message-id"] for record in records if "x-original-message-id" in record]
    found += [str(value) for value in message.get_all("X-Original-Message-ID") or []]
    for text in parts.originals + parts.plain + parts.html:
        found += [match.group(1) for match in _X_ORIGINAL_LINE.finditer(text)]
    return [_bracketed(value) for value in found]


def _bracketed(value: str) -> str:
    """The Message-ID in a header value, with its angle brackets (added if a server left them off)."""
    found = _bracketed_all(value)
    if found:
        return found[0]
    token = value.strip().split()[0] if value.strip() else ""
    return f"<{token}>" if "@" in token else ""


def _bracketed_all(value: object) -> list[str]:
    return re.findall(r"<[^<>\s]+@[^<>\s]+>", str(value or ""))


def _envelope_id(value: str) -> str:
    """An ENVID (RFC 3461) is xtext: "+40" is "@". With brackets like a Message-ID, so it can be matched."""
    decoded = re.sub(r"\+([0-9A-Fa-f]{2})", lambda hexed: chr(int(hexed.group(1), 16)), value.strip())
    return decoded if decoded.startswith("<") else f"<{decoded}>" if decoded else ""


def _first(groups: Iterable[str | None]) -> str:
    return next((group for group in groups if group), "")


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1].rstrip() + "\u2026"
