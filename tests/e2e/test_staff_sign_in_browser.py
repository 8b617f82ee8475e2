"""A coordinator signs in with password and TOTP in Chromium and lands on the inbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import make_staff
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_with_totp_and_sees_the_inbox(app, page):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page.goto("/staff/")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    page.get_by_label("Email address").fill(login.email)
    page.get_by_label("Password", exact=True).fill(login.password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(login.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You serve: Bristol IAG.")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_a_wrong_code_shows_the_error_summary_and_keeps_focus_usable(app, page):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(login.email)
    page.get_by_label("Password", exact=True).fill(login.password)
    page.keyboard.press("Enter")
    page.get_by_label("Security code").fill("000000" if login.code() != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    expect(page).to_have_title(re.compile(r"^Error: Enter your security code"))
    # The summary's link takes keyboard users straight to the field.
    page.get_by_role("link", name="The code is not right").click()
    expect(page.get_by_label("Security code")).to_be_focused()
