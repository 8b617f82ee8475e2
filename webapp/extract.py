"""What attachments are (by their content, not their name) and what is in them: returned PDF forms are read
with webapp.pdf.forms; DOCX and ODT documents are checked as zip files before they are opened, and their
XML is parsed with no DTDs or entities."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_ZIP_ENTRIES = 500
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per entry: above it, a zip bomb
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# The major brand of an ISO BMFF file's ftyp box: HEIC (HEVC-coded, iPhone photos) and plain HEIF
BMFF_BRANDS = {
    **dict.fromkeys((b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs"), "image/heic"),
    **dict.fromkeys((b"mif1", b"msf1"), "image/heif"),
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def detect_type(data: bytes) -> str:
    # A PDF may carry bytes before its header (some scanners and mail gateways add them); readers accept
    # up to 1,024, and so do we.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist()[:MAX_ZIP_ENTRIES])
                if "word/document.xml" in names:
                    return DOCX
                if (
                    "mimetype" in names
                    and archive.getinfo("mimetype").file_size < 100
                    and archive.read("mimetype").strip() == ODT.encode()
                ):
                    return ODT
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return "application/zip"
        return "application/zip"
    if data[4:8] == b"ftyp" and data[8:12] in BMFF_BRANDS:
        return BMFF_BRANDS[data[8:12]]
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, kind in (
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),
        (b"\x78\x9f\x3e\x22", "application/ms-tnef"),
    ):
        if data.startswith(magic):
            return kind
    try:
        data[:4096].decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


@dataclass
class DocumentText:
    text: str = ""
    problem: str = ""
    dangerous: bool = False  # built to harm whoever opens it (a zip bomb, XML entities): quarantine


ZIP_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError, RuntimeError)


def safe_zip_problem(data: bytes) -> str:
    """Why a zip file (a ZIP, a DOCX, an ODT) must not be unpacked: too many parts, too large unpacked, or
    compressed so well it can only be a zip bomb. "" when it is safe; "could not be opened" when broken."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS:
        return "it could not be opened"
    if len(infos) > MAX_ZIP_ENTRIES:
        return f"it has {len(infos)} parts; not opened"
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        return "it would unpack to more than 50 MB (a zip bomb?); not opened"
    if any(info.file_size > MAX_RATIO * max(info.compress_size, 1) for info in infos):
        return "it is compressed suspiciously well (a zip bomb?); not opened"
    return ""


def document_text(data: bytes, kind: str) -> DocumentText:
    """The text of a DOCX or ODT, or the reason it was not read."""
    member = "word/document.xml" if kind == DOCX else "content.xml"
    problem = safe_zip_problem(data)
    if problem:
        return DocumentText(problem=f"the document: {problem}", dangerous="zip bomb" in problem)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(member)
    except ZIP_ERRORS:
        return DocumentText(problem="the document could not be opened")
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return DocumentText(problem="the document declares a DTD or entities; not read", dangerous=True)
    except Exception:
        return DocumentText(problem="the document's text could not be read")
    if kind == DOCX:
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    else:
        paragraphs = ["".join(p.itertext()) for p in root.iter() if p.tag in {f"{TEXT}p", f"{TEXT}h"}]
    return DocumentText(text="\n".join(p for p in paragraphs if p.strip())[:100_000])
