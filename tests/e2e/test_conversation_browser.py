"""The conversation in Chromium: a coordinator gets the notification email (read from the SMTP sink),
follows its link, signs in and lands on the case with the unread reply marked, sees "Waiting for you",
opens the case again, answers the reply, and the applicant's answer (APPENDed to Dovecot as a real reply
to the email sent) threads back onto the case, marked new."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from tests.helpers import make_staff, sign_in_browser
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from webapp import outgoing
from webapp.workflow import Role

pytestmark = pytest.mark.browser

COORDINATOR = "priya@force.example"
JO = "jo@example.org"


def reply_to(message: EmailMessage, body: str) -> bytes:
    """What Jo's mail program sends on pressing Reply to `message`."""
    answer = EmailMessage()
    answer["From"] = f"Jo Bloggs <{JO}>"
    answer["To"] = message.get("Reply-To") or mailgen.MAILBOX
    answer["Subject"] = "Re: " + message["Subject"]
    answer["Message-ID"] = f"<jo-{abs(hash(body))}@example.org>"
    answer["In-Reply-To"] = message["Message-ID"]
    answer["References"] = " ".join(filter(None, [message.get("References"), message["Message-ID"]]))
    answer.set_content(f"{body}\n\n> {message.get_content()[:60]}")
    return answer.as_bytes()


def test_from_the_notification_to_an_answer_threaded_back(browser, live_server, mail_app, imap, smtp_sink):
    login = make_staff(mail_app, COORDINATOR, Role.POLICE_COORDINATOR, "bristol")
    mailgen.append(
        imap, [mailgen.plain("Joining", "I'd like to join the Bristol IAG.", sender=f"Jo Bloggs <{JO}>")]
    )
    poll(mail_app)
    outgoing.send_due(mail_app)
    ack = smtp_sink.wait_for(lambda m: m["To"] == JO)
    reference = re.search(r"IAG-[0-9A-Z]{4}-[0-9A-Z]{4}", ack["Subject"]).group(0)
    mailgen.append(imap, [reply_to(ack, "Could we talk on Tuesday evening?")])
    poll(mail_app)
    outgoing.send_due(mail_app)
    told = smtp_sink.wait_for(lambda m: m["To"] == COORDINATOR and m["Subject"] == f"IAG reply: {reference}")
    link = re.search(r"https?://\S+(/staff/applications/\d+)", told.get_content()).group(1)

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(link)  # the link in the email; signing in leads back to it
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in_browser(tab, login, go=False)
    expect(tab.get_by_role("heading", level=1)).to_contain_text(reference)
    reply_card = tab.locator(".govuk-summary-card", has_text="Could we talk on Tuesday evening?")
    expect(reply_card).to_contain_text("New to you")  # the unread reply, marked
    tab.get_by_role("link", name=re.compile(r"Waiting for you \(1\)")).click()
    row = tab.locator("#waiting tr", has_text=reference)
    expect(row).to_contain_text("New: start the review")  # the reply is read now; the case still waits
    row.get_by_role("link", name=reference).click()
    expect(
        tab.locator(".govuk-summary-card", has_text="Could we talk on Tuesday evening?")
    ).not_to_contain_text("New to you")

    tab.get_by_role("button", name="Write to the applicant").click()
    tab.get_by_label("Your message").fill("Hello Jo,\n\nTuesday at 7pm is fine. We will ring you.\n\nPriya")
    tab.get_by_role("button", name="Preview").click()
    expect(tab.locator("#preview")).to_contain_text(f"Subject: Your application {reference}")
    tab.get_by_role("button", name="Send").click()
    expect(tab.locator(".govuk-notification-banner")).to_contain_text("is on its way")
    expect(tab.locator(".app-sent-reply")).to_contain_text("Tuesday at 7pm is fine")

    outgoing.send_due(mail_app)
    ours = smtp_sink.wait_for(lambda m: m["To"] == JO and "7pm" in m.get_content())
    mailgen.append(imap, [reply_to(ours, "Thank you, speak then.")])
    poll(mail_app)
    tab.reload()
    answer = tab.locator(".govuk-summary-card", has_text="Thank you, speak then.")
    expect(answer).to_contain_text("reply")
    expect(answer).to_contain_text("New to you")
    context.close()
