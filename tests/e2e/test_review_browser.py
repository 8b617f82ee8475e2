"""The life of an application in Chromium: staff review it, invite the applicant to a discussion (the .ics
arrives through SMTP), the Chair proposes and the Police Coordinator confirms; referral with consent; an
unsuccessful application appealed and upheld; and an email full of tricks shown without running any."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.apply_journey import link_in
from tests.given import given_application
from tests.helpers import make_staff, sign_in_browser
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from tests.review_journey import discussion_took_place
from webapp import outgoing
from webapp.clock import UK, now
from webapp.workflow import Role

pytestmark = pytest.mark.browser


def signed_in(browser, live_server, app, email: str, role: Role, group: str | None) -> Page:
    login = make_staff(app, email, role, group)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    sign_in_browser(tab, login)
    expect(tab.get_by_role("heading", name="Inbox")).to_be_visible()
    return tab


def open_application(tab: Page, reference: str) -> None:
    tab.goto("/staff/")
    tab.get_by_label("Search").fill(reference)
    tab.get_by_role("button", name="Show").click()
    tab.get_by_role("link", name=reference).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(reference)


def state_is(tab: Page, text: str) -> None:
    expect(tab.locator(".govuk-tag").first).to_have_text(text)


def decide(tab: Page, outcome: str, reason: str, group: str | None = None) -> None:
    tab.get_by_role("button", name="Propose a decision").click()
    tab.get_by_label(outcome).check()
    if group:
        tab.get_by_label("Group to refer to").select_option(label=group)
    tab.get_by_role("textbox", name=re.compile("Reason")).fill(reason)
    tab.get_by_role("button", name="Propose this decision").click()
    expect(tab.locator("#pending-decision")).to_contain_text("Waiting for the second decider")


def confirm(tab: Page, reference: str) -> None:
    open_application(tab, reference)
    tab.get_by_role("button", name="Agree and send the decision").click()
    expect(tab.get_by_text("Decision confirmed.")).to_be_visible()


def the_life_of(app, browser, live_server, smtp_sink, reference: str, applicant: str) -> None:
    coordinator = signed_in(
        browser, live_server, app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"
    )
    chair = signed_in(browser, live_server, app, "dele@force.example", Role.CHAIR, "bristol")

    open_application(coordinator, reference)
    coordinator.get_by_role("button", name="Start review").click()
    state_is(coordinator, "In review")
    coordinator.get_by_role("button", name="Invite to a discussion").click()
    day = (now() + timedelta(days=14)).astimezone(UK)
    coordinator.get_by_label("Day").fill(str(day.day))
    coordinator.get_by_label("Month").fill(str(day.month))
    coordinator.get_by_label("Year").fill(str(day.year))
    coordinator.get_by_label("Start time (UK time)").fill("6:30pm")
    coordinator.get_by_label("Place (if in person)").fill("Trinity Road police station")
    coordinator.get_by_role("button", name="Send the invitation").click()
    state_is(coordinator, "Discussion invited")
    expect(coordinator.locator("#discussion")).to_contain_text("6:30pm")

    outgoing.send_due(app)
    invitation = smtp_sink.wait_for(lambda m: "informal discussion" in m["Subject"] and m["To"] == applicant)
    ics = next(p for p in invitation.iter_attachments() if p.get_content_type() == "text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")))
    assert event["LOCATION"] == "Trinity Road police station"
    assert event.decoded("DTSTART").astimezone(UK).strftime("%H:%M") == "18:30"

    expect(coordinator.get_by_role("button", name="Discussion held")).to_have_count(0)  # not before it
    discussion_took_place(app, reference)
    coordinator.reload()
    coordinator.get_by_role("button", name="Discussion held").click()
    state_is(coordinator, "Discussion held")

    open_application(chair, reference)
    decide(chair, "Offer a place", "Your community links are just what the group needs.")
    expect(chair.get_by_role("button", name="Agree and send the decision")).to_have_count(0)

    confirm(coordinator, reference)
    state_is(coordinator, "Offered")
    outgoing.send_due(app)
    offer = smtp_sink.wait_for(lambda m: m["Subject"] == f"Decision on your application {reference}")
    assert "offer you a place" in offer.get_body(("plain",)).get_content()
    assert any(p.get_content_type() == "application/pdf" for p in offer.iter_attachments())


def test_the_life_of_a_web_application(app, browser, live_server, smtp_sink):
    reference = given_application(app)
    the_life_of(app, browser, live_server, smtp_sink, reference, "amina@example.org")


def test_the_life_of_an_email_application(mail_app, client, browser, live_server, smtp_sink, imap):
    form = mailgen.filled_form(
        client.get("/forms/application-form.pdf").data,
        {"group": "Bristol IAG", "full_name": "Rhiannon Evans", "email": "rhiannon@example.org"},
    )
    mailgen.append(
        imap, [mailgen.with_attachment("My application", "form.pdf", form, sender="rhi@example.org")]
    )
    poll(mail_app)
    outgoing.send_due(mail_app)
    acknowledgement = smtp_sink.wait_for(lambda m: m["To"] == "rhi@example.org")
    reference = re.search(r"IAG-[0-9A-Z]{4}-[0-9A-Z]{4}", acknowledgement["Subject"]).group(0)
    the_life_of(mail_app, browser, live_server, smtp_sink, reference, "rhiannon@example.org")


def test_referral_with_the_applicants_consent(app, browser, live_server, smtp_sink):
    reference = given_application(app)
    coordinator = signed_in(
        browser, live_server, app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"
    )
    chair = signed_in(browser, live_server, app, "dele@force.example", Role.CHAIR, "bristol")
    open_application(chair, reference)
    chair.get_by_role("button", name="Start review").click()
    decide(chair, "Refer to a more suitable group", "The Somerset IAG meets nearer you.", "Somerset IAG")
    confirm(coordinator, reference)
    state_is(coordinator, "Referred")

    outgoing.send_due(app)
    letter = smtp_sink.wait_for(lambda m: m["Subject"] == f"Decision on your application {reference}")
    applicant = browser.new_context(base_url=live_server.url).new_page()
    applicant.goto(link_in(letter, "/my-application/"))
    applicant.get_by_role("link", name="Tell us if we can pass your application on").click()
    applicant.get_by_label("Yes, pass my application on").check()
    applicant.get_by_role("button", name="Send my answer").click()
    expect(applicant.locator(".govuk-notification-banner")).to_contain_text("Its reference is")
    new_reference = re.search(
        r"IAG-[0-9A-Z]{4}-[0-9A-Z]{4}", applicant.locator(".govuk-notification-banner").inner_text()
    ).group(0)

    somerset = signed_in(browser, live_server, app, "sam@force.example", Role.CHAIR, "somerset")
    expect(somerset.locator("main")).to_contain_text(new_reference)
    open_application(somerset, new_reference)
    expect(somerset.locator("main")).to_contain_text("Referred from")
    state_is(somerset, "Submitted")


def test_unsuccessful_then_an_appeal_upheld(app, browser, live_server, smtp_sink):
    reference = given_application(app)
    coordinator = signed_in(
        browser, live_server, app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"
    )
    chair = signed_in(browser, live_server, app, "dele@force.example", Role.CHAIR, "bristol")
    open_application(coordinator, reference)
    coordinator.get_by_role("button", name="Start review").click()
    decide(coordinator, "Unsuccessful", "We need members who can attend evening meetings.")
    confirm(chair, reference)
    state_is(chair, "Unsuccessful")

    outgoing.send_due(app)
    letter = smtp_sink.wait_for(lambda m: m["Subject"] == f"Decision on your application {reference}")
    applicant = browser.new_context(base_url=live_server.url).new_page()
    applicant.goto(link_in(letter, "/my-application/"))
    applicant.get_by_role("link", name="Appeal against the decision").click()
    applicant.get_by_role("button", name="Send my appeal").click()
    expect(applicant.locator(".govuk-error-summary")).to_contain_text("Tell us why")
    applicant.get_by_label("Why should the decision change?").fill(
        "My shifts have changed; I can do evenings."
    )
    applicant.get_by_role("button", name="Send my appeal").click()
    expect(applicant.locator("#state-now")).to_have_text("We have received your appeal.")

    panel = signed_in(browser, live_server, app, "acc@force.example", Role.ASSISTANT_CHIEF_CONSTABLE, None)
    open_application(panel, reference)
    panel.get_by_role("button", name="Propose the appeal's outcome").click()
    expect(panel.locator("#appeal-reasons")).to_contain_text("I can do evenings")
    panel.get_by_label("Uphold the appeal (offer a place)").check()
    panel.get_by_role("textbox", name=re.compile("Reason")).fill("The applicant can now attend.")
    panel.get_by_role("button", name="Propose this outcome").click()
    expect(panel.locator("#appeal-proposal")).to_contain_text("Waiting for the other member")
    strategic = signed_in(browser, live_server, app, "sian@force.example", Role.STRATEGIC_IAG_CHAIR, None)
    open_application(strategic, reference)
    strategic.get_by_role("button", name="Agree and send the appeal's outcome").click()
    state_is(strategic, "Appeal upheld")
    outgoing.send_due(app)
    upheld = smtp_sink.wait_for(lambda m: m["Subject"] == f"Your appeal: {reference}")
    assert "upheld it" in upheld.get_body(("plain",)).get_content()


TRICKS = """<html><head><script>window.__pwned = 1</script>
<meta http-equiv="refresh" content="0;url=https://attacker.example/meta">
<link rel="stylesheet" href="https://attacker.example/style.css">
<style>body { background: url(https://attacker.example/bg.png) }</style></head>
<body onload="window.__pwned = 2">
<p>Dear team, please see my application.</p>
<img src="https://attacker.example/pixel.gif" onerror="window.__pwned = 3">
<svg><script>window.__pwned = 4</script><image href="https://attacker.example/svg.png"/></svg>
<iframe src="https://attacker.example/frame"></iframe>
<a href="javascript:window.__pwned = 5">click</a>
<form action="https://attacker.example/form"><input name="x"></form>
<object data="https://attacker.example/object"></object>
<video src="https://attacker.example/video.mp4" autoplay></video>
<div style="background-image:url(https://attacker.example/div.png)">styled</div>
</body></html>"""


def test_an_email_full_of_tricks_runs_nothing_and_fetches_nothing(
    mail_app, client, browser, live_server, imap
):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Trick <amina@example.org>"
    message["To"] = mailgen.MAILBOX
    message["Subject"] = "Application to join the Bristol IAG"
    message["Message-ID"] = "<tricks@example.org>"
    message.set_content("Dear team, please see my application.")
    message.add_alternative(TRICKS, subtype="html")
    mailgen.append(imap, [message.as_bytes()])
    poll(mail_app)

    coordinator = signed_in(
        browser, live_server, mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"
    )
    requests: list[str] = []
    coordinator.context.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    coordinator.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    coordinator.goto("/staff/")
    coordinator.get_by_role("link", name=re.compile("^IAG-")).first.click()
    coordinator.get_by_text("Show as formatted").click()
    frame_element = coordinator.locator("iframe.app-email-frame")
    expect(frame_element).to_be_visible()
    frame = coordinator.frame_locator("iframe.app-email-frame")
    expect(frame.locator("body")).to_contain_text("Dear team, please see my application.")
    frame.get_by_text("click").click()
    coordinator.wait_for_timeout(500)

    assert coordinator.evaluate("window.__pwned") is None
    for tag in ["script", "img", "svg", "iframe", "object", "video", "form", "link", "meta[http-equiv]"]:
        expect(frame.locator(tag)).to_have_count(0)
    expect(coordinator).to_have_url(re.compile(r"/staff/applications/\d+$"))  # no navigation away
    assert dialogs == []
    outside = [url for url in requests if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert outside == [], outside
    assert any("/html" in url for url in requests)  # the frame was loaded, from the app
