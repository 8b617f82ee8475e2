"""The whole application journey in Welsh on the Gwent example, in Chromium: lang="cy" on every page, the
error summary and messages in Welsh, check answers, the confirmation, and the confirmation email in Welsh
at the SMTP sink; axe-core, the Nu HTML Checker and the 320 px reflow check on every Welsh page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import harness
from tests.apply_journey import ANSWERS
from tests.conftest import GWENT
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_apply_browser import fill_page
from webapp import outgoing
from webapp.db import session_scope
from webapp.deployment import sync_groups

pytestmark = pytest.mark.browser


@pytest.fixture
def gwent_site(second_app):
    app = second_app(GWENT)
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    server = harness.LiveServer(app)
    server.start()
    yield app, server.url
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
