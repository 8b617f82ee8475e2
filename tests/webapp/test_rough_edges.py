"""Rough edges a first-time applicant and a busy coordinator hit (issue 17), as they see them."""

from __future__ import annotations

from tests.apply_journey import apply
from tests.helpers import make_staff, sign_in, text_of
from tests.review_journey import mails_to
from webapp.workflow import Role


def test_the_applicant_is_told_when_to_expect_a_reply_on_the_page_and_by_email(app, client):
    reference = apply(client)
    page = text_of(client.get("/apply/confirmation"))
    assert "We aim to reply within 20 working days." in page
    [email] = [m for m in mails_to(app, "amina@example.org") if reference in m.subject]
    assert "We aim to reply within 20 working days." in " ".join(email.body_text.split())


def test_groups_taking_applications_come_first(app, client):
    page = text_of(client.get("/groups"))
    assert page.index("Bristol IAG") < page.index("Strategic IAG")
    assert page.index("Somerset IAG") < page.index("Strategic IAG")


def test_staff_signed_in_are_not_offered_staff_sign_in(app, client):
    assert "Staff sign in" in text_of(client.get("/"))
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert "Staff sign in" not in text_of(client.get("/"))
    assert "Staff sign in" not in text_of(client.get("/staff/"))


def test_every_staff_page_offers_sign_out_and_names_the_staff_service(app, client):
    import re

    from tests.helpers import csrf_token

    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    for url in ("/staff/", "/staff/waiting", "/staff/groups", "/staff/notifications", "/staff/dashboard"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r"<button[^>]*>Sign out</button>", html), url
        assert "IAG Membership for staff" in re.search(r"<title>(.*?)</title>", html, re.S).group(1), url
    page = client.get("/staff/groups").get_data(as_text=True)
    out = client.post("/staff/sign-out", data={"csrf_token": csrf_token(page)})
    assert out.status_code == 302 and client.get("/staff/").status_code == 302  # signed out: to sign in


def test_a_phone_number_that_cannot_be_dialled_is_refused_and_asking_for_a_call_needs_one(app, client):
    from tests.apply_journey import ANSWERS, post_page, start

    start(client)
    details = ANSWERS["your-details"]
    short = post_page(client, "/apply/page/your-details", details | {"phone": "07700 9009"})
    assert "Enter a phone number, like" in text_of(short) and short.status_code != 302
    no_number = post_page(
        client, "/apply/page/your-details", details | {"phone": "", "contact_preference": "Phone"}
    )
    assert "as you would like us to phone you" in text_of(no_number) and no_number.status_code != 302
    for fine in ("07700 900982", "0117 496 0000", "+1 202 555 0143"):
        assert post_page(client, "/apply/page/your-details", details | {"phone": fine}).status_code == 302, (
            fine
        )


def test_a_specialist_groups_confirmations_are_on_check_answers_and_the_staff_page(app, client):
    from tests.apply_journey import fill_all, start, submit
    from tests.review_journey import application_id

    assert start(client, "counter-terrorism", requirements="y", screening="yes").status_code == 302
    fill_all(client)
    check = text_of(client.get("/apply/check-answers"))
    assert "Joining the Counter Terrorism IAG" in check
    assert "Meets the group's requirements Yes" in check
    assert "Consents to limited security screening Yes" in check
    submit(client)
    [email] = [m for m in mails_to(app, "amina@example.org") if "IAG-" in m.subject]
    reference = email.subject.rsplit(" ", 1)[-1]
    staff = make_staff(app, "cara@force.example", Role.POLICE_COORDINATOR, "counter-terrorism")
    sign_in(client, staff)
    case = text_of(client.get(f"/staff/applications/{application_id(app, reference)}"))
    assert "Meets the group's requirements Yes" in case
    assert "Consents to limited security screening Yes" in case


def test_a_group_without_requirements_asks_for_no_confirmations(app, client):
    from tests.apply_journey import fill_all, start

    start(client, "bristol")
    fill_all(client)
    assert "Joining the" not in text_of(client.get("/apply/check-answers"))


def test_an_emailed_application_shows_the_answers_it_has_not_rows_of_not_answered(app, client):
    from tests.review_journey import application_id
    from webapp.db import session_scope
    from webapp.models import Source
    from webapp.services import applications, groups
    from webapp.services.actors import MAIL

    with app.app_context(), session_scope(app) as session:
        arrival = applications.Arrival(
            source=Source.EMAIL,
            name="Sam Okafor",
            email="sam@example.org",
            phone=None,
            group=groups.by_slug(session, "bristol"),
            answers={"why_join": "To be heard."},
            idempotency_key="mail:1",
        )
        reference = applications.receive(session, arrival, MAIL)[0].reference
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    case = text_of(client.get(f"/staff/applications/{application_id(app, reference)}"))
    assert "To be heard." in case and "Not answered" not in case


def test_the_signing_pages_documents_sit_under_their_section_headings(app, client):
    import re

    from tests.review_journey import sent_for_signature

    *_, link = sent_for_signature(app, client)
    html = client.get(link).get_data(as_text=True)
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1
    sections = html.split('<h2 class="govuk-heading-m">')[1:]
    assert [s.split("<")[0].strip() for s in sections] == ["Confidentiality agreement", "Terms of Reference"]
    for section in sections:
        inside = [int(n) for n in re.findall(r"<h([1-6])\b", section.split("</div>")[0])]
        assert inside and min(inside) == 3  # the document's own headings, one level below the section


def test_a_file_that_fails_the_check_is_an_error_on_the_file_not_a_panel(app, client):
    import io

    from tests.helpers import csrf_token
    from tests.webapp.test_joining import _verify

    token_page = client.get("/verify").get_data(as_text=True)
    assert "govuk-panel" not in token_page

    response = client.post(
        "/verify",
        data={"pdf": (io.BytesIO(b"%PDF-1.4 hello"), "agreement.pdf"), "csrf_token": csrf_token(token_page)},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "govuk-panel" not in html
    assert "govuk-error-summary" in html and 'class="govuk-error-message"' in html
    assert "Not a valid agreement from this service" in _verify(client, b"%PDF-1.4 hello")


def test_every_footer_links_the_accessibility_statement_which_says_how_it_was_tested(app, client):
    for url in ("/", "/groups", "/privacy", "/no-such-page"):
        assert 'href="/accessibility">Accessibility statement</a>' in client.get(url).get_data(as_text=True)
    statement = text_of(client.get("/accessibility"))
    for part in (
        "This website is run by Avon and Somerset Police.",
        "How accessible this website is",
        "StrategicIAG@avonandsomerset.police.uk",
        "We aim to reply within 20 working days.",
        "Enforcement procedure",
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA",
        "the Nu HTML Checker finds no errors",
        "320 pixels wide",
        "Preparation of this accessibility statement",
    ):
        assert part in statement, part
    sign_in(client, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert 'href="/accessibility"' in client.get("/staff/").get_data(as_text=True)


def test_the_privacy_notice_is_complete_and_agrees_with_the_agreement_on_how_long(app, client):
    from tests.review_journey import sent_for_signature

    app.config["RETENTION_MEMBER_DAYS"] = 730
    notice = text_of(client.get("/privacy"))
    for part in (
        "The Chief Constable of Avon and Somerset Police is the controller",
        "Our lawful basis",
        "Article 6(1)(e)",
        "limited security screening",
        "An unfinished application: 30 days",
        "for 2 years after you leave",
        "Information Commissioner's Office",
        "ask us to delete it",
    ):
        assert part in notice, part
    *_, link = sent_for_signature(app, client)
    assert "for as long as you are a member and for 2 years after you leave" in text_of(client.get(link))


def test_every_email_address_box_is_an_email_input_with_autocomplete(app, client):
    import re

    from tests.apply_journey import start

    def email_inputs(html: str) -> list[str]:
        return re.findall(r'<input[^>]*name="email"[^>]*>', html)

    start(client)
    pages = {
        "/my-application": "email",
        "/apply/page/your-details": "email",
        "/staff/sign-in": "username",
    }
    for url, autocomplete in pages.items():
        [box] = email_inputs(client.get(url).get_data(as_text=True))
        assert 'type="email"' in box and f'autocomplete="{autocomplete}"' in box, (url, box)
        assert 'spellcheck="false"' in box
    [box] = email_inputs(client.get("/apply/save-for-later").get_data(as_text=True))
    assert 'type="email"' in box and 'autocomplete="email"' in box


def test_the_applicants_page_shows_what_they_sent_and_offers_it_as_a_pdf(app, client):
    from tests.given import given_application
    from tests.review_journey import pdf_text, status_token

    reference = given_application(app, why_join="To be heard, and to help.")
    token = status_token(mails_to(app, "amina@example.org")[-1])
    page = text_of(client.get(f"/my-application/{token}"))
    assert "What you sent" in page and "See the answers you sent" in page
    sent = text_of(client.get(f"/my-application/{token}/what-you-sent"))
    assert "Why you want to join To be heard, and to help." in sent
    assert "Preferred contact Email" in sent and reference in sent
    pdf = client.get(f"/my-application/{token}/what-you-sent.pdf")
    assert pdf.mimetype == "application/pdf"
    assert f"what-you-sent-{reference}.pdf" in pdf.headers["Content-Disposition"]
    printed = pdf_text(pdf.data)
    assert "What you sent" in printed and "To be heard, and to help." in printed
    assert client.get("/my-application/not-a-token/what-you-sent.pdf").status_code == 404


def _decided(app, client, data: dict):
    from tests.review_journey import act, reviewed, status_token

    reference, url, coordinator, chair = reviewed(app, client)
    act(chair, f"{url}/decide", data=data)
    act(coordinator, url, f"{url}/confirm-decision")
    letter = [m for m in mails_to(app, "amina@example.org") if m.subject.startswith("Decision")][-1]
    return reference, status_token(letter)


def test_an_unsuccessful_applicant_sees_why_the_appeal_deadline_and_the_letter(app, client):
    from tests.review_journey import pdf_text

    reference, token = _decided(app, client, {"outcome": "unsuccessful", "reason": "Not this time."})
    page = text_of(client.get(f"/my-application/{token}"))
    assert "Why Not this time." in page
    assert "you can appeal until" in page and "(UK time)" in page
    letter = client.get(f"/my-application/{token}/letter.pdf")
    assert letter.mimetype == "application/pdf" and "Unsuccessful application" in pdf_text(letter.data)
    assert reference in pdf_text(letter.data)


def test_a_referred_applicant_sees_the_group_and_after_agreeing_the_new_application(app, client):
    from sqlalchemy import select

    from tests.helpers import csrf_token
    from webapp.db import session_scope
    from webapp.models import Group

    with session_scope(app) as session:
        somerset = session.scalar(select(Group.id).where(Group.slug == "somerset"))
    reference, token = _decided(
        app, client, {"outcome": "refer", "reason": "Nearer you.", "referred_group": somerset}
    )
    page = text_of(client.get(f"/my-application/{token}"))
    assert "The group we suggested: the Somerset IAG" in page
    form = client.get(f"/my-application/{token}/referral").get_data(as_text=True)
    moved = client.post(
        f"/my-application/{token}/referral",
        data={"consent": "yes", "csrf_token": csrf_token(form)},
        follow_redirects=True,
    )
    landed = text_of(moved)
    assert "We have passed your application to the Somerset IAG" in landed
    assert (
        "Your application to the Somerset IAG" in landed and reference not in landed.split("Its reference")[0]
    )
    first = text_of(client.get(f"/my-application/{token}"))
    assert "we passed your application to the Somerset IAG. Its reference is IAG-" in first


def test_after_signing_a_refresh_still_offers_the_signed_agreement_while_the_link_is_in_time(app, client):
    from datetime import timedelta

    from tests.review_journey import pdf_text, sent_for_signature
    from tests.webapp.test_joining import sign
    from webapp import clock

    *_, link = sent_for_signature(app, client)
    assert sign(client, link).status_code == 200
    again = client.get(link)
    assert again.status_code == 200 and "You have signed the agreement" in text_of(again)
    pdf = client.get(f"{link}/signed-agreement.pdf")
    assert "Signed electronically by Amina Yusuf" in pdf_text(pdf.data)
    from tests.helpers import csrf_token

    second = client.post(
        link,
        data={
            "full_name": "Amina Yusuf",
            "shown": "x",
            "csrf_token": csrf_token(client.get("/verify").get_data(as_text=True)),
        },
    )
    assert "You have signed the agreement" in text_of(second)  # a second click: no error
    with clock.travel(timedelta(days=app.config["SIGNING_DAYS"] + 1)):
        assert client.get(link).status_code == 410
        assert client.get(f"{link}/signed-agreement.pdf").status_code == 404


def test_the_groups_page_helps_find_ones_area_group(app, client):
    page = text_of(client.get("/groups"))
    assert "Which group is mine?" in page
    assert "Area groups are for where you live or work: Bristol IAG" in page and "Somerset IAG ." in page
    assert "we will suggest it and, if you agree, pass your application on" in page
    assert "#group-somerset" in client.get("/groups").get_data(as_text=True)
