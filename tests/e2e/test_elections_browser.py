"""Running a group in Chromium: members nominate (one themselves, one another member, who accepts), vote
in secret and read the result, the staff pages following it; a member claims expenses with a receipt and
staff approve it. axe-core, the Nu HTML Checker and the 320 px reflow check on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_accessibility import Audit
from tests.e2e.test_members_browser import sign_in_from_email
from tests.e2e.test_review_browser import signed_in
from tests.given import given_member
from tests.webapp.test_elections import _day, _move_to
from webapp.db import session_scope
from webapp.models import Election, Group
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def _fill_day(tab, legend: str, day: list[str]) -> None:
    group = tab.get_by_role("group", name=legend)
    for box, value in zip(("Day", "Month", "Year"), day, strict=True):
        group.get_by_label(box).fill(value)


def test_members_elect_their_chair_and_claim_expenses(app, browser, live_server, smtp_sink, tmp_path):
    given_member(app)
    given_member(app, name="Bob Jones", email="bob@example.org")
    staff = signed_in(browser, live_server, app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    audit = Audit(staff)
    staff.goto("/staff/groups/bristol/elections")
    audit.check("staff: elections")
    staff.get_by_label("Chair", exact=True).check()
    _fill_day(staff, "Nominations close", _day(3))
    _fill_day(staff, "Voting opens", _day(4))
    _fill_day(staff, "Voting closes", _day(6))
    staff.get_by_role("button", name="Open the election").click()
    expect(staff.get_by_role("heading", name="Election of the Chair")).to_be_visible()
    audit.check("staff: an election")
    with session_scope(app) as session:
        election_id = session.scalar(select(Election.id))

    amina = sign_in_from_email(browser, live_server, app, smtp_sink, "amina@example.org")
    audit.page = amina
    amina.get_by_role("link", name="Election of the Chair").click()
    audit.check("election: nominations")
    amina.get_by_role("button", name="Send the nomination").click()
    expect(amina.locator(".govuk-error-summary")).to_contain_text("Choose who you nominate")
    audit.check("election: nominations, with an error")
    amina.get_by_label("Bob Jones").check()
    amina.get_by_role("button", name="Send the nomination").click()
    expect(amina.locator(".govuk-notification-banner")).to_contain_text("Your nomination is recorded")
    amina.get_by_label("Amina Yusuf").check()
    amina.get_by_label("Your statement (if you nominate yourself)").fill("I will listen to every community.")
    amina.get_by_role("button", name="Send the nomination").click()

    bob = sign_in_from_email(browser, live_server, app, smtp_sink, "bob@example.org")
    audit.page = bob
    bob.goto(f"/members/elections/{election_id}")
    expect(bob.locator("#nominated")).to_be_visible()
    audit.check("election: nominated")
    bob.get_by_label("Yes, I will stand").check()
    bob.get_by_label("Your statement", exact=True).fill("Ten years of youth work in Easton.")
    bob.get_by_role("button", name="Send your answer").click()
    expect(bob.locator(".govuk-notification-banner")).to_contain_text("Your answer is recorded")

    _move_to(app, election_id, "voting")
    bob.reload()
    expect(bob.get_by_role("group", name="Your vote")).to_be_visible()
    audit.check("election: the ballot")
    bob.get_by_role("button", name="Cast your vote").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Choose a candidate")
    audit.check("election: the ballot, with an error")
    bob.get_by_label("Bob Jones").check()
    bob.get_by_role("button", name="Cast your vote").click()
    expect(bob.locator(".govuk-notification-banner")).to_contain_text("Nobody can see who you voted for")
    expect(bob.locator("#voted")).to_be_visible()
    audit.check("election: voted")
    amina.goto(f"/members/elections/{election_id}")
    amina.get_by_label("Bob Jones").check()
    amina.get_by_role("button", name="Cast your vote").click()

    _move_to(app, election_id, "closed")
    bob.reload()
    expect(bob.locator("#result")).to_contain_text("Bob Jones")
    expect(bob.locator("#result")).to_contain_text("2 of 2 members voted")
    audit.check("election: the result")
    audit.page = staff
    staff.reload()
    expect(staff.locator("#result")).to_contain_text("Elected")
    audit.check("staff: the result")

    audit.page = bob
    bob.get_by_role("link", name="Expenses").click()
    audit.check("expenses")
    bob.get_by_role("button", name="Make a claim").click()
    audit.check("a new claim")
    bob.get_by_role("button", name="Send the claim").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Enter the date")
    audit.check("a new claim, with errors")
    day = bob.get_by_role("group", name="Date")
    for box, value in zip(("Day", "Month", "Year"), _day(0), strict=True):
        day.get_by_label(box).fill(value)
    bob.get_by_label("What was it for?").fill("Train to the meeting")
    bob.get_by_label("Public transport, in pounds (optional)").fill("14.20")
    receipt = tmp_path / "ticket.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    bob.get_by_label("Receipts (optional)").set_input_files(str(receipt))
    bob.get_by_role("button", name="Send the claim").click()
    expect(bob.locator("#claim-status")).to_contain_text("Waiting for a decision")
    audit.check("a claim")
    audit.page = staff
    staff.goto("/staff/groups/bristol/expenses")
    audit.check("staff: expenses")
    staff.get_by_role("link", name=re.compile("^Bob Jones")).click()
    audit.check("staff: a claim")
    staff.get_by_label("Approve", exact=True).check()
    staff.get_by_role("button", name="Save the decision").click()
    expect(staff.locator("#claims")).to_contain_text("Approved")

    audit.page = bob  # the rest of running a group, as the member sees it
    bob.get_by_role("link", name="Interests").click()
    bob.get_by_role("button", name="Add it").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Say what the interest is")
    audit.check("interests, with errors")
    bob.get_by_label("What is the interest?").fill("Trustee of Easton Youth Club")
    since = bob.get_by_role("group", name="Since when?")
    for box, value in zip(("Day", "Month", "Year"), _day(-400), strict=True):
        since.get_by_label(box).fill(value)
    bob.get_by_role("button", name="Add it").click()
    expect(bob.locator("#interests")).to_contain_text("Trustee of Easton Youth Club")
    audit.check("interests")
    bob.goto("/members/groups/bristol/renewal")
    audit.check("renewal")
    bob.goto("/members/groups/bristol/leave")
    audit.check("leave, with a reason")
    audit.page = staff
    staff.goto("/staff/groups")
    staff.get_by_role("link", name="annual report of the Bristol IAG").click()
    expect(staff.locator("#expenses-paid")).to_be_visible()
    audit.check("staff: annual report")
    with session_scope(app) as session:  # a group that vets its members
        session.scalar(select(Group).where(Group.slug == "bristol")).vetting = "NPPV1"
    staff.goto("/staff/groups/bristol/members")
    staff.get_by_role("link", name="Record vetting of Bob Jones").click()
    audit.check("staff: record vetting")
    staff.get_by_label("Granted").check()
    staff.get_by_role("button", name="Save").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Enter the date it was granted")
    audit.check("staff: record vetting, with an error")
    staff.goto("/staff/groups/bristol/members")
    audit.check("staff: the register, with vetting")
    staff.get_by_role("link", name="End the membership of Bob Jones").click()
    audit.check("staff: end a membership")
    staff.goto("/staff/groups/bristol/members")
    staff.get_by_role("link", name="Timeline and interests of Bob Jones").click()
    expect(staff.locator("#interests")).to_contain_text("Trustee of Easton Youth Club")
    audit.check("staff: a member's interests")
    audit.assert_clean(at_least=26)
