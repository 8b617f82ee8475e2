"""Applying in Chromium: the whole journey with save and return by email, without JavaScript, and with the
keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.apply_journey import ANSWERS, link_in
from webapp import outgoing

pytestmark = pytest.mark.browser


def _radio(name: str, value: str) -> str:
    return f'input[type=radio][name={name}][value="{value}"]'


def _is_radio_group(page: Page, name: str) -> bool:
    return page.locator(f"input[type=radio][name={name}]").count() > 0


def fill_page(page: Page, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        # Wait for the page that has the field: after "Save and continue" the old page may still be shown,
        # and a radio group must not be mistaken for a text box because it has not arrived yet.
        page.locator(f"[name={name}]").first.wait_for(state="attached")
        if _is_radio_group(page, name):
            page.locator(_radio(name, value)).check()
        else:
            page.locator(f"[name={name}]").fill(value)


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def test_apply_with_save_and_return_through_the_emailed_link(app, page, browser, live_server, smtp_sink):
    page.goto("/groups")
    page.get_by_role("button", name="Apply to join the Bristol IAG").click()
    expect(page.get_by_role("heading", name="Bristol IAG")).to_be_visible()
    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_title(re.compile("^Your details"))
    page.get_by_label("Full name").fill("Amina Yusuf")
    page.get_by_label("Email address").fill("amina@example.org")
    page.get_by_label("Postcode or area where you live").fill("Easton, Bristol")
    page.get_by_label("Email", exact=True).check()
    continue_(page)
    page.get_by_label("Why do you want to join this Independent Advisory Group?").fill("To be heard.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_label("Email address to send the link to")).to_have_value("amina@example.org")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", name="We have sent you a link")).to_be_visible()

    outgoing.send_due(app)
    email = smtp_sink.wait_for(lambda m: m["Subject"] == "Continue your application to the Bristol IAG")
    link = link_in(email, "/apply/resume/")

    later = browser.new_context(base_url=live_server.url).new_page()  # another day, another browser
    later.goto(link)
    expect(later).to_have_title(re.compile("^Why you want to join"))
    expect(later.get_by_label("Why do you want to join this Independent Advisory Group?")).to_have_value(
        "To be heard."
    )
    fill_page(later, ANSWERS["why-join"])
    continue_(later)
    for slug in ["communities", "engaging", "time", "experience", "taking-part"]:
        fill_page(later, ANSWERS[slug])
        continue_(later)
    expect(
        later.get_by_role("heading", name="Check your answers before sending your application")
    ).to_be_visible()
    expect(later.locator("#answer-full_name")).to_contain_text("Amina Yusuf")
    later.get_by_role("link", name="Change communities").click()
    later.get_by_label("Which communities do you represent or have links with?").fill("Easton's young people")
    continue_(later)
    expect(later.locator("#answer-communities")).to_contain_text("Easton's young people")
    later.get_by_role("button", name="Agree and submit").click()
    expect(later.get_by_role("heading", name="Application sent")).to_be_visible()
    reference = later.locator("#reference").inner_text()
    assert re.fullmatch(r"IAG-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)

    outgoing.send_due(app)
    confirmation = smtp_sink.wait_for(lambda m: m["Subject"] == f"Application received: {reference}")
    assert confirmation["To"] == "amina@example.org"
    later.goto(link_in(confirmation, "/my-application/"))
    expect(later.locator("#state-now")).to_have_text("We have received your application.")
    later.context.close()


def _apply_all_pages(page: Page) -> str:
    for slug, answers in ANSWERS.items():
        expect(page).to_have_url(re.compile(f"/apply/page/{slug}"))
        fill_page(page, answers)
        continue_(page)
    page.get_by_role("button", name="Agree and submit").click()
    return page.locator("#reference").inner_text()


def test_the_whole_journey_works_without_javascript(app, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/apply/counter-terrorism")
    page.get_by_role("button", name="Start now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you meet the requirements")
    page.get_by_label("I meet these requirements").check()
    page.get_by_label("Yes, I consent").check()
    page.get_by_role("button", name="Start now").click()
    continue_(page)  # nothing filled: errors, shown without JavaScript
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    reference = _apply_all_pages(page)
    assert reference.startswith("IAG-")
    page.get_by_role("button", name="Fill in the equal opportunities form").click()
    page.get_by_role("group", name="What is your religion?").get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    context.close()


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_the_journey_works_with_the_keyboard_alone(app, page):
    page.goto("/apply/bristol")
    _tab_to(page, "button.govuk-button--start")
    page.keyboard.press("Enter")
    for slug, answers in ANSWERS.items():
        expect(page).to_have_url(re.compile(f"/apply/page/{slug}"))
        # The address changes before the new page is ready: wait until its scripts have run (they reveal
        # the follow-up questions) and its fields are there, or a radio group looks like a missing text box.
        page.wait_for_load_state("load")
        for name in answers:
            page.locator(f"[name={name}]").first.wait_for(state="attached")
        for name, value in answers.items():
            radio = _radio(name, value)
            if _is_radio_group(page, name):
                _tab_to(page, f"input[type=radio][name={name}]")
                while not page.evaluate("(s) => document.activeElement.matches(s)", radio):
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Space")
                expect(page.locator(radio)).to_be_checked()
            elif value:
                _tab_to(page, f"[name={name}]")
                page.keyboard.type(value)
        _tab_to(page, "button[value=continue]")
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/apply/check-answers"))
    page.wait_for_load_state("load")
    _tab_to(page, "button[data-prevent-double-click]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
