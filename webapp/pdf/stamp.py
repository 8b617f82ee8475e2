"""Stamping a confidential paper with the name of the person a copy is issued to: the words are drawn
into every page's content (not an annotation a reader could delete), at its head and foot, so a leaked
copy names its source. The stamp is rendered by WeasyPrint (any script a name is written in, in the body
font) once per page size and merged onto each page with pypdf."""

from __future__ import annotations

from html import escape
from io import BytesIO
from typing import Any

STAMP_HTML = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0; }}
html {{ font-family: "Liberation Sans", Arial, sans-serif; }}
body {{ margin: 0; }}
p {{ position: absolute; left: 0; right: 0; margin: 0; text-align: center; font-size: 8pt; color: #b10e1e;
     font-weight: bold; }}
.head {{ top: 8pt; }} .foot {{ bottom: 8pt; }}
</style></head><body><p class="head">{text}</p><p class="foot">{text}</p></body></html>"""


class NotStampable(Exception):
    """The file is not a PDF that can be read and stamped."""


def stamp(pdf: bytes, text: str, language: str = "en") -> bytes:
    """`pdf` with `text` at the head and foot of every page."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.errors import PdfReadError

    from webapp.pdf import _deny_all_fetcher

    try:
        reader = PdfReader(BytesIO(pdf))
        if reader.is_encrypted:
            raise NotStampable("the PDF is encrypted")
        writer = PdfWriter(clone_from=reader)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise NotStampable(str(exc)) from None
    stamps: dict[tuple[int, int], Any] = {}
    for page in writer.pages:
        # The visible box (the crop box, else the media box), wherever its corner is: a page whose box
        # does not start at (0, 0) would otherwise carry its stamp outside what a reader sees.
        box = page.cropbox
        width, height = round(float(box.width)), round(float(box.height))
        if (width, height) not in stamps:
            from weasyprint import HTML

            html = STAMP_HTML.format(lang=language, width=width, height=height, text=escape(text))
            drawn = HTML(string=html, url_fetcher=_deny_all_fetcher()).write_pdf()
            stamps[width, height] = PdfReader(BytesIO(drawn)).pages[0]
        page.merge_transformed_page(
            stamps[width, height], Transformation().translate(float(box.left), float(box.bottom))
        )
    out = BytesIO()
    writer.write(out)
    _read_back(out.getvalue(), text)
    return out.getvalue()


def _read_back(pdf: bytes, text: str) -> None:
    """Refuse a copy whose stamp cannot be read back from every page (a copy must name its reader)."""
    from pypdf import PdfReader

    # Its words in Latin script (the wording, the date, most names): a name in another script is drawn in
    # whatever font the machine has for it, and may not read back though a reader sees it.
    words = [word.casefold() for word in text.split() if all(ord(ch) < 0x250 for ch in word)]
    for number, page in enumerate(PdfReader(BytesIO(pdf)).pages, start=1):
        # (A font WeasyPrint fell back to may come out as two-byte codes: their zero bytes are dropped.)
        found = "".join((page.extract_text() or "").replace("\x00", "").split()).casefold()
        if not all(word in found for word in words):
            raise NotStampable(f"the stamp could not be read back from page {number}")


def is_pdf(data: bytes) -> bool:
    """Whether `data` reads as a PDF with at least one page (a confidential paper must, to be stamped)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF-"):
        return False
    try:
        reader = PdfReader(BytesIO(data))
        return not reader.is_encrypted and len(reader.pages) > 0
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return False
