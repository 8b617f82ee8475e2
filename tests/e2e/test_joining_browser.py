"""Joining in Chromium: the Coordinator sends the agreement, the new member opens the link from the SMTP
sink, signs, and downloads the sealed PDF; pyHanko and Debian's pdfsig find it valid, pdftotext finds the
name and the evidence, and the verify page reports a copy with one byte changed as altered."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests.apply_journey import link_in
from tests.e2e.test_review_browser import open_application, signed_in, state_is
from tests.given import given_application
from tests.review_journey import act, application_id, staff_client
from webapp import outgoing
from webapp.pdf.seal import verify
from webapp.services.signing import seal_settings
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def test_send_sign_download_and_verify(app, browser, live_server, smtp_sink, tmp_path):
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    chair = staff_client(app, "dele@force.example", Role.CHAIR, "bristol")
    act(chair, url, f"{url}/start-review")
    act(chair, f"{url}/decide", data={"outcome": "offer", "reason": "Welcome aboard."})
    coordinator = signed_in(
        browser, live_server, app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"
    )
    open_application(coordinator, reference)
    coordinator.get_by_role("button", name="Agree and send the decision").click()
    state_is(coordinator, "Offered")
    coordinator.get_by_role("button", name="Send the agreement to sign").click()
    state_is(coordinator, "Agreement sent")

    outgoing.send_due(app)
    invite = smtp_sink.wait_for(lambda m: "please sign the agreement" in m["Subject"])
    assert any(p.get_filename() == "terms-of-reference.pdf" for p in invite.iter_attachments())
    member = browser.new_context(base_url=live_server.url, accept_downloads=True).new_page()
    member.goto(link_in(invite, "/sign/"))
    expect(member.get_by_role("heading", name="Sign the confidentiality agreement")).to_be_visible()
    expect(member.locator("#agreement-text")).to_contain_text("This agreement is between Amina Yusuf")
    expect(member.locator("#terms-text")).to_contain_text("Independent Advisory Group")
    member.get_by_role("button", name="I agree and sign").click()
    expect(member.locator(".govuk-error-summary")).to_contain_text("Type your full name to sign")
    member.get_by_label("Your full name").fill("Amina Yusuf")
    member.get_by_role("button", name="I agree and sign").click()
    expect(member.get_by_role("heading", name="You have signed the agreement")).to_be_visible()
    with member.expect_download() as download:
        member.get_by_role("link", name="Download the signed agreement (PDF)").click()
    pdf_path = tmp_path / "agreement.pdf"
    download.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()

    assert verify(pdf, seal_settings(app)).sealed_here  # pyHanko: intact, valid, our certificate
    pdfsig = subprocess.run(["pdfsig", str(pdf_path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in pdfsig and "Total document signed" in pdfsig
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout.split()
    )
    for expected in [
        "Signed electronically by Amina Yusuf",
        "Evidence of signing",
        "amina@example.org",
        reference,
    ]:
        assert expected in text, expected

    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    (tmp_path / "altered.pdf").write_bytes(bytes(altered))
    member.goto("/verify")
    member.get_by_label("The signed agreement (PDF)").set_input_files(str(pdf_path))
    member.get_by_role("button", name="Check the file").click()
    expect(member.locator("#verdict")).to_contain_text("Sealed by this service and unaltered")
    expect(member.locator("#verified-details")).to_contain_text("Amina Yusuf")
    member.get_by_label("The signed agreement (PDF)").set_input_files(str(tmp_path / "altered.pdf"))
    member.get_by_role("button", name="Check the file").click()
    expect(member.locator(".govuk-error-summary")).to_contain_text("Not a valid agreement from this service")
    expect(member.locator("#verdict")).to_have_count(0)
    coordinator.reload()
    state_is(coordinator, "Member")
