"""Applying on the web, through the Flask test client: what an applicant sees and what is stored."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.apply_journey import ANSWERS, apply, fill_all, link_in, post_page, start, submit
from tests.given import given_application
from tests.helpers import csrf_token, text_of
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.models import Application, Draft, Event, Group
from webapp.services.applications import REFERENCE_ALPHABET, new_reference
from webapp.workflow import State


def _count(app, model) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_applicant_applies_and_gets_a_reference_on_the_page_and_by_email(app, client, smtp_sink):
    reference = apply(client)
    page = text_of(client.get("/apply/confirmation"))
    assert "Application sent" in page and reference in page
    assert "The Chair and the Police Coordinator of the Bristol IAG will read your application." in page
    with session_scope(app) as session:
        application = session.scalar(select(Application))
        assert application.reference == reference and application.state == State.SUBMITTED
        assert application.source == "web" and application.group.slug == "bristol"
        assert application.answers["why_join"] == ANSWERS["why-join"]["why_join"]
        assert application.applicant.name == "Amina Yusuf"
        assert application.applicant.phone == "+44 7700 900982"  # normalised
    outgoing.send_due(app)
    email = smtp_sink.wait_for(lambda m: reference in m["Subject"])
    assert email["To"] == "amina@example.org"
    assert email["Subject"] == f"Application received: {reference}"
    assert email["Auto-Submitted"] == "auto-generated"
    assert "/my-application/" in email.get_content()


def test_references_are_short_unambiguous_and_distinct():
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(r"IAG-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
        assert not set(reference[4:].replace("-", "")) & set("01ILOUV5S")
    assert set(REFERENCE_ALPHABET).isdisjoint("01ILOUV5S")


def test_a_page_with_errors_shows_them_and_keeps_the_answers(app, client):
    start(client)
    response = post_page(
        client,
        "/apply/page/your-details",
        {
            "full_name": "",
            "email": "not-an-email",
            "phone": "123",
            "area": "Easton",
            "contact_preference": "",
        },
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    for message in [
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 01632 960 001",
        "Select how you would prefer us to contact you",
    ]:
        assert message in page
    html = response.get_data(as_text=True)
    assert 'value="not-an-email"' in html and 'value="Easton"' in html
    assert response.headers["Content-Security-Policy"]
    assert "<title>Error: Your details" in html


def test_too_long_answers_are_refused_with_the_limit(app, client):
    start(client)
    response = post_page(
        client, "/apply/page/why-join", {"why_join": "x" * 3001, "interest_in_policing": "ok"}
    )
    assert "Why you want to join must be 3,000 characters or fewer" in text_of(response)


def test_html_and_spreadsheet_formulas_are_kept_as_plain_text_and_escaped(app, client):
    start(client)
    fill_all(client)
    hostile = '<script>alert("x")</script> =HYPERLINK("http://evil.example","click")'
    post_page(client, "/apply/page/why-join", {"why_join": hostile, "interest_in_policing": "ok"})
    html = client.get("/apply/check-answers").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    submit(client)
    with session_scope(app) as session:
        assert session.scalar(select(Application)).answers["why_join"] == hostile


def test_check_answers_has_a_change_link_for_every_answer_that_returns_to_it(app, client):
    start(client)
    fill_all(client)
    html = client.get("/apply/check-answers").get_data(as_text=True)
    questions = sum(len(v) for v in ANSWERS.values())
    assert html.count(">Change<span") == questions
    response = post_page(client, "/apply/page/engaging?return=check", {"engagement": "Newsletters"})
    assert response.headers["Location"] == "/apply/check-answers"
    assert "Newsletters" in text_of(client.get("/apply/check-answers"))


def test_an_unfinished_application_cannot_be_submitted(app, client):
    start(client)
    post_page(client, "/apply/page/your-details", ANSWERS["your-details"])
    page = text_of(client.get("/apply/check-answers"))
    assert "Your application is not finished" in page and "Enter why you want to join" in page
    assert "Agree and submit" not in page
    token = csrf_token(client.get("/apply/page/your-details").get_data(as_text=True))
    response = client.post("/apply/submit", data={"csrf_token": token})  # posted by hand, past the page
    assert response.headers["Location"] == "/apply/check-answers"
    assert _count(app, Application) == 0


def test_double_submit_and_back_and_resubmit_give_one_application(app, client):
    start(client)
    fill_all(client)
    token = csrf_token(client.get("/apply/check-answers").get_data(as_text=True))
    first = client.post("/apply/submit", data={"csrf_token": token})
    second = client.post("/apply/submit", data={"csrf_token": token})
    assert first.headers["Location"] == second.headers["Location"] == "/apply/confirmation"
    assert _count(app, Application) == 1
    assert client.get("/apply/check-answers").headers["Location"] == "/apply/confirmation"
    # Back to an answer page and post it again: the application is already sent, nothing is made twice.
    assert client.get("/apply/page/why-join").headers["Location"] == "/apply/confirmation"
    again = client.post("/apply/page/why-join", data={**ANSWERS["why-join"], "csrf_token": token})
    assert again.headers["Location"] == "/apply/confirmation"
    assert _count(app, Application) == 1


def test_the_strategic_iag_cannot_be_applied_to_by_the_web_or_by_posting_directly(app, client):
    page = text_of(client.get("/apply/strategic"))
    assert "The Strategic IAG is not taking applications" in page and "Bristol IAG" in page
    assert "Start now" not in page
    token = csrf_token(client.get("/apply/bristol").get_data(as_text=True))
    response = client.post("/apply/strategic", data={"csrf_token": token})
    assert "not taking applications" in text_of(response)
    assert _count(app, Draft) == 0


def test_a_group_closed_while_someone_applies_refuses_kindly_and_keeps_the_answers(app, client):
    start(client)
    fill_all(client)
    with session_scope(app) as session:
        session.scalar(select(Group).where(Group.slug == "bristol")).open_to_applicants = False
    response = submit(client)
    assert response.status_code == 409
    page = text_of(response)
    assert "The Bristol IAG is not taking applications." in page and "Your answers are still saved" in page
    with session_scope(app) as session:
        assert session.scalar(select(Draft)).answers["full_name"] == "Amina Yusuf"
    assert _count(app, Application) == 0


def test_a_specialist_group_asks_applicants_to_confirm_its_requirements(app, client):
    page = text_of(client.get("/apply/lgbt-plus"))
    assert "Who can join this group" in page and "LGBT+ communities" in page
    response = start(client, "lgbt-plus")
    assert "Confirm that you meet the requirements to join this group" in text_of(response)
    assert start(client, "lgbt-plus", requirements="y").status_code == 302
    with session_scope(app) as session:
        assert session.scalar(select(Draft)).requirements_confirmed


def test_the_counter_terrorism_iag_explains_screening_and_asks_for_consent(app, client):
    assert "limited security screening" in text_of(client.get("/apply/counter-terrorism"))
    refused = start(client, "counter-terrorism", requirements="y")
    assert "Select whether you consent to limited security screening" in text_of(refused)
    declined = start(client, "counter-terrorism", requirements="y", screening="no")
    assert "You cannot join the Counter Terrorism IAG without limited screening" in text_of(declined)
    assert _count(app, Draft) == 0
    assert start(client, "counter-terrorism", requirements="y", screening="yes").status_code == 302
    with session_scope(app) as session:
        assert session.scalar(select(Draft)).screening_consent


def test_save_and_return_by_emailed_link(app, client, smtp_sink):
    start(client)
    post_page(client, "/apply/page/your-details", ANSWERS["your-details"])
    response = post_page(
        client,
        "/apply/page/why-join",
        {"why_join": "Half written", "interest_in_policing": ""},
        action="later",
    )
    assert response.headers["Location"] == "/apply/save-for-later"
    page = client.get("/apply/save-for-later")
    assert 'value="amina@example.org"' in page.get_data(as_text=True)
    sent = client.post(
        "/apply/save-for-later",
        data={"email": "amina@example.org", "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert "We have sent you a link" in text_of(sent)
    outgoing.send_due(app)
    email = smtp_sink.wait_for(lambda m: m["Subject"] == "Continue your application to the Bristol IAG")
    body = " ".join(email.get_body().get_content().split())
    assert "To carry on with your application to the Bristol IAG, use this link" in body
    assert "You have not sent your application yet." in body
    link = link_in(email, "/apply/resume/")
    other_browser = app.test_client()
    response = other_browser.get(link)
    assert response.headers["Location"] == "/apply/page/why-join"  # the first page with a missing answer
    html = other_browser.get("/apply/page/why-join").get_data(as_text=True)
    assert "Half written" in html


def test_a_resume_link_expires_after_30_days_and_untouched_drafts_are_deleted(app, client, smtp_sink, runner):
    start(client)
    post_page(client, "/apply/page/your-details", ANSWERS["your-details"], action="later")
    page = client.get("/apply/save-for-later")
    client.post(
        "/apply/save-for-later",
        data={"email": "amina@example.org", "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    outgoing.send_due(app)
    link = link_in(smtp_sink.wait_for(lambda m: "Bristol IAG" in m["Subject"]), "/apply/resume/")
    with clock.travel(timedelta(days=29)):
        assert "unfinished applications deleted: 0" in runner.invoke(args=["retention", "--apply"]).output
        assert app.test_client().get(link).status_code == 302
    with clock.travel(timedelta(days=30, minutes=1)):
        assert "This link has expired" in text_of(app.test_client().get(link))
        result = runner.invoke(args=["retention", "--apply"])
        assert "unfinished applications deleted: 1" in result.output
    assert _count(app, Draft) == 0


def test_a_form_posted_after_the_page_sat_open_keeps_what_was_typed(app, client):
    start(client)
    response = client.post(
        "/apply/page/why-join",
        data={"why_join": "My carefully typed answer", "interest_in_policing": "x", "csrf_token": "stale"},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "have not been saved yet" in page
    assert "My carefully typed answer" in response.get_data(as_text=True)


def test_a_form_posted_after_the_session_ended_shows_what_was_typed(app):
    browser_without_session = app.test_client()
    response = browser_without_session.post(
        "/apply/page/why-join", data={"why_join": "Do not lose me", "csrf_token": "stale"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Your session has ended" in page and "Do not lose me" in page


def test_the_applicant_page_shows_the_state_in_plain_words_and_allows_withdrawal(app, client, smtp_sink):
    reference = apply(client)
    outgoing.send_due(app)
    link = link_in(smtp_sink.wait_for(lambda m: reference in m["Subject"]), "/my-application/")
    reader = app.test_client()
    page = text_of(reader.get(link))
    assert "We have received your application." in page and reference in page
    confirm = reader.get(f"{link}/withdraw")
    assert "Are you sure you want to withdraw your application?" in text_of(confirm)
    reader.post(f"{link}/withdraw", data={"csrf_token": csrf_token(confirm.get_data(as_text=True))})
    page = text_of(reader.get(link))
    assert "You have withdrawn your application." in page and "Withdraw my application" not in page
    with session_scope(app) as session:
        assert session.scalar(select(Application)).state == State.WITHDRAWN
        event = session.scalar(select(Event).where(Event.action == "withdraw"))
        assert event.actor == "applicant"
    outgoing.send_due(app)
    smtp_sink.wait_for(lambda m: m["Subject"] == f"Application withdrawn: {reference}")


def test_a_made_up_status_link_is_not_found(app, client):
    assert app.test_client().get("/my-application/not-a-real-token").status_code == 404


def test_a_lost_link_is_sent_for_each_application_of_the_address_without_saying_who_applied(
    app, client, smtp_sink
):
    first, second = apply(client), given_application(app, "somerset")
    outgoing.send_due(app)
    smtp_sink.clear()
    asker = app.test_client()
    page = asker.get("/my-application")
    assert "Application reference" not in text_of(page)  # the email address is enough
    token = csrf_token(page.get_data(as_text=True))
    wrong = asker.post("/my-application", data={"email": "someone@example.org", "csrf_token": token})
    right = asker.post("/my-application", data={"email": "AMINA@example.org", "csrf_token": token})
    assert text_of(wrong).replace("someone@example.org", "X") == text_of(right).replace(
        "AMINA@example.org", "X"
    )
    assert outgoing.send_due(app) == (2, 0)
    for reference in (first, second):
        email = smtp_sink.wait_for(lambda m, r=reference: m["Subject"] == f"Your application {r}")
        assert email["To"] == "amina@example.org"


def test_a_force_words_questions_its_own_way_on_the_page_and_in_the_pdf(second_app):
    from io import BytesIO

    from pypdf import PdfReader

    from tests.conftest import GWENT
    from webapp.deployment import sync_groups

    gwent = second_app(GWENT)
    with session_scope(gwent) as session:
        sync_groups(session, gwent.extensions["deployment"])
    client = gwent.test_client()
    start(client, "gwent")
    post_page(client, "/apply/page/your-details", ANSWERS["your-details"])
    page = text_of(client.get("/apply/page/why-join"))
    assert "Why would you like to join the Gwent Police IAG?" in page
    pdf = client.get("/forms/application-form.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "Why would you like to join the Gwent Police IAG?" in text
    assert "IAG@gwent.police.uk" in text
