"""axe-core (WCAG 2.2 A and AA rules) on every public page, including each error state: 0 violations.
Each state is also put through the Nu HTML Checker (0 errors) and reflowed at 320 px, with and without
text spacing (no sideways scrolling): see tests/e2e/page_checks.py."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.apply_journey import ANSWERS, link_in
from tests.e2e.page_checks import nu_checker_errors, reflow_problems
from tests.e2e.test_apply_browser import continue_, fill_page
from tests.given import given_application
from webapp import outgoing

pytestmark = pytest.mark.browser
AXE = Axe()
WCAG = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


class Audit:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.checked: list[str] = []
        self.html: dict[str, str] = {}

    def check(self, label: str) -> None:
        # A click may have started a navigation that has not finished: audit the page it leads to.
        self.page.wait_for_load_state("load")
        self.page.locator("main h1").first.wait_for()
        results = AXE.run(self.page, options=WCAG)
        self.checked.append(label)
        violations = results.response["violations"]
        found = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
            for v in violations
        ]
        found += reflow_problems(self.page)
        if found:
            self.found[label] = found
        self.html[label] = self.page.content()

    def assert_clean(self, at_least: int) -> None:
        assert len(self.checked) >= at_least
        for label, errors in nu_checker_errors(self.html).items():
            self.found.setdefault(label, []).extend(errors)
        assert self.found == {}, "\n".join(f"{k}: {v}" for k, v in self.found.items())


def test_every_public_page_and_error_state_has_no_axe_violations(app, page, smtp_sink):
    audit = Audit(page)
    for url, label in [
        ("/", "home"),
        ("/groups", "groups"),
        ("/forms", "forms"),
        ("/privacy", "privacy"),
        ("/accessibility", "accessibility statement"),
        ("/apply/strategic", "closed group"),
        ("/apply/lgbt-plus", "specialist start"),
        ("/no-such-page", "404"),
        ("/my-application", "find application"),
        ("/apply/resume/not-a-token", "expired resume link"),
        ("/staff/sign-in", "staff sign-in"),
    ]:
        page.goto(url)
        audit.check(label)
    page.get_by_role("button", name="Continue").click()
    audit.check("staff sign-in errors")

    page.goto("/my-application")
    page.get_by_role("button", name="Email me a link").click()
    audit.check("find application errors")

    page.goto("/apply/counter-terrorism")
    audit.check("screening start")
    page.get_by_role("button", name="Start now").click()
    audit.check("screening start errors")
    page.get_by_label("I meet these requirements").check()
    page.get_by_label("No, I do not consent").check()
    page.get_by_role("button", name="Start now").click()
    audit.check("no screening consent")

    page.goto("/apply/bristol")
    audit.check("start")
    page.get_by_role("button", name="Start now").click()
    for slug, answers in ANSWERS.items():
        audit.check(f"page {slug}")
        continue_(page)
        if page.locator(".govuk-error-summary").count():
            audit.check(f"page {slug} errors")
        fill_page(page, answers)
        continue_(page)
    audit.check("check answers")
    page.goto("/apply/page/why-join")
    page.get_by_label("Why do you want to join this Independent Advisory Group?").fill("x" * 3001)
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("too long answer")
    page.get_by_label("Why do you want to join this Independent Advisory Group?").fill("Back to normal")
    page.get_by_role("button", name="Save and come back later").click()
    audit.check("save for later")
    page.get_by_label("Email address to send the link to").fill("not an email")
    page.get_by_role("button", name="Send me the link").click()
    audit.check("save for later errors")
    page.get_by_label("Email address to send the link to").fill("amina@example.org")
    page.get_by_role("button", name="Send me the link").click()
    audit.check("link sent")
    outgoing.send_due(app)
    page.goto(link_in(smtp_sink.wait_for(lambda m: "Bristol IAG" in m["Subject"]), "/apply/resume/"))
    page.goto("/apply/check-answers")
    page.get_by_role("button", name="Agree and submit").click()
    audit.check("confirmation")
    page.get_by_role("button", name="Fill in the equal opportunities form").click()
    audit.check("monitoring")
    page.get_by_role("button", name="Send my answers").click()
    audit.check("monitoring thank you")

    outgoing.send_due(app)
    status_link = link_in(
        smtp_sink.wait_for(lambda m: "Application received" in m["Subject"]), "/my-application/"
    )
    page.goto(status_link)
    audit.check("applicant page")
    page.get_by_role("link", name="Withdraw my application").click()
    audit.check("withdraw confirmation")
    page.get_by_role("button", name="Yes, withdraw my application").click()
    audit.check("withdrawn")

    fresh = page.context.browser.new_context(base_url=page.url.split("/my-application")[0]).new_page()
    fresh.goto("/apply/page/why-join")
    Audit.check(audit_fresh := Audit(fresh), "session ended")
    audit.found.update(audit_fresh.found)
    audit.html.update(audit_fresh.html)
    fresh.context.close()
    audit.assert_clean(at_least=35)


def test_the_staff_inbox_and_application_page_have_no_axe_violations(app, page):
    from tests.helpers import make_staff
    from webapp.workflow import Role

    given_application(app)
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    audit = Audit(page)
    made = app.test_cli_runner().invoke(
        args=["create-user", "jo@force.example", "--role", "admin team", "--group", "bristol"]
    )
    page.goto(re.search(r"(/staff/enrol/\S+)", made.output).group(1))
    audit.check("enrolment, with its QR code and key")
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(login.email)
    page.get_by_label("Password", exact=True).fill(login.password)
    page.get_by_role("button", name="Continue").click()
    audit.check("security code")
    page.get_by_label("Security code").fill(login.code())
    page.get_by_role("button", name="Sign in").click()
    audit.check("inbox")
    page.get_by_role("link", name=re.compile("IAG-")).click()
    audit.check("application page")
    page.get_by_role("button", name="Add note").click()
    audit.check("application page with a note error")
    audit.assert_clean(at_least=5)


def test_the_review_steps_triage_and_the_applicants_answers_have_no_axe_violations(app, page):
    from sqlalchemy import select

    from tests.helpers import make_staff, sign_in_browser
    from tests.review_journey import act, application_id, mails_to, staff_client, status_token
    from webapp.db import session_scope
    from webapp.models import EmailKind, Group, InboundEmail, StaffRole
    from webapp.workflow import Role

    appealing, referred = given_application(app), given_application(app)
    chair = staff_client(app, "dele@force.example", Role.CHAIR, "bristol")
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    with session_scope(app) as session:
        groups = {g.slug: g.id for g in session.scalars(select(Group))}
        session.add(StaffRole(user_id=login.id, group_id=groups["bristol"], role=Role.ADMIN_TEAM))
        session.add(
            InboundEmail(mailbox="INBOX", subject="Parking", text_body="Where?", kind=EmailKind.NEEDS_TRIAGE)
        )
    for reference, data in [
        (appealing, {"outcome": "unsuccessful", "reason": "Not this time."}),
        (referred, {"outcome": "refer", "reason": "Nearer you.", "referred_group": groups["somerset"]}),
    ]:
        url = f"/staff/applications/{application_id(app, reference)}"
        act(chair, url, f"{url}/start-review")
        act(chair, f"{url}/decide", data=data)

    audit = Audit(page)
    sign_in_browser(page, login)
    url = f"/staff/applications/{application_id(app, appealing)}"
    page.goto(url)
    audit.check("application with a proposed decision")
    page.get_by_role("button", name="Do not agree").click()
    page.get_by_role("button", name="Set the proposal aside").click()
    audit.check("do not agree, with an error")
    page.goto(url)
    page.get_by_role("button", name="Agree and send the decision").click()
    audit.check("application decided")
    page.goto(f"/staff/applications/{application_id(app, referred)}")
    page.get_by_role("button", name="Agree and send the decision").click()
    fresh = given_application(app)
    page.goto(f"/staff/applications/{application_id(app, fresh)}")
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("button", name="Invite to a discussion").click()
    audit.check("invite")
    page.get_by_role("button", name="Send the invitation").click()
    audit.check("invite with errors")
    page.goto(f"/staff/applications/{application_id(app, fresh)}/decide")
    page.get_by_role("button", name="Propose this decision").click()
    audit.check("propose with errors")
    page.goto(f"/staff/applications/{application_id(app, fresh)}/withdraw")
    audit.check("withdraw at the applicant's request")
    page.goto("/staff/triage")
    audit.check("triage")
    page.get_by_role("link", name="Parking").click()
    audit.check("an email in triage")
    page.get_by_role("button", name="Make an application").click()
    audit.check("an email in triage, with an error")
    page.goto("/staff/waiting")
    audit.check("waiting for you")
    page.goto("/staff/notifications")
    audit.check("notification choices")
    page.goto("/staff/applications/new")
    audit.check("enter a phone or paper application")
    page.get_by_role("button", name="Enter the application").click()
    audit.check("enter a phone or paper application, with errors")
    page.goto(f"/staff/applications/{application_id(app, fresh)}/write?standard=reply_call_back")
    audit.check("write to the applicant")
    page.get_by_role("button", name="Preview").click()
    audit.check("write to the applicant: preview")

    letters = [m for m in mails_to(app, "amina@example.org") if m.subject.startswith("Decision")]
    appeal_token, referral_token = status_token(letters[0]), status_token(letters[1])
    page.goto(f"/my-application/{appeal_token}")
    audit.check("applicant: unsuccessful")
    page.goto(f"/my-application/{appeal_token}/appeal")
    page.get_by_role("button", name="Send my appeal").click()
    audit.check("applicant: appeal with an error")
    page.goto(f"/my-application/{referral_token}/referral")
    page.get_by_role("button", name="Send my answer").click()
    audit.check("applicant: referral consent with an error")
    audit.assert_clean(at_least=19)


def test_signing_verifying_and_the_group_pages_have_no_axe_violations(app, page):
    from tests.helpers import make_staff, sign_in_browser
    from tests.review_journey import sent_for_signature
    from webapp.workflow import Role

    *_, link = sent_for_signature(app, app.test_client())

    audit = Audit(page)
    page.goto(link)
    audit.check("signing page")
    page.get_by_role("button", name="I agree and sign").click()
    audit.check("signing page with an error")
    page.get_by_label("Your full name").fill("Amina Yusuf")
    page.get_by_role("button", name="I agree and sign").click()
    audit.check("signed")
    page.goto(link)
    audit.check("link already used")
    page.goto("/verify")
    audit.check("verify")
    page.get_by_role("button", name="Check the file").click()
    audit.check("verify with an error")

    login = make_staff(app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    sign_in_browser(page, login)
    for path, label in [
        ("/staff/groups", "groups"),
        ("/staff/groups/bristol/members", "members"),
        ("/staff/groups/bristol/meetings", "meetings"),
        ("/staff/groups/bristol/documents/agreement", "documents"),
    ]:
        page.goto(path)
        audit.check(label)
    page.goto("/staff/groups/bristol/meetings")
    page.get_by_role("button", name="Add the meeting").click()
    audit.check("meetings with errors")
    audit.assert_clean(at_least=11)
