"""Every PDF the service makes is tagged PDF/UA-1 (structure tree, language, title shown as the window
title) in the body font throughout; the fillable forms print their options and name each field by its
question; the sealed agreement stays valid once tagged. Checked with Debian's pdfinfo and pdffonts and by
reading the structure tree with pypdf."""

from __future__ import annotations

import io
import subprocess
from collections import Counter

from pypdf import PdfReader

from tests.review_journey import (
    APPLICANT,
    attachment_bytes,
    mails_to,
    pdf_text,
    sent_for_signature,
    status_token,
)
from tests.webapp.test_joining import sign
from webapp.questions import MONITORING_QUESTIONS, all_questions


def _poppler(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def _structure(pdf: bytes) -> Counter:
    """How many of each structure element the PDF's tag tree holds."""
    found: Counter = Counter()
    stack = [PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            found[str(node["/S"])] += 1
        kids = node.get("/K")
        stack.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    return found


def assert_accessible(pdf: bytes, title: str, tmp_path, language: str = "en") -> Counter:
    info = _poppler("pdfinfo", pdf, tmp_path)
    assert "Tagged:          yes" in info
    assert f"Title:           {title}" in info
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == language and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode()
    fonts = _poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all("Liberation-Sans" in line for line in fonts), fonts  # page footers too
    tags = _structure(pdf)
    assert tags["/Document"] == 1 and tags["/H1"] >= 1
    return tags


def test_the_application_form_is_tagged_prints_its_options_and_names_its_fields(app, client, tmp_path):
    pdf = client.get("/forms/application-form.pdf").data
    tags = assert_accessible(
        pdf, "Application to join an Independent Advisory Group – Avon and Somerset Police", tmp_path
    )
    assert tags["/H2"] >= 5 and tags["/L"] >= 1
    reader = PdfReader(io.BytesIO(pdf))
    fields = reader.get_fields()
    assert not [name for name in fields if "." in name]  # a radio's buttons are not fields of their own
    questions = all_questions(app.extensions["deployment"].application_pages)
    for q in questions:
        assert fields[q.key]["/TU"] == q.label  # the question whole, as a screen reader announces it
        if q.choices:
            assert fields[q.key]["/FT"] == "/Btn" and [str(o) for o in fields[q.key]["/Opt"]] == list(
                q.choices
            )
    assert fields["declaration"]["/TU"].startswith(
        "I have read the Code of Ethics principles and the privacy"
    )
    assert [str(o) for o in fields["meets_requirements"]["/Opt"]] == ["Yes", "No"]
    assert [str(o) for o in fields["screening_consent"]["/Opt"]] == ["Yes", "No"]
    form_id = fields["form_id"].indirect_reference.get_object()
    assert form_id["/F"] & 2 and form_id["/V"] == "iag-application-1"  # hidden from the person filling in
    printed = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for choice in ("Bristol IAG", "Counter Terrorism IAG", "A current IAG member", "Phone"):
        assert choice in printed  # the options are on the paper
    assert "iag-application-1" not in printed and "Form " not in printed
    assert "Counter Terrorism IAG: You live or work in Avon and Somerset" in " ".join(printed.split())


def test_the_monitoring_form_prints_every_option(app, client, tmp_path):
    pdf = client.get("/forms/monitoring-form.pdf").data
    tags = assert_accessible(
        pdf, "Equal opportunities monitoring (optional) – Avon and Somerset Police", tmp_path
    )
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert tags["/Form"] >= len(MONITORING_QUESTIONS)
    printed = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    for q in MONITORING_QUESTIONS:
        assert fields[q.key]["/FT"] == "/Btn" and fields[q.key]["/TU"] == q.label
        assert all(choice in printed for choice in q.choices), q.key


def test_letters_terms_and_the_sealed_agreement_are_tagged_and_the_seal_holds(app, client, tmp_path):
    reference, _url, _coordinator, invite, link = sent_for_signature(app, client)
    offer = next(
        m
        for m in mails_to(app, APPLICANT)
        if any(a["filename"].startswith("decision-offer") for a in m.attachments)
    )
    letter = attachment_bytes(app, offer, "application/pdf")
    assert_accessible(letter, f"Avon and Somerset Police: letter about application {reference}", tmp_path)
    private = status_token(offer)
    assert private in offer.body_text  # the email links to the applicant's page; the letter does not
    printed = pdf_text(letter)
    assert "Offer of a place" in printed and private not in printed
    assert "http://127.0.0.1:5000/my-application (give your email address there" in printed
    terms = assert_accessible(
        attachment_bytes(app, invite, "application/pdf"),
        "Terms of Reference (version 1) – Bristol IAG",
        tmp_path,
    )
    assert terms["/H2"] >= 1
    assert sign(client, link).status_code == 200
    sealed = attachment_bytes(app, mails_to(app, APPLICANT)[-1], "application/pdf")
    tags = assert_accessible(sealed, "Confidentiality agreement – Amina Yusuf – Bristol IAG", tmp_path)
    assert tags["/Table"] == 1 and tags["/TH"] >= 10  # the evidence of signing, as a table
    assert "Signature is Valid." in _poppler("pdfsig", sealed, tmp_path)
