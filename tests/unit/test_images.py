"""Photos and scans of the paper application form, made the way phones and scanners make them: an iPhone
HEIC stored sideways with an EXIF orientation (and a GPS position), a photo turned on its side with no EXIF,
a photo of nothing, decompression bombs, a scanned PDF. Read with the real tesseract; no database."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageStat
from pypdf import PdfReader

from webapp import images
from webapp.extract import detect_type

FONTS = Path("/usr/share/fonts/truetype/dejavu")
HEADING = "Independent Advisory Group application form"
NAME = "Priya Sharma"
ORIENTATION, GPS_IFD = 0x0112, 0x8825


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def _form_page() -> Image.Image:
    """An A4 form at 150 dpi: printed heading and labels, answers written in a slanted hand in blue ink."""
    page = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    draw.text((90, 90), HEADING, font=_font("DejaVuSans-Bold.ttf", 38), fill=(20, 20, 20))
    draw.text(
        (90, 150),
        "Please write clearly in black or blue ink and return this form by email.",
        font=_font("DejaVuSans.ttf", 22),
        fill=(40, 40, 40),
    )
    answers = [
        ("Full name", NAME),
        ("Email address", "priya.sharma@example.org"),
        ("Which group would you like to join?", "Bristol and South Gloucestershire"),
    ]
    for row, (label, answer) in enumerate(answers):
        y = 230 + 170 * row
        draw.text((90, y), label, font=_font("DejaVuSans.ttf", 26), fill=(30, 30, 30))
        draw.rectangle((90, y + 40, 1150, y + 120), outline=(60, 60, 60), width=2)
        draw.text((110, y + 55), answer, font=_font("DejaVuSerif-Italic.ttf", 40), fill=(20, 40, 140))
    return page


def _noise(size: tuple[int, int], seed: int) -> Image.Image:
    return Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))


def _photographed(page: Image.Image) -> Image.Image:
    """The page as a phone sees it: on a table, a little askew, lit unevenly, slightly soft, grainy."""
    table = (90, 80, 70)
    photo = Image.new("RGB", (int(page.width * 1.12), int(page.height * 1.08)), table)
    askew = page.rotate(1.5, expand=True, fillcolor=table, resample=Image.Resampling.BICUBIC)
    photo.paste(askew, (int(page.width * 0.05), int(page.height * 0.03)))
    light = Image.linear_gradient("L").resize(photo.size).point(lambda v: 200 + v * 55 // 255)
    photo = Image.composite(photo, Image.new("RGB", photo.size), light)
    photo = photo.filter(ImageFilter.GaussianBlur(0.8))
    return Image.blend(photo, _noise(photo.size, 1).convert("RGB"), 0.06)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return _photographed(_form_page())


def _exif(orientation: int) -> Image.Exif:
    """What an iPhone writes: its make, how to turn the picture, and where it was taken."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Apple"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 27.0, 15.0), 3: "W", 4: (2.0, 35.0, 10.0)})
    return exif


def _saved(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def heic(photo) -> bytes:
    """An iPhone held upright: the sensor's pixels stored landscape, EXIF Orientation 6 (turn clockwise)."""
    stored = photo.transpose(Image.Transpose.ROTATE_90)
    assert stored.width > stored.height
    return _saved(stored, "HEIF", exif=_exif(6).tobytes(), quality=80, enc_params={"preset": "ultrafast"})


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _difference(a: Image.Image, b: Image.Image) -> float:
    small = (62, 88)
    a, b = a.convert("L").resize(small), b.convert("L").resize(small)
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def _is_upright(out: bytes, photo: Image.Image) -> bool:
    """Portrait, and nearer the photo as taken than to it upside down."""
    image = _opened(out)
    return image.height > image.width and _difference(image, photo) < _difference(image, photo.rotate(180))


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header says the picture is width x height (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IDAT", zlib.compress(b"\0" * 10_000))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IEND", b"")


# --- upright ----------------------------------------------------------------------------------------------


def test_an_iphone_photo_stored_sideways_comes_out_upright_as_a_portrait_jpeg(heic, photo):
    assert detect_type(heic) == "image/heic"
    out = images.upright(heic)
    assert out is not None and detect_type(out) == "image/jpeg"
    assert _is_upright(out, photo)


@pytest.mark.parametrize(
    ("orientation", "stored_as"),
    [(3, Image.Transpose.ROTATE_180), (6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270)],
)
def test_a_camera_jpeg_is_turned_by_its_exif_orientation(photo, orientation, stored_as):
    stored = _saved(photo.transpose(stored_as), "JPEG", exif=_exif(orientation).tobytes())
    out = images.upright(stored)
    assert out is not None and _is_upright(out, photo)


def test_upright_strips_exif_so_a_photos_gps_position_goes_no_further(heic, photo):
    assert _opened(heic).getexif().get_ifd(GPS_IFD)  # what the phone sent says where it was taken
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,27.25N</exif:GPSLatitude></x:xmpmeta>'
    jpeg = _saved(photo, "JPEG", exif=_exif(1).tobytes(), xmp=xmp, comment=b"Priya's kitchen")
    assert _opened(jpeg).getexif().get_ifd(GPS_IFD)
    for sent in (heic, jpeg):
        out = images.upright(sent)
        assert out is not None
        image = _opened(out)
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "xmp", "comment"} & set(image.info)
        assert b"Exif\0\0" not in out and b"ns.adobe.com/xap" not in out


@pytest.mark.parametrize("kind", ["PNG", "TIFF", "WEBP", "GIF", "BMP"])
def test_other_image_formats_come_out_as_jpeg(photo, kind):
    out = images.upright(_saved(photo.resize((400, 560)), kind))
    assert out is not None and _opened(out).size == (400, 560) and detect_type(out) == "image/jpeg"


def test_transparency_comes_out_on_white_and_a_16_bit_scan_is_not_clipped_to_white():
    clear = images.upright(_saved(Image.new("RGBA", (50, 50), (0, 0, 0, 0)), "PNG"))
    assert clear is not None and _opened(clear).getpixel((25, 25)) == (255, 255, 255)
    grey = images.upright(_saved(Image.new("I;16", (50, 50), 32768), "PNG"))
    assert grey is not None and 120 < _opened(grey).convert("L").getpixel((25, 25)) < 136


def test_a_large_photo_comes_out_at_most_4000_pixels_on_its_longest_side():
    out = images.upright(_saved(Image.new("RGB", (6000, 1500), "white"), "JPEG"))
    assert out is not None and _opened(out).size == (4000, 1000)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Dear Sir, please find my application attached.",
        b"%PDF-1.7\n1 0 obj<<>>endobj\n",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40),  # a JPEG cut short
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",  # Pillow can open EPS, with Ghostscript
    ],
    ids=["empty", "text", "pdf", "svg", "truncated jpeg", "eps"],
)
def test_what_is_not_an_image_gives_none_and_says_so(data):
    assert images.upright(data) is None
    assert images.text_in_image(data) == images.ImageText("", False, "not an image that can be opened")


@pytest.mark.parametrize("size", [(100_000, 100_000), (9_000, 9_000)], ids=["10 gigapixels", "81 megapixels"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    bomb = _png_claiming(*size)
    assert len(bomb) < 1000 and detect_type(bomb) == "image/png"
    assert images.upright(bomb) is None
    assert images.text_in_image(bomb).problem == "the image is too large to be opened safely"


# --- for staff --------------------------------------------------------------------------------------------


def test_staff_download_an_image_upright_as_jpeg_and_anything_else_as_stored(heic, photo):
    data, mimetype, filename = images.for_staff(heic, "image/heic", "IMG_0417.HEIC")
    assert (mimetype, filename) == ("image/jpeg", "IMG_0417.jpg") and _is_upright(data, photo)
    assert images.for_staff(heic, "image/heic", "")[1:] == ("image/jpeg", "attachment.jpg")
    html = b"<html><script>alert(1)</script></html>"
    assert images.for_staff(html, "text/html", "cv.html") == (html, "application/octet-stream", "cv.html")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert images.for_staff(svg, "image/svg+xml", "a.svg") == (svg, "application/octet-stream", "a.svg")
    assert images.for_staff(heic, "application/octet-stream", "x.heic") == (
        heic,
        "application/octet-stream",
        "x.heic",
    )


# --- reading text -----------------------------------------------------------------------------------------


def test_the_text_of_an_iphone_photo_is_read_the_right_way_up(heic):
    found = images.text_in_image(heic)
    assert found.readable and found.problem == ""
    assert "Independent Advisory Group" in found.text and NAME in found.text


@pytest.mark.parametrize("turn", [90, 180])
def test_a_photo_on_its_side_with_no_exif_is_turned_until_its_text_reads(photo, turn):
    sideways = _saved(photo.rotate(turn, expand=True), "JPEG", quality=85)
    assert not _opened(sideways).getexif()
    found = images.text_in_image(sideways)
    assert found.readable and "Independent Advisory Group" in found.text and NAME in found.text


def test_when_orientation_detection_fails_every_quarter_turn_is_tried(photo, monkeypatch):
    def cannot_tell(*_args, **_kwargs):
        raise images.pytesseract.TesseractError(1, "Too few characters. Skipping this page")

    monkeypatch.setattr(images.pytesseract, "image_to_osd", cannot_tell)
    found = images.text_in_image(_saved(photo.rotate(90, expand=True), "JPEG"))
    assert found.readable and "Independent Advisory Group" in found.text


def test_a_scanners_600_dpi_bilevel_tiff_is_turned_by_its_orientation_tag_and_read():
    page = _form_page().convert("L").resize((4960, 7016), Image.Resampling.LANCZOS)
    bilevel = page.point(lambda v: 255 if v > 160 else 0).convert("1")
    tiff = _saved(
        bilevel.transpose(Image.Transpose.ROTATE_270), "TIFF", compression="group4", tiffinfo={274: 8}
    )
    assert detect_type(tiff) == "image/tiff" and len(tiff) < 100_000
    out = images.upright(tiff)
    assert out is not None and _is_upright(out, page) and max(_opened(out).size) == 4000
    found = images.text_in_image(tiff)
    assert found.readable and "Independent Advisory Group" in found.text and NAME in found.text


@pytest.mark.parametrize("picture", ["noise", "gradient"])
def test_a_blurred_photo_of_nothing_has_no_readable_text(picture):
    if picture == "noise":
        nothing = _noise((1200, 1600), 7).filter(ImageFilter.GaussianBlur(3))
    else:
        nothing = Image.linear_gradient("L").resize((1200, 1600)).filter(ImageFilter.GaussianBlur(5))
    found = images.text_in_image(_saved(nothing.convert("RGB"), "JPEG"))
    assert found == images.ImageText("", False, "the photo's text could not be read")


@pytest.mark.parametrize(
    ("words", "confidence", "readable"),
    [
        (["|", "~~", "ee", "=", "\u2014", "i1l", "ll", ":;", "Hhh", "aaa", "XYZ", "pJnOm", "Tn"], 91, False),
        (["Full", "name", "of", "Priya", "Sharma?"], 91, True),
        (["Full", "name", "of", "Priya", "Sharma?"], 30, False),  # real words, but tesseract unsure of them
    ],
    ids=["symbols", "words", "unsure"],
)
def test_readable_counts_real_words_of_three_letters_not_characters(
    photo, monkeypatch, words, confidence, readable
):
    def data(*_args, **_kwargs):
        ones = [1] * len(words)
        return {
            "block_num": ones,
            "par_num": ones,
            "line_num": ones,
            "text": words,
            "conf": [confidence] * len(words),
        }

    monkeypatch.setattr(images.pytesseract, "image_to_data", data)
    monkeypatch.setattr(
        images.pytesseract, "image_to_osd", lambda *_a, **_k: {"rotate": 0, "orientation_conf": 9}
    )
    found = images.text_in_image(_saved(photo.resize((300, 420)), "PNG"))
    assert found.readable is readable
    assert found.text == ("Full name of Priya Sharma?" if readable else "")


def test_reading_stops_when_its_time_is_up(heic):
    assert images.text_in_image(heic, timeout=0.1) == images.ImageText(
        "", False, "reading the text took too long"
    )


def test_without_tesseract_the_problem_is_said_and_nothing_raises(heic, monkeypatch):
    monkeypatch.setattr(images.pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    found = images.text_in_image(heic)
    assert not found.readable and "tesseract" in found.problem


# --- scanned PDFs -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scan(photo) -> bytes:
    """Two scanned pages, pictures only: the form, and the form again."""
    page = photo.convert("L")
    pdf = _saved(page, "PDF", resolution=150, save_all=True, append_images=[page])
    assert [p.extract_text().strip() for p in PdfReader(io.BytesIO(pdf)).pages] == ["", ""]
    return pdf


def test_a_scanned_pdf_is_read_page_by_page(scan):
    found = images.text_of_scan(scan)
    assert found.readable and found.problem == ""
    first, second = found.text.split("\n\f\n")
    assert "Independent Advisory Group" in first and NAME in first and "Independent Advisory Group" in second


def test_only_the_first_pages_of_a_long_scan_are_read_and_staff_are_told(scan):
    found = images.text_of_scan(scan, max_pages=1)
    assert found.readable and "\f" not in found.text and NAME in found.text
    assert found.problem == "only the first 1 of 2 pages were read"


def test_a_scan_that_cannot_be_opened_or_read_in_time_says_why(scan, monkeypatch):
    assert images.text_of_scan(b"%PDF-1.7 nothing else") == images.ImageText(
        "", False, "the scanned PDF could not be opened"
    )
    assert images.text_of_scan(scan, timeout=0.1).problem == "reading the text took too long"
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "pdftoppm" in images.text_of_scan(scan).problem


# --- what an attachment is --------------------------------------------------------------------------------


def test_detect_type_knows_heic_heif_webp_and_tiff_by_their_content(heic, photo):
    small = photo.resize((100, 140))
    assert detect_type(heic) == "image/heic"
    assert detect_type(b"\0\0\0\x18ftypheix\0\0\0\0mif1heix") == "image/heic"
    assert detect_type(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic") == "image/heif"
    assert detect_type(b"\0\0\0\x18ftypmsf1\0\0\0\0msf1hevc") == "image/heif"
    assert detect_type(_saved(small, "WEBP")) == "image/webp"
    assert detect_type(_saved(small, "TIFF")) == "image/tiff"
    assert detect_type(b"MM\0*\0\0\0\x08" + bytes(100)) == "image/tiff"
    assert detect_type(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1") != "image/heic"  # an MP4 video
    assert detect_type(b"RIFF\0\0\0\0WAVEfmt ") != "image/webp"


def test_one_email_reads_only_a_few_photos_with_ocr_so_it_cannot_hold_up_the_mailbox():
    from webapp.deployment import application_pages
    from webapp.services import attachments
    from webapp.services.inbound import IncomingFile

    blank = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(blank, "PNG")
    photos = [IncomingFile(f"IMG_{n}.png", "image/png", blank.getvalue()) for n in range(7)]
    contents = attachments.read(photos, application_pages({}))
    skipped = [f for f in contents.keep if any("this email's time" in flag for flag in f.flags)]
    assert len(skipped) == 7 - attachments.OCR_FILES
    assert contents.attached == "a photo, its text not readable"
