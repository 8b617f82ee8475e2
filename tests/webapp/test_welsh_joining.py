"""Cymraeg when joining (issue 18): the Terms of Reference and the confidentiality agreement are versioned
per language; a member who reads Welsh gets the Terms in Welsh, reads and signs the agreement in Welsh, and
the sealed agreement is in Welsh with an evidence page in both languages; a member who switches to English
signs the English text; the staff page keeps each language's versions apart and says when the Welsh text is
behind the English."""

from __future__ import annotations

import io
import re
import subprocess

from pypdf import PdfReader
from sqlalchemy import select

from tests.helpers import csrf_token, text_of
from tests.review_journey import (
    APPLICANT,
    act,
    application_id,
    attachment_bytes,
    mails_to,
    pdf_text,
    staff_client,
    state_of,
)
from tests.webapp.test_pdf_accessibility import assert_accessible
from tests.webapp.test_welsh import welsh_application
from webapp.db import session_scope
from webapp.models import SigningRequest
from webapp.pdf.seal import verify
from webapp.services.signing import seal_settings
from webapp.workflow import Role


def _sent_for_signature(app, language: str = "cy"):
    """A Gwent application offered a place and sent the agreement: (reference, the coordinator, the email,
    the link to sign as the email gives it)."""
    reference = welsh_application(app) if language == "cy" else _english_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    coordinator = staff_client(app, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    chair = staff_client(app, "dele@gwent.example", Role.CHAIR, "gwent")
    act(coordinator, url, f"{url}/start-review")
    act(chair, f"{url}/decide", data={"outcome": "offer", "reason": "Croeso."})
    act(coordinator, url, f"{url}/confirm-decision")
    act(coordinator, url, f"{url}/send-agreement")
    assert state_of(app, reference) == "agreement sent"
    invite = mails_to(app, APPLICANT)[-1]
    link = re.search(r"https?://[^/\s]+(/sign/\S+)", invite.body_text).group(1)
    return reference, coordinator, invite, link


def _english_application(app) -> str:
    from tests.given import given_application

    return given_application(app, "gwent")


def _sign(client, link: str, name: str):
    page = client.get(link)
    html = page.get_data(as_text=True)
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', html).group(1)
    language = re.search(r'name="language" value="([a-z]+)"', html).group(1)
    return client.post(
        link.split("?")[0],
        data={"full_name": name, "shown": shown, "language": language, "csrf_token": csrf_token(html)},
    )


def _lang(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


def test_a_member_who_reads_welsh_gets_the_terms_and_signs_the_agreement_in_welsh(gwent, tmp_path):
    reference, _coordinator, invite, link = _sent_for_signature(gwent)
    assert invite.subject.startswith("Croeso i Grŵp Cynghori Annibynnol Heddlu Gwent")
    terms = attachment_bytes(gwent, invite, "application/pdf")
    title = "Cylch Gorchwyl (fersiwn 1) – Grŵp Cynghori Annibynnol Heddlu Gwent"
    assert_accessible(terms, title, tmp_path, language="cy")
    printed = pdf_text(terms)
    assert "Cylch Gorchwyl (fersiwn 1)" in printed
    assert "Grŵp Cynghori Annibynnol yw Grŵp Cynghori Annibynnol Heddlu Gwent" in printed

    client = gwent.test_client()
    page = client.get(link)
    assert '<html lang="cy"' in page.get_data(as_text=True)
    text = text_of(page)
    assert "Mae’r cytundeb hwn rhwng Amina Yusuf (“yr aelod”) a’r heddlu" in text
    assert "am 12 mis ar ôl i chi adael" in text or "flynedd ar ôl i chi adael" in text  # the retention
    assert "Rwy’n cytuno ac yn llofnodi" in text
    missing = _sign(client, link, "")
    assert missing.status_code == 422 and "Teipiwch eich enw llawn i lofnodi" in text_of(missing)
    someone_else = _sign(client, link, "John Smith")
    assert "Nid yw’r enw a deipiwyd gennych yn cyfateb i’r enw ar y cytundeb hwn" in text_of(someone_else)
    signed = _sign(client, link, "Amina Yusuf")
    assert signed.status_code == 200 and "Rydych wedi llofnodi’r cytundeb" in text_of(signed)
    assert state_of(gwent, reference) == "member"

    with session_scope(gwent) as session:
        request = session.scalar(select(SigningRequest))
        assert request.document_versions == (
            "terms of reference v1 (Welsh); confidentiality agreement v1 (Welsh)"
        )
    welcome = mails_to(gwent, APPLICANT)[-1]
    assert welcome.subject.startswith("Croeso i Grŵp Cynghori Annibynnol Heddlu Gwent")
    pdf = attachment_bytes(gwent, welcome, "application/pdf")
    title = "Cytundeb cyfrinachedd – Amina Yusuf – Grŵp Cynghori Annibynnol Heddlu Gwent"
    assert assert_accessible(pdf, title, tmp_path, language="cy")["/TH"] >= 10
    assert verify(pdf, seal_settings(gwent)).sealed_here
    saved = tmp_path / "cytundeb.pdf"
    saved.write_bytes(pdf)
    pdfsig = subprocess.run(["pdfsig", str(saved)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in pdfsig
    from pyhanko.pdf_utils.reader import PdfFileReader

    seal = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].sig_object
    assert str(seal["/Reason"]) == (
        "Cytundeb cyfrinachedd wedi’i lofnodi gan Amina Yusuf / "
        "Confidentiality agreement signed by Amina Yusuf"
    )
    text = pdf_text(pdf)
    for expected in [
        "Grŵp Cynghori Annibynnol Heddlu Gwent: cytundeb cyfrinachedd",
        "Mae’r cytundeb hwn rhwng Amina Yusuf",
        "Wedi’i lofnodi’n electronig gan Amina Yusuf",
        "Cais " + reference,
        "Tystiolaeth llofnodi / Evidence of signing",  # the evidence in both, the signer's first
        "Yr enw a deipiwyd / Name typed Amina Yusuf",
        "Iaith y dogfennau / Language of the documents Cymraeg / Welsh",
        "Cylch Gorchwyl, fersiwn 1; cytundeb cyfrinachedd, fersiwn 1",
        "Terms of Reference, version 1; confidentiality agreement, version 1",
        "(amser y DU)",
        "(UK time)",
        "Mae’r ddogfen hon wedi’i selio gan Heddlu Gwent.",
        "This document is sealed by Gwent Police.",
    ]:
        assert expected in text, expected
    assert "This agreement is between" not in text  # the agreement itself only in the language signed

    checked = client.post(
        "/verify",
        data={
            "pdf": (io.BytesIO(pdf), "cytundeb.pdf"),
            "csrf_token": csrf_token(client.get("/verify").get_data(as_text=True)),
        },
        content_type="multipart/form-data",
    )
    assert "Wedi’i selio gan y gwasanaeth hwn a heb ei newid" in text_of(checked)
    assert "Grŵp Cynghori Annibynnol Heddlu Gwent" in text_of(checked)


def test_a_member_who_switches_to_english_signs_the_english_text_with_the_evidence_in_both(gwent):
    _reference, _coordinator, _invite, link = _sent_for_signature(gwent)
    client = gwent.test_client()
    english = link.split("?")[0] + "?lang=en"
    assert "This agreement is between Amina Yusuf" in text_of(client.get(english))
    assert _sign(client, english, "Amina Yusuf").status_code == 200
    pdf = attachment_bytes(gwent, mails_to(gwent, APPLICANT)[-1], "application/pdf")
    text = pdf_text(pdf)
    assert _lang(pdf) == "en" and "This agreement is between Amina Yusuf" in text
    assert "Evidence of signing / Tystiolaeth llofnodi" in text
    assert "Mae’r cytundeb hwn rhwng" not in text


def test_each_language_has_its_own_versions_and_staff_are_told_when_the_welsh_is_behind(gwent):
    coordinator = staff_client(gwent, "sian@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    welsh_page = "/staff/groups/gwent/documents/agreement?language=cy"
    page = text_of(coordinator.get(welsh_page))
    assert "Welsh version" in page and "Mae’r cytundeb hwn rhwng {name}" in page
    assert "The English version was changed" not in page
    act(coordinator, welsh_page, data={"body": "<p>Testun newydd y cytundeb, {name}.</p>"})
    assert "Version 2" in text_of(coordinator.get(welsh_page))
    english_page = "/staff/groups/gwent/documents/agreement"
    assert "Version 1," in text_of(coordinator.get(english_page))  # English untouched
    act(coordinator, english_page, data={"body": "<p>New agreement text, {name}.</p>"})
    behind = text_of(coordinator.get(welsh_page))
    assert "The English version was changed on" in behind and "(version 2)" in behind
    assert coordinator.get("/staff/groups/gwent/documents/agreement?language=fr").status_code == 404

    _reference, _coordinator, _invite, link = _sent_for_signature(gwent)
    client = gwent.test_client()
    assert "Testun newydd y cytundeb, Amina Yusuf." in text_of(client.get(link))
    assert "New agreement text, Amina Yusuf." in text_of(client.get(link.split("?")[0] + "?lang=en"))


def test_an_english_only_service_keeps_an_english_evidence_page(app, client):
    from tests.review_journey import sent_for_signature
    from tests.webapp.test_joining import sign

    _reference, _url, coordinator, _invite, link = sent_for_signature(app, client)
    sign(client, link)
    text = pdf_text(attachment_bytes(app, mails_to(app, APPLICANT)[-1], "application/pdf"))
    assert "Evidence of signing Name typed Amina Yusuf" in text and "Tystiolaeth" not in text
    page = coordinator.get("/staff/groups/bristol/documents/agreement")
    assert page.status_code == 200 and "Welsh version" not in text_of(page)
    assert coordinator.get("/staff/groups/bristol/documents/agreement?language=cy").status_code == 404


def test_a_welsh_members_meeting_calendar_is_in_welsh(gwent):
    import icalendar

    from tests.review_journey import invite_data, status_token

    _reference, coordinator, _invite, link = _sent_for_signature(gwent)
    data = invite_data(days_ahead=20, duration="120", place="", online_link="https://meet.example/iag")
    assert act(coordinator, "/staff/groups/gwent/meetings", data=data).status_code == 302
    client = gwent.test_client()
    _sign(client, link, "Amina Yusuf")
    token = status_token(mails_to(gwent, APPLICANT)[-1])
    feed = icalendar.Calendar.from_ical(gwent.test_client().get(f"/my-application/{token}/meetings.ics").data)
    assert str(feed["X-WR-CALNAME"]) == "Cyfarfodydd Grŵp Cynghori Annibynnol Heddlu Gwent"
    (meeting,) = feed.walk("VEVENT")
    assert str(meeting["SUMMARY"]) == "Cyfarfod Grŵp Cynghori Annibynnol Heddlu Gwent"
    assert str(meeting["DESCRIPTION"]) == "Ymuno ar-lein: https://meet.example/iag"


def test_a_welsh_member_gets_the_sign_in_email_invitation_and_members_pages_in_welsh(gwent):
    import icalendar

    from tests.given import given_member
    from tests.review_journey import invite_data
    from webapp.models import Member

    given_member(gwent, "gwent", "Siân Davies", "sian@example.org")
    with session_scope(gwent) as session:
        session.scalar(select(Member)).language = "cy"
    coordinator = staff_client(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    act(coordinator, "/staff/groups/gwent/meetings", data=invite_data(days_ahead=6, duration="120"))
    invitation = mails_to(gwent, "sian@example.org")[-1]
    assert invitation.subject.startswith("Gwahoddiad: cyfarfod Grŵp Cynghori Annibynnol Heddlu Gwent, ")
    assert (
        "Rydych yn cael eich gwahodd i gyfarfod o Grŵp Cynghori Annibynnol Heddlu Gwent."
        in invitation.body_text
    )
    entry = icalendar.Calendar.from_ical(attachment_bytes(gwent, invitation, "text/calendar"))
    assert str(entry.walk("VEVENT")[0]["SUMMARY"]) == "Cyfarfod Grŵp Cynghori Annibynnol Heddlu Gwent"

    client = gwent.test_client()
    form = client.get("/members/sign-in?lang=cy")
    assert "Mewngofnodi i dudalennau’r aelodau" in text_of(form)
    client.post(
        "/members/sign-in",
        data={"email": "sian@example.org", "csrf_token": csrf_token(form.get_data(as_text=True))},
    )
    link_email = mails_to(gwent, "sian@example.org")[-1]
    assert link_email.subject == "Eich dolen i fewngofnodi i dudalennau aelodau’r IAG"
    link = re.search(r"https?://[^/\s]+(/members/sign-in/\S+)", link_email.body_text).group(1)
    page = client.get(link)
    client.post(link.split("?")[0], data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    home = client.get("/members/")
    assert '<html lang="cy"' in home.get_data(as_text=True)
    text = text_of(home)
    assert (
        "Eich tudalen" in text
        and "Y cyfarfodydd nesaf" in text
        and "Rhowch wybod i ni a fyddwch yn dod" in text
    )
