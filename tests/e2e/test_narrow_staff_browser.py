"""Staff pages on a phone (375 CSS px): the inbox's rows read as cards without scrolling sideways, and the
case page's buttons take the full width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.given import given_application
from tests.helpers import make_staff, sign_in_browser
from tests.review_journey import application_id
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def test_the_inbox_and_the_case_page_work_at_375_pixels(app, page):
    reference = given_application(app)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in_browser(page, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    page.goto("/staff/")
    region = page.get_by_role("region", name="Applications")
    state = region.locator('td[data-label="State"]').first
    expect(state).to_have_text("Submitted")
    label = state.evaluate("(el) => getComputedStyle(el, '::before').content")
    assert label == '"State: "'  # each cell says what it is, as the hidden column heading would
    assert region.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # nothing hidden to the side
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(f"/staff/applications/{application_id(app, reference)}")
    button = page.get_by_role("button", name="Start review")
    main = page.locator("main").bounding_box()
    assert button.bounding_box()["width"] >= main["width"] - 40  # full width, less the page's margins
