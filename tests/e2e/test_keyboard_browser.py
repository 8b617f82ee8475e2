"""A link that looks like a button works like one: Space follows it as Enter does (GOV.UK's button
behaviour), for applicants and for staff."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.given import given_application
from tests.helpers import make_staff, sign_in_browser
from tests.review_journey import act, application_id, staff_client
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def press_space(page, name: str) -> None:
    """Space on the button, once GOV.UK Frontend has started its behaviour there."""
    button = page.get_by_role("button", name=name)
    expect(button).to_have_attribute("data-govuk-button-init", "")
    button.press("Space")


def test_space_follows_a_link_styled_as_a_button(app, page):
    page.goto("/")
    press_space(page, "See the groups you can join")
    expect(page).to_have_url(re.compile(r"/groups$"))
    press_space(page, "Apply to join the Bristol IAG")
    expect(page).to_have_url(re.compile(r"/apply/bristol$"))


def test_space_follows_the_case_pages_step_links(app, page):
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    act(staff_client(app, "dele@force.example", Role.CHAIR, "bristol"), url, f"{url}/start-review")
    sign_in_browser(page, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    page.goto(url)
    press_space(page, "Propose a decision")
    expect(page).to_have_url(re.compile(r"/decide$"))
    page.go_back()
    press_space(page, "Invite to a discussion")
    expect(page).to_have_url(re.compile(r"/invite$"))
