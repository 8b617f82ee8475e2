"""A coordinator signs in with the force account in Chromium (the provider's own page, the real redirects
and cookies), signs out here and at the provider; someone from another tenant is turned away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import make_staff
from tests.identity import OTHER_TENANT
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def test_force_account_sign_in_and_out_and_a_stranger_turned_away(app, entra, page):
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "priya@force.example")
    entra.person("oid-visitor", "visitor@other.example", tid=OTHER_TENANT)

    page.goto("/staff/")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    page.get_by_role("button", name="Sign in with your force account").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()  # the provider's page
    page.get_by_placeholder("sub").fill("oid-priya")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You serve: Bristol IAG.")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()  # RP-initiated logout
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/staff/")
    expect(page).to_have_title(re.compile(r"^Sign in"))

    page.get_by_role("button", name="Sign in with your force account").click()
    page.get_by_placeholder("sub").fill("oid-visitor")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("not in the force's directory")
    page.get_by_role("link", name="Go back to sign in").click()
    expect(page).to_have_title(re.compile(r"^Sign in"))
