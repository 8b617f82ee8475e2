"""Photos and scans of paper forms, as people email them. This module owns opening an image safely (only
ordinary photo formats are tried, iPhone HEIC included; decompression bombs are refused), turning it upright
by its EXIF orientation, handing it on as a plain JPEG with no EXIF (a photo's GPS position goes no
further), and reading its text with tesseract: photos, sideways ones too, and scanned PDFs (pages rendered
by poppler's pdftoppm). Nothing here raises: what cannot be read says why, in words for staff."""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import resource
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
import pytesseract  # type: ignore[import-untyped]
from PIL import Image, ImageOps
from pypdf import PdfReader

log = logging.getLogger(__name__)

# A 48-megapixel iPhone photo is 8064 x 6048 (48.8 M); anything claiming more than this is refused before
# it is decoded (a small file can claim a huge picture: a decompression bomb).
MAX_PIXELS = 60_000_000
MAX_SIDE = 4000  # the longest side of an image handed on
JPEG_QUALITY = 85
FORMATS = ("JPEG", "PNG", "HEIF", "TIFF", "WEBP", "GIF", "BMP")  # JPEG includes MPO; never EPS, PSD, ...

# Reading text. Tesseract reads best at about 300 dpi, an A4 page some 2,500 x 3,500 pixels: smaller images
# are enlarged (at most twice), larger ones reduced.
SMALL_SIDE, LARGE_SIDE, OCR_SIDE, MAX_ENLARGE = 2400, 4000, 3000, 2.0
MIN_WORDS = 3  # real words below which an image has no meaningful text
ENOUGH_WORDS = 10  # real words from which a reading is taken as right way up (if most of its words are real)
MIN_CONFIDENCE = 60  # tesseract's confidence (0-100) in a word; its dictionary raises it
MIN_CALL = 0.5  # seconds: less left than this, tesseract is not started
QUARTER_TURNS = (90, 180, 270)
OSD_SURE = 2.0  # tesseract's orientation confidence from which "the right way up" is believed
SCAN_DPI = 200
PAGE_BREAK = "\n\f\n"

NOT_AN_IMAGE = "not an image that can be opened"
TOO_LARGE = "the image is too large to be opened safely"
UNREADABLE = "the photo's text could not be read"
TOO_LONG = "reading the text took too long"
NO_READER = "the text could not be read: the text reader (tesseract) is not working"
NOT_A_PDF = "the scanned PDF could not be opened"
SCAN_UNREADABLE = "the scan's text could not be read"
NO_RENDERER = "the scan could not be read: the PDF renderer (pdftoppm) is not working"


@functools.cache
def register() -> None:
    """Once per process: Pillow opens HEIF/HEIC (iPhone photos). Tesseract is kept to one thread unless
    the environment says otherwise: on a small server its OpenMP threads make a page slower, not faster."""
    pillow_heif.register_heif_opener()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


register()


@dataclass(frozen=True)
class ImageText:
    """What reading an image or a scan found. `text` is "" whenever `readable` is False; `problem` says in
    plain words why nothing, or not everything, was read ("" when all was)."""

    text: str
    readable: bool
    problem: str


# --- opening ----------------------------------------------------------------------------------------------


def _opened(data: bytes) -> tuple[Image.Image | None, str]:
    """The image in `data` upright, in RGB, at most MAX_SIDE on its longest side and carrying no metadata;
    or None and why not."""
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            return None, TOO_LARGE
        if image.mode in ("1", "P"):  # resized by nearest neighbour, a bilevel scan's text would break up
            image = _turned(image)
            image = image.convert("L" if image.mode == "1" else "RGBA")
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        else:  # made smaller as it is decoded (a large JPEG at 1/2 or 1/4), then turned
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            image = _turned(image)
        plain = _rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, TOO_LARGE
    except Exception as error:  # whatever a broken or hostile file makes a decoder raise; MemoryError too
        log.info("an image could not be opened: %r", error)
        return None, NOT_AN_IMAGE
    plain.info = {}  # no EXIF, XMP, comment or ICC profile travels on
    return plain, ""


def _turned(image: Image.Image) -> Image.Image:
    """Upright by its EXIF orientation; as stored when its EXIF is broken."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception as error:
        log.info("an image's EXIF could not be read: %r", error)
        return image


def _rgb(image: Image.Image) -> Image.Image:
    """RGB, transparency on white (a screenshot with a transparent background would turn black)."""
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit scans: scaled, not clipped to white
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def upright(data: bytes) -> bytes | None:
    """Any photo or scan Pillow opens (JPEG, PNG, HEIC/HEIF, TIFF, WebP, the first frame of a GIF) turned
    upright by its EXIF orientation, as a JPEG with no EXIF, at most MAX_SIDE pixels on its longest side.
    None when it is not an image that can be read, or claims to be too large to decode safely."""
    image, _problem = _opened(data)
    if image is None:
        return None
    try:
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=JPEG_QUALITY)
    except Exception:
        log.warning("an image could not be written as JPEG", exc_info=True)
        return None
    return out.getvalue()


PHOTO_TYPES = {"image/jpeg", "image/png", "image/heic", "image/heif"}
PDFTOPPM_MEMORY = 1 << 30  # bytes of address space pdftoppm may use on one hostile page


def _limited() -> None:  # pragma: no cover - runs in the child, before pdftoppm starts
    resource.setrlimit(resource.RLIMIT_AS, (PDFTOPPM_MEMORY, PDFTOPPM_MEMORY))


def for_staff(data: bytes, content_type: str, filename: str) -> tuple[bytes, str, str]:
    """What a staff download serves (data, mimetype, filename): an image, a phone's HEIC included, upright
    as a JPEG without its EXIF and named .jpg; anything else, or an image that cannot be read, as stored."""
    name = filename or "attachment"
    # Only what phones and cameras send is turned (and decoded in the web worker): others as stored.
    if content_type.lower() in PHOTO_TYPES:
        jpeg = upright(data)
        if jpeg is not None:
            stem, dot, _extension = name.rpartition(".")
            return jpeg, "image/jpeg", f"{stem if dot and stem else name}.jpg"
    return data, "application/octet-stream", name


# --- reading text -----------------------------------------------------------------------------------------


class _TimedOut(Exception):
    pass


@dataclass(frozen=True)
class _Reading:
    text: str = ""
    words: int = 0  # real words: 3+ letters, a vowel, a word's shape, and tesseract confident in them
    tokens: int = 0  # everything with a letter in it, noise included

    @property
    def right_way_up(self) -> bool:
        return self.words >= ENOUGH_WORDS and self.words * 5 >= self.tokens * 3


LETTERS = re.compile(r"[^\W\d_]{3,}")
VOWEL = re.compile(r"[aeiouwy]")  # w and y are vowels in Welsh
REPEATED = re.compile(r"(.)\1\1")


def _real_word(word: str, confidence: float) -> bool:
    """A word of 3+ letters that looks like one: noise gives symbols, runs of one letter, no vowels, and
    a mix of capitals no language writes (upside-down text reads as "pjnom", with low confidence)."""
    core = word.strip(".,:;!?'\"()[]{}<>-\u2018\u2019\u201c\u201d")
    if confidence < MIN_CONFIDENCE or not LETTERS.fullmatch(core):
        return False
    bare = unicodedata.normalize("NFD", core.lower())
    shaped = core.islower() or core.isupper() or (core[0].isupper() and core[1:].islower())
    return shaped and bool(VOWEL.search(bare)) and not REPEATED.search(bare)


def _ocr(image: Image.Image, deadline: float) -> _Reading:
    """One tesseract pass: the text in its reading order (lines, blank lines between paragraphs) and how
    many real words it has. Raises _TimedOut, or tesseract's own errors."""
    left = deadline - time.monotonic()
    if left < MIN_CALL:
        raise _TimedOut
    try:
        found = pytesseract.image_to_data(
            image, lang="eng", output_type=pytesseract.Output.DICT, timeout=left
        )
    except pytesseract.TesseractError:
        raise  # tesseract failed: the caller says so
    except RuntimeError as error:  # pytesseract's "Tesseract process timeout" (the process is killed)
        raise _TimedOut from error
    lines: dict[tuple[int, int], dict[int, list[str]]] = {}
    words = tokens = 0
    for block, paragraph, line, word, confidence in zip(
        found["block_num"], found["par_num"], found["line_num"], found["text"], found["conf"], strict=True
    ):
        word = str(word).strip()
        if not word:
            continue
        lines.setdefault((block, paragraph), {}).setdefault(line, []).append(word)
        tokens += any(c.isalpha() for c in word)
        words += _real_word(word, float(confidence))
    text = "\n\n".join("\n".join(" ".join(w) for w in para.values()) for para in lines.values())
    return _Reading(text=text, words=words, tokens=tokens)


def _turns(image: Image.Image, deadline: float) -> list[int]:
    """The quarter turns (degrees anticlockwise) to read the image at, the one tesseract's orientation
    detection (OSD) gives first; [] when OSD is sure the image is already the right way up."""
    left = deadline - time.monotonic()
    if left < MIN_CALL:
        raise _TimedOut
    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT, timeout=left)
        rotate, confidence = int(osd["rotate"]) % 360, float(osd["orientation_conf"])
    except (pytesseract.TesseractError, KeyError, ValueError, TypeError):  # "Too few characters"
        return list(QUARTER_TURNS)
    except RuntimeError as error:
        raise _TimedOut from error
    if rotate == 0 and confidence >= OSD_SURE:
        return []
    first = (360 - rotate) % 360  # OSD says how far to turn clockwise
    return sorted(QUARTER_TURNS, key=lambda turn: turn != first)


def _for_ocr(image: Image.Image) -> Image.Image:
    """Greyscale, scaled towards 300 dpi for an A4 page."""
    grey = image.convert("L")
    longest = max(grey.size)
    if SMALL_SIDE <= longest <= LARGE_SIDE:
        return grey
    factor = min(MAX_ENLARGE, OCR_SIDE / longest)
    size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
    return grey.resize(size, Image.Resampling.LANCZOS)


def _read(image: Image.Image, deadline: float, unreadable: str) -> ImageText:
    """Read the image; if few real words came out, read it turned as well, keeping the reading with most."""
    image = _for_ocr(image)
    best, problem = _Reading(), ""
    try:
        best = _ocr(image, deadline)
        if best.tokens and not best.right_way_up:  # no letters at all: none at other angles either
            for turn in _turns(image, deadline):
                reading = _ocr(image.rotate(turn, expand=True), deadline)
                if reading.words > best.words:
                    best = reading
                if best.right_way_up:
                    break
    except _TimedOut:
        problem = TOO_LONG
    except Exception:  # tesseract missing (TesseractNotFoundError) or failing, its output not understood
        log.exception("tesseract could not read an image")
        problem = NO_READER
    if best.words >= MIN_WORDS:
        return ImageText(text=best.text.strip(), readable=True, problem="")
    return ImageText(text="", readable=False, problem=problem or unreadable)


IMAGE_SECONDS = 20  # the most one photo's OCR may take


def text_in_image(data: bytes, timeout: float = IMAGE_SECONDS) -> ImageText:
    """The text in a photo or a scanned image, read upright (by EXIF, else by trying turns), within about
    `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    image, problem = _opened(data)
    if image is None:
        return ImageText(text="", readable=False, problem=problem)
    return _read(image, deadline, UNREADABLE)


# --- scanned PDFs -----------------------------------------------------------------------------------------


def _scan_pages(pdf: bytes, max_pages: int) -> tuple[int, list[int]]:
    """How many pages the PDF has and, for each of the first `max_pages`, the resolution it is rendered at:
    SCAN_DPI, less for a page so large it would come out above MAX_SIDE pixels. Raises when pypdf cannot
    read the PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    resolutions = []
    for page in reader.pages[:max_pages]:
        box = page.mediabox
        longest = max(abs(float(box.width)), abs(float(box.height))) or 842.0  # points; A4 when none
        resolutions.append(max(1, min(SCAN_DPI, int(MAX_SIDE * 72 / longest))))
    return len(reader.pages), resolutions


def _render(source: Path, number: int, resolution: int, deadline: float) -> Image.Image:
    """One page as a greyscale image, by pdftoppm. Raises _TimedOut, or when poppler cannot render it."""
    left = deadline - time.monotonic()
    if left < MIN_CALL:
        raise _TimedOut
    base = source.with_name(f"page-{number}")
    command = ["pdftoppm", "-f", str(number), "-l", str(number), "-r", str(resolution)]
    # Greyscale PGM, not PNG: poppler's PNG writer takes seconds over a grainy page, PGM milliseconds.
    command += ["-gray", "-singlefile", str(source), str(base)]
    try:
        subprocess.run(command, capture_output=True, timeout=left, check=True, preexec_fn=_limited)
    except subprocess.TimeoutExpired as error:
        raise _TimedOut from error
    with Image.open(base.with_suffix(".pgm"), formats=["PPM"]) as page:
        if page.width * page.height > MAX_PIXELS:
            raise ValueError("a rendered page is too large")
        page.load()
        return page.copy()


def text_of_scan(pdf: bytes, max_pages: int = 4, timeout: float = 30) -> ImageText:
    """The text of a scanned PDF (pages that are only pictures): its first `max_pages` pages rendered at
    200 dpi by pdftoppm and read like photos, joined by a form feed on a line of its own (a page that could
    not be read gives ""), within about `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    try:
        count, resolutions = _scan_pages(pdf, max_pages)
    except Exception:
        log.info("a scanned PDF could not be opened", exc_info=True)
        return ImageText(text="", readable=False, problem=NOT_A_PDF)
    try:
        with tempfile.TemporaryDirectory(prefix="iag-scan-") as folder:
            source = Path(folder) / "scan.pdf"
            source.write_bytes(pdf)
            texts, problem = _pages_read(source, resolutions, deadline)
    except OSError:
        log.exception("a scanned PDF could not be put in a temporary folder")
        texts, problem = [], NO_RENDERER
    if not any(texts):
        return ImageText(text="", readable=False, problem=problem or SCAN_UNREADABLE)
    if len(texts) < count:
        read = f"only the first {len(texts)} of {count} pages were read"
        problem = f"{problem}: {read}" if problem else read
    return ImageText(text=PAGE_BREAK.join(texts), readable=True, problem=problem)


def _pages_read(source: Path, resolutions: list[int], deadline: float) -> tuple[list[str], str]:
    """Each page's text ("" for one that could not be read) until the pages or the time run out, and why
    reading stopped early ("" when it did not)."""
    texts: list[str] = []
    for number, resolution in enumerate(resolutions, start=1):
        try:
            page = _render(source, number, resolution, deadline)
        except _TimedOut:
            return texts, TOO_LONG
        except FileNotFoundError:
            log.error("pdftoppm is not installed")
            return texts, NO_RENDERER
        except (subprocess.CalledProcessError, OSError, ValueError):
            log.info("page %d of a scanned PDF could not be rendered", number, exc_info=True)
            texts.append("")
            continue
        reading = _read(page, deadline, SCAN_UNREADABLE)
        if reading.problem in (TOO_LONG, NO_READER):
            return texts, reading.problem
        texts.append(reading.text)
    return texts, ""
