"""The members' space in Chromium: a member asks for a sign-in link and signs in from the email at the SMTP
sink, answers a meeting invitation, adds it to a calendar (.ics with its VTIMEZONE), downloads a
confidential paper stamped with their name (pdftotext), and answers a call-out; a former member and a
member of another group get "Page not found" for the same paper; staff record attendance and the register
counts it. axe-core, the Nu HTML Checker and the 320 px reflow check on every members' page and the staff
pages of the group's work."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.apply_journey import link_in
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_review_browser import signed_in
from tests.given import given_member
from tests.review_journey import act, invite_data, staff_client
from tests.webapp.test_call_outs import _answer_by
from tests.webapp.test_member_meetings import _add_paper, _pdf
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.models import Meeting, Membership
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def sign_in_from_email(browser, live_server, app, smtp_sink, email: str, audit: Audit | None = None):
    """A member signs in as a person does: asks for a link, opens it from the email, presses Sign in."""
    tab = browser.new_context(base_url=live_server.url, accept_downloads=True).new_page()
    if audit:
        audit.page = tab
    tab.goto("/members/")
    expect(tab.get_by_role("heading", name="Sign in to the members' pages")).to_be_visible()
    if audit:
        audit.check("sign in")
    tab.get_by_role("button", name="Email me a sign-in link").click()
    expect(tab.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    if audit:
        audit.check("sign in, with an error")
    tab.get_by_label("Email address").fill(email)
    tab.get_by_role("button", name="Email me a sign-in link").click()
    expect(tab.get_by_role("heading", name="Check your email")).to_be_visible()
    if audit:
        audit.check("check your email")
    outgoing.send_due(app)
    message = smtp_sink.wait_for(lambda m: m["To"] == email and "sign-in link" in m["Subject"])
    tab.goto(link_in(message, "/members/sign-in/"))
    if audit:
        audit.check("the link's page")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Your page")).to_be_visible()
    if audit:  # the link again: used up
        tab.goto(link_in(message, "/members/sign-in/"))
        expect(tab.get_by_role("heading", name="This link does not work")).to_be_visible()
        audit.check("a used link")
        tab.goto("/members/")
    return tab


def test_a_member_signs_in_answers_downloads_and_answers_a_call_out(
    app, browser, live_server, smtp_sink, tmp_path
):
    given_member(app)
    given_member(app, "somerset", "Sam Other", "sam@example.org")
    given_member(app, "bristol", "Fran Former", "fran@example.org")
    given_member(app, "north-somerset", "Fran Former", "fran@example.org")
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    act(coordinator, "/staff/groups/bristol/meetings", data=invite_data(days_ahead=3, duration="120"))
    _add_paper(coordinator, "Operation briefing", _pdf("Operation Hawk"), "briefing.pdf")
    page = coordinator.get("/staff/groups/bristol/call-outs?words=")
    amina = re.search(r'value="(\d+)"[^>]*>\s*<label[^>]*>\s*Amina Yusuf', page.get_data(as_text=True))
    ids = (
        [amina.group(1)]
        if amina
        else re.findall(r'name="members" type="checkbox" value="(\d+)"', page.get_data(as_text=True))
    )
    act(
        coordinator,
        "/staff/groups/bristol/call-outs",
        data={
            "asked": "What should officers know before Saturday's march?",
            "urgency": "within hours",
            "members": ids,
            **_answer_by(6),
        },
    )

    audit = Audit(browser.new_context().new_page())  # each tab it checks is given to it in turn
    member = sign_in_from_email(browser, live_server, app, smtp_sink, "amina@example.org", audit)
    audit.check("your page")
    member.get_by_role("link", name=re.compile("^Answer by ")).click()
    expect(member.locator("#asked")).to_contain_text("Saturday's march")
    audit.check("call-out")
    member.get_by_role("button", name="Send your answer").click()
    expect(member.locator(".govuk-error-summary")).to_contain_text("Select your answer")
    audit.check("call-out, with an error")
    member.get_by_label("Here is my advice").check()
    member.get_by_label("Your advice").fill("Meet the organisers on Friday.")
    member.get_by_role("button", name="Send your answer").click()
    expect(member.locator(".govuk-notification-banner")).to_contain_text(
        "The Police Coordinator can see your answer now"
    )
    member.get_by_role("link", name="Your page").click()

    member.locator("#meetings-bristol a").first.click()
    expect(member.get_by_role("heading", level=1)).to_be_visible()
    audit.check("meeting")
    member.get_by_label("Yes, online").check()
    member.get_by_label(re.compile("A note for the Chair")).fill("I may join late.")
    member.get_by_role("button", name="Send your answer").click()
    expect(member.locator(".govuk-notification-banner")).to_contain_text("We have your answer")
    with member.expect_download() as download:
        member.get_by_role("link", name="Add this meeting to your calendar (.ics)").click()
    feed = icalendar.Calendar.from_ical(download.value.path().read_bytes())
    (zone,) = feed.walk("VTIMEZONE")
    assert (
        str(zone["TZID"]) == "Europe/London"
        and feed.walk("VEVENT")[0]["DTSTART"].params["TZID"] == "Europe/London"
    )

    member.get_by_role("link", name="Your page").click()
    with member.expect_download() as download:
        member.get_by_role("link", name="Operation briefing").click()
    saved = tmp_path / "briefing.pdf"
    download.value.save_as(saved)
    text = " ".join(
        subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True).stdout.split()
    )
    assert (
        f"Confidential — issued to Amina Yusuf on {clock.uk_date(clock.now())}" in text
        and "Operation Hawk" in text
    )
    paper_url = member.get_by_role("link", name="Operation briefing").get_attribute("href")
    member.get_by_role("link", name="The group's advice and what the force did with it").click()
    audit.check("you said, we did")
    member.get_by_role("link", name="Your details").click()
    audit.check("your details")
    member.get_by_role("link", name="Your page").click()
    member.get_by_role("link", name="Leave the Bristol IAG").click()
    audit.check("leave")
    member.get_by_role("link", name="No, stay in the group").click()
    expect(member.get_by_role("heading", name="Your page")).to_be_visible()

    other = sign_in_from_email(browser, live_server, app, smtp_sink, "sam@example.org")
    other.goto(paper_url)
    expect(other.get_by_role("heading", name="Page not found")).to_be_visible()
    former = sign_in_from_email(browser, live_server, app, smtp_sink, "fran@example.org")
    former.get_by_role("link", name="Leave the Bristol IAG").click()
    former.get_by_role("button", name="Yes, leave the group").click()
    expect(former.get_by_role("heading", name="You have left the Bristol IAG")).to_be_visible()
    audit.page = former
    audit.check("left")
    former.get_by_role("link", name="Back to your page").click()
    former.goto(paper_url)
    expect(former.get_by_role("heading", name="Page not found")).to_be_visible()

    staff = signed_in(browser, live_server, app, "dele@force.example", Role.CHAIR, "bristol")
    audit.page = staff
    staff.goto("/staff/groups/bristol/meetings")
    staff.get_by_role("link", name=re.compile("^Answers")).first.click()
    expect(staff.locator("#answers")).to_contain_text("Amina Yusuf: Coming online (I may join late.)")
    audit.check("staff: answers before the meeting")
    with session_scope(app) as session:  # the meeting has been held (its members joined last month)
        meeting = session.scalar(select(Meeting))
        meeting.starts_at, meeting.ends_at = (
            clock.now() - timedelta(hours=3),
            clock.now() - timedelta(hours=1),
        )
        for membership in session.scalars(select(Membership)):
            membership.joined_at = clock.now() - timedelta(days=30)
    staff.goto("/staff/groups")
    staff.get_by_role("link", name="Meetings of the Bristol IAG").click()
    audit.check("staff: meetings")
    staff.get_by_role("link", name=re.compile("^Record attendance")).click()
    audit.check("staff: attendance")
    expect(staff.get_by_role("radio", name="Present, online").first).to_be_checked()  # from her answer
    staff.get_by_role("button", name="Record attendance").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("Attendance recorded for 2 members")
    expect(staff.locator("#register")).to_contain_text("1 of 0 expected")
    audit.check("staff: register")
    for name in ("Papers", "Call-outs", "advice log", "messages"):
        staff.goto("/staff/groups")
        staff.get_by_role("link", name=re.compile(f"^{name}", re.I)).first.click()
        audit.check(f"staff: {name}")
    staff.goto("/staff/groups/bristol/call-outs")
    staff.locator("#call-outs a").first.click()
    expect(staff.locator("#answers")).to_contain_text("Meet the organisers on Friday.")
    audit.check("staff: a call-out")
    staff.get_by_label("Summary of the advice given").fill("Meet the organisers before the march.")
    staff.get_by_role("button", name="Close the call-out").click()
    staff.goto("/staff/groups/bristol/advice")
    staff.get_by_role("link", name=re.compile("^Record the response")).first.click()
    audit.check("staff: the force's response")
    staff.get_by_label("Acted on").check()
    staff.get_by_label("What the force did, and why").fill("Officers met the organisers on Friday.")
    staff.get_by_role("button", name="Save the response").click()
    expect(staff.locator("#advice-log")).to_contain_text("Acted on")
    audit.check("staff: the advice log")
    staff.goto("/staff/groups/bristol/messages")
    staff.get_by_label("Subject").fill("Thank you")
    staff.get_by_label("Your message").fill("Thank you for your advice on Saturday's march.")
    staff.get_by_role("button", name="Send the message").click()
    staff.get_by_role("link", name="Thank you").click()
    expect(staff.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.check("staff: a message")
    staff.goto("/staff/groups/bristol/members")
    staff.get_by_role("link", name="Timeline and interests of Amina Yusuf").click()
    expect(staff.locator("#timeline")).to_contain_text("Message sent: Thank you")
    audit.check("staff: a member's timeline")
    audit.page = member
    member.goto("/members/groups/bristol/advice")
    expect(member.locator("main")).to_contain_text("Officers met the organisers on Friday.")
    audit.check("you said, we did, answered")
    audit.assert_clean(at_least=27)
