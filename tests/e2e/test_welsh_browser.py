"""The whole application journey in Welsh on the Gwent example, in Chromium: lang="cy" on every page, the
error summary and messages in Welsh, check answers, the confirmation, and the confirmation email in Welsh
at the SMTP sink; signing the agreement in Welsh from the emailed link, giving a valid sealed Welsh
agreement; axe-core, the Nu HTML Checker and the 320 px reflow check on every Welsh page."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests import harness
from tests.apply_journey import ANSWERS, link_in
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_apply_browser import fill_page
from webapp import outgoing
from webapp.pdf.seal import verify
from webapp.services.signing import seal_settings
from webapp.workflow import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def gwent_site(gwent):
    server = harness.LiveServer(gwent)
    server.start()
    yield gwent, server.url
    server.stop()


def test_applying_in_welsh_from_start_to_the_confirmation_email(gwent_site, browser, smtp_sink):
    app, url = gwent_site
    page = browser.new_context(base_url=url).new_page()
    audit = Audit(page)
    page.goto("/")
    page.get_by_role("link", name="Newid yr iaith i'r Gymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    audit.check("hafan")
    page.get_by_role("button", name="Gweld y grwpiau y gallwch ymuno â nhw").click()
    audit.check("grwpiau")
    page.get_by_role("button", name=re.compile("^Gwneud cais i ymuno .*Heddlu Gwent$")).click()
    audit.check("dechrau")
    expect(page.get_by_label("Cymraeg")).to_be_checked()  # the language we write in: the page's
    page.get_by_role("button", name="Dechrau nawr").click()
    page.get_by_role("button", name="Cadw a pharhau").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Mae problem wedi codi")
    expect(summary).to_contain_text("Rhowch eich enw llawn")
    expect(page).to_have_title(re.compile("^Gwall: Eich manylion"))
    audit.check("eich manylion, gyda gwallau")
    for slug, answers in ANSWERS.items():
        expect(page).to_have_url(re.compile(f"/apply/page/{slug}"))
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        audit.check(f"tudalen {slug}")
        fill_page(page, answers)
        page.get_by_role("button", name="Cadw a pharhau").click()
    expect(page.get_by_role("heading", name="Gwirio eich atebion cyn anfon eich cais")).to_be_visible()
    expect(page.locator("#answer-contact_preference")).to_contain_text("E-bost")
    audit.check("gwirio atebion")
    page.get_by_role("button", name="Cytuno a chyflwyno").click()
    expect(page.get_by_role("heading", name="Cais wedi’i anfon")).to_be_visible()
    audit.check("cadarnhad")
    reference = page.locator("#reference").inner_text()
    audit.assert_clean(at_least=11)

    outgoing.send_due(app)
    email = smtp_sink.wait_for(lambda m: m["Subject"] == f"Cais wedi’i dderbyn: {reference}")
    body = email.get_body(("plain",)).get_content()
    assert "Diolch am wneud cais i ymuno â Grŵp Cynghori Annibynnol Heddlu Gwent." in body
    page.context.close()


def test_the_language_switch_keeps_the_page_and_what_was_typed(gwent_site, browser):
    _app, url = gwent_site
    page = browser.new_context(base_url=url).new_page()
    page.goto("/apply/gwent")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Full name").fill("Amina Yusuf")
    page.get_by_label("Postcode or area where you live").fill("Pillgwenlli, Casnewydd")
    page.get_by_role("button", name="Newid yr iaith i'r Gymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page).to_have_url(re.compile("/apply/page/your-details"))
    expect(page.get_by_label("Enw llawn")).to_have_value("Amina Yusuf")
    expect(page.get_by_label("Cod post neu’r ardal lle rydych yn byw")).to_have_value(
        "Pillgwenlli, Casnewydd"
    )
    expect(page.locator(".govuk-error-summary")).to_have_count(0)  # nothing was sent: no errors
    page.get_by_role("button", name="Change the language to English").click()
    expect(page.get_by_label("Full name")).to_have_value("Amina Yusuf")
    page.context.close()


def test_signing_the_agreement_in_welsh_gives_a_sealed_welsh_agreement(
    gwent_site, browser, smtp_sink, tmp_path
):
    from pypdf import PdfReader

    from tests.review_journey import act, application_id, staff_client
    from tests.webapp.test_welsh import welsh_application

    app, url = gwent_site
    reference = welsh_application(app)  # applying in Welsh is the test above; here, joining
    case = f"/staff/applications/{application_id(app, reference)}"
    coordinator = staff_client(app, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    chair = staff_client(app, "dele@gwent.example", Role.CHAIR, "gwent")
    act(coordinator, case, f"{case}/start-review")
    act(chair, f"{case}/decide", data={"outcome": "offer", "reason": "Croeso."})
    act(coordinator, case, f"{case}/confirm-decision")
    act(coordinator, case, f"{case}/send-agreement")
    outgoing.send_due(app)
    invite = smtp_sink.wait_for(lambda m: "llofnodwch y cytundeb" in m["Subject"])

    page = browser.new_context(base_url=url, accept_downloads=True).new_page()
    audit = Audit(page)
    page.goto(link_in(invite, "/sign/"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name="Llofnodi’r cytundeb cyfrinachedd")).to_be_visible()
    expect(page.locator("#agreement-text")).to_contain_text("Mae’r cytundeb hwn rhwng Amina Yusuf")
    expect(page.locator("#terms-text")).to_contain_text("Grŵp Cynghori Annibynnol yw")
    audit.check("llofnodi")
    page.get_by_role("button", name="Rwy’n cytuno ac yn llofnodi").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Teipiwch eich enw llawn i lofnodi")
    audit.check("llofnodi, gyda gwall")
    page.get_by_label("Eich enw llawn").fill("Amina Yusuf")
    page.get_by_role("button", name="Rwy’n cytuno ac yn llofnodi").click()
    expect(page.get_by_role("heading", name="Rydych wedi llofnodi’r cytundeb")).to_be_visible()
    audit.check("wedi llofnodi")
    with page.expect_download() as download:
        page.get_by_role("link", name="Lawrlwytho’r cytundeb wedi’i lofnodi (PDF)").click()
    saved = tmp_path / "cytundeb.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    audit.assert_clean(at_least=3)

    assert verify(pdf, seal_settings(app)).sealed_here  # pyHanko: intact, valid, our certificate
    pdfsig = subprocess.run(["pdfsig", str(saved)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in pdfsig and "Total document signed" in pdfsig
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "cy"
    text = " ".join(
        subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True).stdout.split()
    )
    for expected in [
        "Wedi’i lofnodi’n electronig gan Amina Yusuf",
        "Mae’r cytundeb hwn rhwng Amina Yusuf",
        "Tystiolaeth llofnodi / Evidence of signing",
        "amina@example.org",
        reference,
    ]:
        assert expected in text, expected
    page.context.close()
