"""The containers mail programs wrap a message's words and files in: Outlook's winmail.dat (TNEF) and
S/MIME (CMS signed or encrypted data). This module only turns a container's bytes into what it holds, or
says in a few words why it cannot (`Unopenable`); parse.py decides where the contents go. Nothing here
trusts the bytes: every size and count is checked before it is used, and no failure escapes as anything
but `Unopenable`."""

from __future__ import annotations

import base64
import binascii
import codecs
import mimetypes
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms

# asn1crypto builds each OID name map once, on first use: tsp's CMS attributes (which pyhanko's seal needs)
# must be registered before a message is read here, or sealing fails later in the same process.
from asn1crypto import tsp as _tsp  # noqa: F401
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from tnefparse.tnef import TNEF  # type: ignore[import-untyped]

TNEF_KIND = "tnef"
SMIME_KIND = "smime"
TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"  # 0x223E9F78, little-endian
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
SMIME_TYPES = {"application/pkcs7-mime", "application/x-pkcs7-mime"}
SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature"}

SIGNATURE_NOT_CHECKED = "S/MIME signed; the signature was not checked"
SIGNATURE_INTACT = "S/MIME signed; signature intact (not checked against a trusted certificate)"
SIGNATURE_BROKEN = "S/MIME signed; the signature does not match the content: it may have been altered"


class Unopenable(Exception):
    """Why a container could not be opened, in words for the people reviewing the mail."""


class Encrypted(Unopenable):
    """Encrypted to its recipients' keys: there is nothing wrong with it, but it cannot be read here."""


def kind(filename: str, content_type: str, data: bytes) -> str:
    """TNEF_KIND, SMIME_KIND or "" (an ordinary file). A winmail.dat is known by its type, its name or its
    first four bytes (some gateways send it as application/octet-stream named ATT00001.dat)."""
    name = filename.lower()
    if content_type in TNEF_TYPES or name == "winmail.dat" or data[:4] == TNEF_SIGNATURE:
        return TNEF_KIND
    if name.endswith(".p7c"):  # certificates only (smime-type=certs-only): nothing inside to read
        return ""
    if content_type in SMIME_TYPES or name.endswith(".p7m"):
        return SMIME_KIND
    return ""


def is_signature(filename: str, content_type: str) -> bool:
    """A detached S/MIME signature (smime.p7s): it says who signed the message, it is no file of theirs."""
    return content_type in SIGNATURE_TYPES or filename.lower().endswith(".p7s")


# --- Outlook's winmail.dat ------------------------------------------------------------------------------


@dataclass
class File:
    filename: str  # as the sender named it; parse.py makes it safe
    content_type: str
    data: bytes
    hidden: bool = False  # a picture shown in the body, not a file the writer attached


@dataclass
class Tnef:
    """What a winmail.dat holds: its files, its body, and Outlook items attached to it (a message
    forwarded as an attachment), each read the same way. Subject and sender matter only for those."""

    files: list[File] = field(default_factory=list)
    text: str = ""
    html: str = ""
    embedded: list[Tnef] = field(default_factory=list)
    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""


ATTRIBUTE = struct.Struct("<BHHI")  # level, id, type, length; then the data and a 16-bit checksum
LEVEL_ATTACHMENT = 2
ATT_BODY = 0x800C
ATT_ATTACH_DATA = 0x800F
ATT_ATTACH_TITLE = 0x8010
ATT_ATTACH_REND_DATA = 0x9002
ATT_MSG_PROPS = 0x9003
ATT_RECIP_TABLE = 0x9004
ATT_ATTACHMENT = 0x9005
ATT_OEM_CODEPAGE = 0x9007
MAX_ATTRIBUTES = 2_000  # Outlook writes about ten, and seven an attachment
MAX_EMBEDDED_DEPTH = 3  # Outlook items attached to Outlook items attached to ...
# tnefparse copies the rest of its stream at every attribute: no stream it reads may cost more than this
# in copying, or a small crafted one would stall the poller.
MAX_COPYING = 256 * 1024 * 1024
IMESSAGE = b"\x07\x03\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"  # IID_IMessage
ISTORAGE = b"\x0b\x00\x00\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"  # IID_IStorage

# MAPI property types (MS-OXCDATA) as TNEF writes them: fixed sizes, and the counted, padded ones.
MAPI_FIXED = {0x0002: 2, 0x000B: 2, 0x0003: 4, 0x0004: 4, 0x000A: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8,
              0x0014: 8, 0x0040: 8, 0x0048: 16}  # fmt: skip
MAPI_COUNTED = {0x0000, 0x000D, 0x001E, 0x001F, 0x0102}
MAPI_MULTIPLE = 0x1000
MAPI_NAMED = 0x8000
# MAPI properties, by id (MS-OXPROPS).
PR_SUBJECT = 0x0037
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065
PR_SENDER_NAME = 0x0C1A
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_ATTACH_DATA = 0x3701
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_ATTACH_CONTENT_ID = 0x3712
PR_SENDER_SMTP_ADDRESS = 0x5D01
PR_SENT_REPRESENTING_SMTP_ADDRESS = 0x5D02
PR_ATTACHMENT_HIDDEN = 0x7FFE


@dataclass
class _Attribute:
    level: int
    id: int
    raw: bytes  # the whole attribute as written, header and checksum included

    @property
    def data(self) -> bytes:
        return self.raw[ATTRIBUTE.size : -2]


def open_tnef(data: bytes) -> Tnef:
    """The files and body of a winmail.dat. The stream is checked whole first (tnefparse reads a
    truncated one without complaint, quietly losing the end of a file, and loops for as long as a
    property count tells it to), then handed to tnefparse a piece at a time: the message's body, then
    each attachment."""
    try:
        return _open_tnef(data)
    except Unopenable:
        raise
    except Exception as exc:  # tnefparse on a stream it does not understand
        raise Unopenable(f"it could not be read ({type(exc).__name__}: {str(exc)[:120]})") from exc


def _open_tnef(data: bytes) -> Tnef:
    attributes = _attributes(data)
    for attribute in attributes:
        if attribute.id in {ATT_MSG_PROPS, ATT_ATTACHMENT}:
            _check_properties(attribute.data, 0, 0)
    codepage = _codepage(attributes)
    body = [a for a in attributes if a.level != LEVEL_ATTACHMENT and a.id in {ATT_BODY, ATT_MSG_PROPS}]
    contents = _contents(_tnefparse(data[:6], codepage, body), codepage)
    for group in _attachment_groups(attributes):
        exact = b"".join(a.data for a in group if a.id == ATT_ATTACH_DATA)
        title = b"".join(a.data for a in group if a.id == ATT_ATTACH_TITLE)
        # The file itself stays out of tnefparse (taken exactly from attAttachData: tnefparse strips the
        # zero bytes a file may end with); only its name and properties go in.
        light = [_emptied(a) if a.id == ATT_ATTACH_DATA else a for a in group]
        for attachment in _tnefparse(data[:6], codepage, light).attachments:
            _collect(attachment, contents, codepage, exact, title)
    if not (contents.files or contents.text.strip() or contents.html.strip() or contents.embedded):
        raise Unopenable("it holds no files and no text")
    return contents


def _attributes(data: bytes) -> list[_Attribute]:
    """Every attribute of the stream, each checked against its length and its checksum."""
    if not data.startswith(TNEF_SIGNATURE):
        raise Unopenable("it is not a TNEF stream")
    if len(data) < 6:
        raise Unopenable("it is truncated")
    found: list[_Attribute] = []
    offset = 6
    while offset < len(data):
        if len(data) - offset < ATTRIBUTE.size + 2:
            if not data[offset:].strip(b"\0"):
                break  # padding some gateways add
            raise Unopenable("it is truncated")
        level, ident, _type, length = ATTRIBUTE.unpack_from(data, offset)
        end = offset + ATTRIBUTE.size + length
        if end + 2 > len(data):
            raise Unopenable("it is truncated")
        if sum(data[offset + ATTRIBUTE.size : end]) & 0xFFFF != int.from_bytes(data[end : end + 2], "little"):
            raise Unopenable("it is damaged (a checksum does not match)")
        found.append(_Attribute(level, ident, data[offset : end + 2]))
        if len(found) > MAX_ATTRIBUTES:
            raise Unopenable(f"it has more than {MAX_ATTRIBUTES:,} parts; not opened")
        offset = end + 2
    return found


def _check_properties(data: bytes, offset: int, depth: int) -> int:
    """Walks a block of MAPI properties as tnefparse's decode_mapi will, refusing one whose counts run
    past its end (decode_mapi would loop over them for as long as they say: four billion times) and
    checking any Outlook item inside. Returns where the block ends."""
    try:
        count, offset = _count(data, offset, 8)
        for _ in range(count):
            if offset >= len(data):
                break  # decode_mapi skips the rest
            kind, ident = struct.unpack_from("<HH", data, offset)
            offset += 4
            if ident >= MAPI_NAMED:  # a named property: a GUID, then a number or a name
                offset += 16
                named_by_number, offset = struct.unpack_from("<I", data, offset)[0] == 0, offset + 4
                offset += 4 if named_by_number else 4 + _padded(_count(data, offset, 1)[0])
            offset = _check_values(data, offset, kind, ident, depth)
    except _Unknown as unknown:
        return unknown.offset  # decode_mapi stops at a type it does not know, and so does this
    except struct.error as exc:
        raise Unopenable("its properties are damaged") from exc
    if offset > len(data):
        raise Unopenable("its properties are damaged")
    return offset


def _check_values(data: bytes, offset: int, kind: int, ident: int, depth: int) -> int:
    """One property's values; an attached Outlook item (a TNEF stream of its own) is checked in turn."""
    multiple = bool(kind & MAPI_MULTIPLE)
    kind &= ~MAPI_MULTIPLE
    values = 1
    if multiple:
        values, offset = _count(data, offset, MAPI_FIXED.get(kind, 4))
    if kind in MAPI_FIXED:
        offset += values * MAPI_FIXED[kind]
        return offset + (2 if values % 2 and MAPI_FIXED[kind] == 2 else 0)
    if kind not in MAPI_COUNTED:
        raise _Unknown(offset)
    for _ in range(values):
        pieces = 1
        if not multiple:
            pieces, offset = _count(data, offset, 4)
        for _ in range(pieces):
            length, offset = _count(data, offset, 1)
            value, offset = data[offset : offset + length], offset + _padded(length)
            if ident == PR_ATTACH_DATA and value.startswith(IMESSAGE):
                if pieces != 1:  # tnefparse would join the pieces: not a stream this check has seen
                    raise Unopenable("an Outlook item inside it is damaged")
                _check_item(value.rstrip(b"\0")[len(IMESSAGE) :], depth + 1)
    return offset


class _Unknown(Exception):
    """A property type tnefparse does not read (PT_SVREID, say): it stops there, leaving the rest."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def _count(data: bytes, offset: int, size: int) -> tuple[int, int]:
    """A 32-bit count, refused if that many things of at least `size` bytes cannot follow it."""
    count = struct.unpack_from("<I", data, offset)[0]
    if count * size > len(data) - offset - 4 + 3:  # (+3: the last value's padding may be missing)
        raise Unopenable("its properties are damaged (a count larger than the data)")
    return count, offset + 4


def _padded(length: int) -> int:
    return (length + 3) & ~3


def _check_item(stream: bytes, depth: int) -> None:
    """An Outlook item attached inside the stream, as tnefparse will walk it (its own loop, its own
    lengths): not too deep, not too costly, and its property blocks checked."""
    if depth > MAX_EMBEDDED_DEPTH:
        raise Unopenable("Outlook items are nested too deeply inside it")
    offset, count, copying = 6, 0, 0
    while offset + 12 < len(stream):
        _level, ident, _type, length = ATTRIBUTE.unpack_from(stream, offset)
        size = min(len(stream) - offset, length + ATTRIBUTE.size + 2)
        count, copying = count + 1, copying + len(stream) - offset
        if count > MAX_ATTRIBUTES or copying > MAX_COPYING:
            raise Unopenable("an Outlook item inside it is too complex to open")
        block = stream[offset + ATTRIBUTE.size : offset + size - 2]
        if ident in {ATT_MSG_PROPS, ATT_ATTACHMENT}:
            _check_properties(block, 0, depth)
        elif ident == ATT_RECIP_TABLE:
            rows, at = _count(block, 0, 4)
            for _ in range(rows):
                at = _check_properties(block, at, depth)
        offset += size


def _codepage(attributes: list[_Attribute]) -> int:
    """The stream's code page (attOemCodepage), or Windows-1252 when it gives none or one Python does not
    know: tnefparse cannot read a string without one."""
    for attribute in attributes:
        if attribute.id == ATT_OEM_CODEPAGE and len(attribute.data) >= 4:
            number = int.from_bytes(attribute.data[:4], "little")
            try:
                codecs.lookup(_codec(number))
                return number
            except LookupError:
                break
    return 1252


def _codec(codepage: int) -> str:
    return {65001: "utf-8", 20127: "ascii", 28591: "latin-1", 20866: "koi8-r"}.get(codepage, f"cp{codepage}")


def _attribute(level: int, ident: int, kind: int, data: bytes) -> bytes:
    return ATTRIBUTE.pack(level, ident, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _emptied(attribute: _Attribute) -> _Attribute:
    level, ident, kind, _length = ATTRIBUTE.unpack_from(attribute.raw)
    return _Attribute(level, ident, _attribute(level, ident, kind, b""))


def _tnefparse(header: bytes, codepage: int, attributes: list[_Attribute]) -> Any:
    """tnefparse on a small stream: the header, the code page first (tnefparse needs it before any
    string), then these attributes. An attachment's group always starts with its rendering data, which is
    where tnefparse begins a new attachment."""
    parts = [header, _attribute(1, ATT_OEM_CODEPAGE, 6, struct.pack("<II", codepage, 0))]
    if attributes and attributes[0].level == LEVEL_ATTACHMENT and attributes[0].id != ATT_ATTACH_REND_DATA:
        parts.append(_attribute(LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA, 6, b""))
    parts.extend(a.raw for a in attributes)
    stream = b"".join(parts)
    remaining, copying = len(stream), 0
    for part in parts[1:]:
        copying, remaining = copying + remaining, remaining - len(part)
    if copying > MAX_COPYING:
        raise Unopenable("it is too complex to open")
    return TNEF(stream, do_checksum=False)


def _attachment_groups(attributes: list[_Attribute]) -> list[list[_Attribute]]:
    groups: list[list[_Attribute]] = []
    for attribute in attributes:
        if attribute.level != LEVEL_ATTACHMENT:
            continue
        if attribute.id == ATT_ATTACH_REND_DATA or not groups:
            groups.append([])
        groups[-1].append(attribute)
    return groups


def _contents(parsed: Any, codepage: int) -> Tnef:
    """A parsed stream's body, subject and sender (its attachments are collected separately)."""
    props = {p.name: p for p in parsed.mapiprops}
    text, html = _decoded(parsed.body, codepage), _decoded(parsed.htmlbody, codepage)
    if not text.strip() and not html.strip() and getattr(parsed, "_rtfbody", None):
        text = _rtf_body(parsed._rtfbody)  # (tnefparse keeps the compressed RTF in a private attribute)
    addresses = (
        _value(props, ident)
        for ident in (
            PR_SENDER_SMTP_ADDRESS,
            PR_SENDER_EMAIL_ADDRESS,
            PR_SENT_REPRESENTING_SMTP_ADDRESS,
            PR_SENT_REPRESENTING_EMAIL_ADDRESS,
        )
    )
    return Tnef(
        text=text,
        html=html,
        subject=_value(props, PR_SUBJECT),
        sender_name=_value(props, PR_SENDER_NAME) or _value(props, PR_SENT_REPRESENTING_NAME),
        # Not an Exchange (X.500) address: "/O=EXCHANGELABS/OU=...".
        sender_address=next((a for a in addresses if "@" in a and "/" not in a), ""),
    )


def _collect(attachment: Any, into: Tnef, codepage: int, exact: bytes, title: bytes) -> None:
    """One attachment of a stream: a file, or an attached Outlook item read like a stream of its own."""
    props = {p.name: p for p in attachment.mapi_attrs}
    embedded = getattr(attachment, "embed", None)
    if embedded is not None:
        inner = _contents(embedded, codepage)
        for inner_attachment in embedded.attachments:
            _collect(inner_attachment, inner, codepage, b"", b"")
        into.embedded.append(inner)
        return
    data = exact or _bytes(attachment.data)
    if data.startswith(ISTORAGE):  # an OLE object: the storage follows its interface id
        data = data[len(ISTORAGE) :]
    name = _value(props, PR_ATTACH_LONG_FILENAME) or _decoded(title.rstrip(b"\0"), codepage)
    if not name and isinstance(getattr(attachment, "_name", None), str):
        name = attachment._name  # the MAPI short name, when that is all it has
    name = name.strip("\0 ")
    content_type = _value(props, PR_ATTACH_MIME_TAG).lower() or mimetypes.guess_type(name)[0] or ""
    hidden = bool(_raw(props, PR_ATTACHMENT_HIDDEN)) and bool(_value(props, PR_ATTACH_CONTENT_ID))
    into.files.append(File(name, content_type or "application/octet-stream", data, hidden))


def _raw(props: dict[int, Any], ident: int) -> Any:
    prop = props.get(ident)
    try:
        return None if prop is None else prop.data
    except Exception:  # a value of the wrong size for its type
        return None


def _value(props: dict[int, Any], ident: int) -> str:
    value = _raw(props, ident)
    if isinstance(value, bytes):
        value = value.decode("cp1252", errors="replace")
    return value.strip("\0 ") if isinstance(value, str) else ""


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else b""


def _decoded(value: object, codepage: int) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes) or not value:
        return ""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode(_codec(codepage), errors="replace")


# --- compressed RTF (MS-OXRTFCP) and its text -------------------------------------------------------------

RTF_COMPRESSED = 0x75465A4C  # "LZFu"
RTF_UNCOMPRESSED = 0x414C454D  # "MELA"
RTF_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    b"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
MAX_RTF = 2 * 1024 * 1024  # pure Python: beyond this, the text already read is kept


def _rtf_body(compressed: bytes) -> str:
    try:
        return rtf_text(decompress_rtf(compressed))
    except Exception:  # "crudely or nothing": an RTF body that will not come out is left behind
        return ""


def decompress_rtf(data: bytes) -> bytes:
    """PR_RTF_COMPRESSED's RTF. tnefparse strips trailing zero bytes from binary properties, so the data
    is padded back to the size its header gives before the CRC is checked."""
    if len(data) < 16:
        raise ValueError("compressed RTF shorter than its header")
    size, raw_size, kind, crc = struct.unpack_from("<IIII", data)
    data = data[: size + 4].ljust(size + 4, b"\0")
    if kind == RTF_UNCOMPRESSED:
        return data[16 : 16 + min(raw_size, MAX_RTF)]
    if kind != RTF_COMPRESSED:
        raise ValueError("not compressed RTF")
    body = data[16:]
    # MS-OXRTFCP's CRC: the usual CRC-32 table, started at 0 and not inverted at the end.
    if zlib.crc32(body, 0xFFFFFFFF) ^ 0xFFFFFFFF != crc:
        raise ValueError("compressed RTF's CRC does not match")
    return _lzfu(body, min(raw_size, MAX_RTF))


def _lzfu(body: bytes, limit: int) -> bytes:
    window = bytearray(4096)
    window[: len(RTF_PREBUF)] = RTF_PREBUF
    write, out, i = len(RTF_PREBUF), bytearray(), 0
    while i < len(body) and len(out) < limit:
        control, i = body[i], i + 1
        for bit in range(8):
            if i >= len(body):
                break
            if not control & (1 << bit):
                window[write], write = body[i], (write + 1) & 0xFFF
                out.append(body[i])
                i += 1
                continue
            if i + 1 >= len(body):
                break
            reference, i = (body[i] << 8) | body[i + 1], i + 2
            offset, length = reference >> 4, (reference & 0xF) + 2
            if offset == write:  # a reference to where it is writing: the end
                return bytes(out[:limit])
            for k in range(length):  # byte by byte: a reference may overlap what it writes
                byte = window[(offset + k) & 0xFFF]
                window[write], write = byte, (write + 1) & 0xFFF
                out.append(byte)
    return bytes(out[:limit])


RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|[\r\n]+|([^\\{}\r\n]+)"
)
RTF_SKIPPED = {
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"header", b"footer", b"headerl",
    b"headerr", b"footerl", b"footerr", b"listtable", b"listoverridetable", b"rsidtbl", b"generator",
    b"xmlnstbl", b"themedata", b"colorschememapping", b"latentstyles", b"datastore", b"fldinst",
}  # fmt: skip
RTF_CHARACTERS = {
    b"par": "\n", b"line": "\n", b"sect": "\n\n", b"row": "\n", b"cell": "\t", b"tab": "\t",
    b"emdash": "\u2014", b"endash": "\u2013", b"lquote": "\u2018", b"rquote": "\u2019",
    b"ldblquote": "\u201c", b"rdblquote": "\u201d", b"bullet": "\u2022",
}  # fmt: skip
RTF_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"\\": "\\", b"{": "{", b"}": "}"}


def rtf_text(rtf: bytes) -> str:
    """The words of an RTF document, crudely: groups that hold no text (fonts, colours, pictures, the HTML
    Outlook hides in \\*\\htmltag) are skipped, paragraphs become lines, the rest of the markup goes."""
    reader = _RtfReader()
    for match in RTF_TOKEN.finditer(rtf):
        reader.token(*match.groups())
    text = "".join(reader.out).replace("\0", "")
    # RTF writes a character beyond U+FFFF as two \u surrogates: join them; a lone one becomes U+FFFD
    # (a database cannot store it).
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class _RtfReader:
    out: list[str] = field(default_factory=list)
    skipping: bool = False  # inside a group that holds no text
    stack: list[bool] = field(default_factory=list)
    encoding: str = "cp1252"
    unicode_skip: int = 1  # \uc: how many characters stand in for each \u character
    pending: int = 0  # stand-ins still to drop

    def token(self, word: bytes | None, number: bytes | None, *rest: bytes | None) -> None:
        hexbyte, symbol, brace, text = rest
        if brace == b"{":
            self.stack.append(self.skipping)
        elif brace == b"}":
            self.skipping = self.stack.pop() if self.stack else self.skipping
        elif word is not None:
            self._word(word, number)
        elif symbol == b"*":
            self.skipping = True  # an ignorable destination: whatever it is, not the text
        elif self.skipping:
            return
        elif symbol is not None:
            self.out.append(RTF_SYMBOLS.get(symbol, ""))
        elif hexbyte is not None:
            self._text(_decode_byte(int(hexbyte, 16), self.encoding))
        elif text is not None:
            self._text(text.decode(self.encoding, errors="replace"))

    def _word(self, word: bytes, number: bytes | None) -> None:
        if word in RTF_SKIPPED:
            self.skipping = True
        elif word == b"ansicpg" and number:
            self.encoding = _codec(int(number))
        elif word == b"uc" and number:
            self.unicode_skip = max(int(number), 0)
        elif word == b"u" and number and not self.skipping:
            self.out.append(chr(int(number) % 65536))
            self.pending = self.unicode_skip
        elif word in RTF_CHARACTERS and not self.skipping:
            self.out.append(RTF_CHARACTERS[word])

    def _text(self, text: str) -> None:
        if self.pending:  # what a reader without Unicode would show in place of the \u character
            dropped = min(self.pending, len(text))
            text, self.pending = text[dropped:], self.pending - dropped
        self.out.append(text)


def _decode_byte(value: int, encoding: str) -> str:
    try:
        return bytes([value]).decode(encoding, errors="replace")
    except LookupError:
        return bytes([value]).decode("cp1252", errors="replace")


# --- S/MIME -----------------------------------------------------------------------------------------------


@dataclass
class Signed:
    content: bytes  # what was signed: a MIME entity, or a file (form.pdf.p7m)
    signature: str  # SIGNATURE_INTACT, SIGNATURE_BROKEN or SIGNATURE_NOT_CHECKED


ENCRYPTED_TYPES = {"enveloped_data", "authenticated_enveloped_data", "encrypted_data"}
DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def open_smime(data: bytes) -> Signed:
    """The content of an opaque-signed S/MIME message (smime.p7m), with what its signature says. Raises
    Encrypted for mail encrypted to someone's key, Unopenable for anything else."""
    try:
        info = cms.ContentInfo.load(_der(data))
        content_type = info["content_type"].native
    except Exception as exc:
        raise Unopenable("it is not S/MIME data") from exc
    if content_type in ENCRYPTED_TYPES:
        raise Encrypted("encrypted with S/MIME: it cannot be read here")
    if content_type != "signed_data":
        raise Unopenable(f"it is S/MIME {str(content_type).replace('_', ' ')}, which is not opened here")
    try:
        signed = info["content"]
        content = signed["encap_content_info"]["content"].native
    except Exception as exc:
        raise Unopenable("its signed data is damaged") from exc
    if not isinstance(content, bytes) or not content:
        raise Unopenable("it holds a signature but not what was signed")
    return Signed(content, _signature(signed, content))


def _der(data: bytes) -> bytes:
    """The DER (or BER) bytes: some programs send a p7m base64 or PEM-armoured without saying so."""
    if data[:1] == b"\x30":
        return data
    text = re.sub(rb"-----(BEGIN|END)[^-]*-----", b"", data[: 64 * 1024 * 1024])
    try:
        decoded = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return data
    return decoded if decoded[:1] == b"\x30" else data


def _signature(signed: Any, content: bytes) -> str:
    """Whether every signer's signature matches the content. The certificates are the sender's own,
    unverified: this says the message was not altered after signing, not who signed it."""
    try:
        verdicts = [
            _signer_verdict(signer, signed["certificates"], content) for signer in signed["signer_infos"]
        ]
    except Exception:  # an algorithm, key or certificate this check does not handle: no verdict
        return SIGNATURE_NOT_CHECKED
    if not verdicts:
        return SIGNATURE_NOT_CHECKED
    return SIGNATURE_INTACT if all(verdicts) else SIGNATURE_BROKEN


def _signer_verdict(signer: Any, certificates: Any, content: bytes) -> bool:
    algorithm = DIGESTS[signer["digest_algorithm"]["algorithm"].native]()
    key = _signer_key(signer["sid"], certificates)
    attributes = signer["signed_attrs"]
    signed_bytes = content
    if attributes.native is not None:
        digest = hashes.Hash(algorithm)
        digest.update(content)
        found = [a["values"][0].native for a in attributes if a["type"].native == "message_digest"]
        if found != [digest.finalize()]:
            return False
        # The signature covers the attributes as a SET OF (tag 0x31), not as they are tagged in SignerInfo.
        signed_bytes = b"\x31" + attributes.dump()[1:]
    signature = signer["signature"].native
    scheme = signer["signature_algorithm"].signature_algo
    try:
        if isinstance(key, rsa.RSAPublicKey) and scheme == "rsassa_pkcs1v15":
            key.verify(signature, signed_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and scheme == "ecdsa":
            key.verify(signature, signed_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signed_bytes)
        else:
            raise LookupError(f"signature scheme {scheme} not checked")
    except InvalidSignature:
        return False
    return True


def _signer_key(sid: Any, certificates: Any) -> Any:
    """The public key of the certificate the signer names (by issuer and serial, or key identifier)."""
    for choice in certificates:
        if choice.name != "certificate":
            continue
        certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            named = sid.chosen["issuer"] == certificate.issuer and (
                sid.chosen["serial_number"].native == certificate.serial_number
            )
        else:
            named = sid.chosen.native == certificate.key_identifier
        if named:
            return x509.load_der_x509_certificate(certificate.dump()).public_key()
    raise LookupError("the signer's certificate is not in the message")
