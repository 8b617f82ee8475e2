"""The downloadable forms are fillable PDFs made from the same questions as the web pages, and a filled
form reads back into the same answers."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter

from tests.apply_journey import ANSWERS
from webapp.pdf.forms import read_form

FLAT_ANSWERS = {k: v for page in ANSWERS.values() for k, v in page.items() if v}


def _fill(pdf: bytes, values: dict[str, str]) -> bytes:
    """Fill the form as a PDF viewer does: a radio group takes the number of the button chosen."""
    reader = PdfReader(BytesIO(pdf))
    options = {name: [str(o) for o in f["/Opt"]] for name, f in reader.get_fields().items() if "/Opt" in f}
    values = {
        name: f"/{options[name].index(value)}" if value in options.get(name, []) else value
        for name, value in values.items()
    }
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_forms_page_offers_both_pdfs_and_the_address(client):
    html = client.get("/forms").get_data(as_text=True)
    assert "StrategicIAG@avonandsomerset.police.uk" in html
    assert "/forms/application-form.pdf" in html and "/forms/monitoring-form.pdf" in html


def test_a_filled_application_form_reads_back_into_the_same_answers(app, client):
    response = client.get("/forms/application-form.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="iag-application-form.pdf"'
    fields = PdfReader(BytesIO(response.data)).get_fields()
    assert set(FLAT_ANSWERS) <= set(fields)
    assert "Strategic IAG" not in str(fields["group"]["/Opt"])  # closed groups are not offered
    filled = _fill(
        response.data,
        {
            **FLAT_ANSWERS,
            "group": "Somerset IAG",
            "declaration": "/on",
            "meets_requirements": "Yes",
            "screening_consent": "No",
            "why_join": "Zoë's reason — with “quotes” and\nmore than one line",
        },
    )
    form = read_form(filled, app.extensions["deployment"].application_pages)
    assert form.kind == "application" and form.group_name == "Somerset IAG" and form.declaration
    assert form.answers == {
        **FLAT_ANSWERS,
        "why_join": "Zoë's reason — with “quotes” and\nmore than one line",
        "meets_requirements": "Yes",
        "screening_consent": "No",
    }
    assert form.problems == []


def test_a_filled_monitoring_form_reads_back_with_its_reference(app, client):
    pdf = client.get("/forms/monitoring-form.pdf").data
    filled = _fill(
        pdf,
        {"application_reference": "iag-7k4m-w2xh", "religion": "Prefer not to say", "age_band": "35 to 44"},
    )
    form = read_form(filled, app.extensions["deployment"].application_pages)
    assert form.kind == "monitoring" and form.reference == "IAG-7K4M-W2XH"
    assert form.answers == {"religion": "Prefer not to say", "age_band": "35 to 44"}


def test_a_made_up_choice_is_reported_not_stored(app, client):
    pdf = client.get("/forms/application-form.pdf").data
    filled = _fill(pdf, {"time_commitment": "Maybe", "full_name": "A"})
    form = read_form(filled, app.extensions["deployment"].application_pages)
    assert "time_commitment" not in form.answers
    assert form.problems == ["Can give the time: 'Maybe' is not one of the options"]


def test_a_pdf_that_is_not_our_form_is_not_read_as_one(app):
    assert read_form(b"%PDF-1.4 not really", app.extensions["deployment"].application_pages) is None


def test_forms_are_generated_once_and_cached_until_the_deployment_changes(app, client, tmp_path):
    first = client.get("/forms/application-form.pdf").data
    # The tests share one cache folder (a form takes a second to make), so look for this form's file.
    cache = [
        path
        for path in (tmp_path / "instance" / "cache").glob("application-form-en-*.pdf")
        if path.read_bytes() == first
    ]
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    assert client.get("/forms/application-form.pdf").data == first
    assert cache[0].stat().st_mtime_ns == stamp
