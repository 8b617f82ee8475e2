"""Cymraeg (issue 18, first part): a deployment that offers Welsh has every public page of the application
journey in Welsh, chosen by `?lang=cy`, kept for the visit, or asked for by the browser; the language
switch leads to the same page in the other language; a deployment without Welsh is unchanged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.apply_journey import ANSWERS
from tests.conftest import GWENT
from tests.helpers import csrf_token, make_staff, sign_in, text_of
from webapp.db import session_scope
from webapp.deployment import DeploymentError, load, sync_groups
from webapp.models import Application, OutboxMessage
from webapp.workflow import Role


def welsh_application(app, **answers: str) -> str:
    """A web application to the Gwent IAG by someone who chose Welsh (the journey is tested above)."""
    from tests.given import given_application

    reference = given_application(app, "gwent", **answers)
    with session_scope(app) as session:
        session.scalar(
            select(Application).where(Application.reference == reference)
        ).applicant.language = "cy"
    return reference


def _lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_without_welsh_nothing_changes(app, client):
    home = client.get("/", headers={"Accept-Language": "cy"})
    assert _lang(home) == "en" and "Cymraeg" not in text_of(home)
    assert _lang(client.get("/groups?lang=cy")) == "en"
    assert "Join an Independent Advisory Group" in text_of(client.get("/?lang=cy"))


def test_welsh_is_chosen_by_link_kept_for_the_visit_and_asked_for_by_the_browser(gwent):
    client = gwent.test_client()
    english = client.get("/")
    assert _lang(english) == "en" and 'href="/?lang=cy" hreflang="cy" lang="cy"' in english.get_data(
        as_text=True
    )
    welsh = client.get("/?lang=cy")
    assert _lang(welsh) == "cy"
    page = text_of(welsh)
    assert "Ymuno â Grŵp Cynghori Annibynnol" in page and "Heddlu Gwent" in page
    assert "Mae Grŵp Cynghori Annibynnol (IAG) Heddlu Gwent yn cynnwys pobl" in page  # the force's own Welsh
    assert "Neidio i’r prif gynnwys" in page and "Datganiad hygyrchedd" in page
    assert 'href="/?lang=en" hreflang="en" lang="en"' in welsh.get_data(as_text=True)
    assert _lang(client.get("/groups")) == "cy"  # kept for the visit
    assert "Grŵp Cynghori Annibynnol Heddlu Gwent" in text_of(client.get("/groups"))
    assert _lang(client.get("/staff/sign-in")) == "en"  # the staff interface stays in English
    browser = gwent.test_client()
    assert _lang(browser.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})) == "cy"
    assert _lang(gwent.test_client().get("/", headers={"Accept-Language": "en-GB"})) == "en"


def test_the_whole_application_journey_in_welsh(gwent):
    client = gwent.test_client()
    start = client.get("/apply/gwent?lang=cy")
    assert "Gwneud cais i ymuno" in text_of(start) and "Dechrau nawr" in text_of(start)
    assert "Pa iaith y dylem ei defnyddio wrth gysylltu â chi?" in text_of(start)
    assert re.search(r'value="cy" checked', start.get_data(as_text=True))  # preselected: the page's language
    client.post("/apply/gwent", data={"csrf_token": csrf_token(start.get_data(as_text=True))})
    first = client.get("/apply/page/your-details")
    assert "Eich manylion" in text_of(first) and "Cadw a pharhau" in text_of(first)
    refused = client.post(
        "/apply/page/your-details",
        data={"action": "continue", "csrf_token": csrf_token(first.get_data(as_text=True))},
    )
    shown = text_of(refused)
    assert shown.startswith("Gwall:")
    assert "Mae problem wedi codi" in shown and "Rhowch eich enw llawn" in shown
    assert "Dewiswch sut yr hoffech i ni gysylltu â chi" in shown
    for slug, answers in ANSWERS.items():
        page = client.get(f"/apply/page/{slug}")
        sent = client.post(
            f"/apply/page/{slug}",
            data={**answers, "action": "continue", "csrf_token": csrf_token(page.get_data(as_text=True))},
        )
        assert sent.status_code == 302, (slug, text_of(sent)[:300])
    why = text_of(client.get("/apply/page/why-join"))
    assert "Pam yr hoffech ymuno â Grŵp Cynghori Annibynnol Heddlu Gwent?" in why  # the force's Welsh
    assert "Gallwch roi hyd at 3000 nod" in why  # GOV.UK's character count, in Welsh
    check = client.get("/apply/check-answers")
    shown = text_of(check)
    assert "Gwirio eich atebion cyn anfon eich cais" in shown and "Newid" in shown
    assert "Dull cysylltu a ffefrir E-bost" in shown and "Yn gallu rhoi’r amser Ie" in shown
    assert "Cytuno a chyflwyno" in shown
    done = client.post("/apply/submit", data={"csrf_token": csrf_token(check.get_data(as_text=True))})
    confirmation = text_of(client.get(done.headers["Location"]))
    assert "Cais wedi’i anfon" in confirmation and "Eich cyfeirnod" in confirmation
    assert "Rydym yn anelu at ateb o fewn 20 diwrnod gwaith." in confirmation
    with session_scope(gwent) as session:
        application = session.scalar(select(Application).order_by(Application.id.desc()))
        assert application.applicant.language == "cy" and application.applicant.language_chosen_at
        [email] = session.scalars(select(OutboxMessage).where(OutboxMessage.application_id == application.id))
        assert email.subject == f"Cais wedi’i dderbyn: {application.reference}"
        body = " ".join(email.body_text.split())
        assert "Helo Amina Yusuf," in body and "Diolch am wneud cais i ymuno â Grŵp Cynghori" in body
        assert "20 diwrnod gwaith" in body and body.endswith("Heddlu Gwent")
        reference, application_id = application.reference, application.id
        own_page = re.search(r"http://[^/\s]+(/my-application/[^\s]+)", email.body_text).group(1)
    mine = text_of(gwent.test_client().get(own_page))  # the link in the Welsh email opens the page in Welsh
    assert (
        "Rydym wedi derbyn eich cais." in mine and "Eich cais i Grŵp Cynghori Annibynnol Heddlu Gwent" in mine
    )
    assert "Tynnu fy nghais yn ôl" in mine and "Gweld yr atebion a anfonoch" in mine
    staff = gwent.test_client()
    sign_in(staff, make_staff(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent"))
    case = text_of(staff.get(f"/staff/applications/{application_id}"))
    assert "Language Welsh (Cymraeg): everything sent to them is in it" in case and reference in case


def test_with_welsh_on_a_missing_welsh_text_stops_loading_and_says_which(tmp_path):
    text = GWENT.read_text(encoding="utf-8").replace(
        'expenses = "Gwirfoddolwyr', 'expenses_old = "Gwirfoddolwyr'
    )
    path = tmp_path / "deployment.toml"
    path.write_text(text.replace('summary_cy = "Grŵp', 'summary_old = "Grŵp'), encoding="utf-8")
    with pytest.raises(DeploymentError) as stopped:
        load(path)
    assert "Welsh is on, so these need their Welsh" in str(stopped.value)
    assert "[texts_cy] expenses" in str(stopped.value) and "group 1 (gwent) summary_cy" in str(stopped.value)
    assert load(GWENT).languages == ("en", "cy")


def test_mail_written_in_welsh_is_answered_in_welsh_and_sets_the_persons_language(second_app, imap):
    from tests.conftest import imap_config
    from tests.mail_ingest import mailgen
    from tests.mail_ingest.test_poller import poll

    app = second_app(GWENT, **imap_config(imap))
    with session_scope(app) as session:
        sync_groups(session, app.extensions["deployment"])
    welsh = "Helo, hoffwn ymuno â Grŵp Cynghori Annibynnol Heddlu Gwent. Rwy’n byw yn y Fenni. Diolch, Siân"
    mailgen.append(
        imap,
        [
            mailgen.plain("Cais", welsh, sender="Siân Davies <sian@example.org>"),
            mailgen.plain(
                "Ymholiad", "Helo, ble mae’r cyfarfodydd? Diolch yn fawr, Gareth", sender="g@example.org"
            ),
            mailgen.plain(
                "Meetings", "Hello, where are the meetings held? Thanks, Gary", sender="gary@example.org"
            ),
        ],
    )
    poll(app)
    with session_scope(app) as session:
        application = session.scalar(select(Application).order_by(Application.id.desc()))
        assert application.applicant.email == "sian@example.org" and application.applicant.language == "cy"
        sent = {m.to_address: m for m in session.scalars(select(OutboxMessage))}
        ack = sent["sian@example.org"]
        assert ack.subject == f"Rydym wedi derbyn eich cais: {application.reference}"
        assert "Diolch am eich e-bost. Rydym wedi derbyn eich cais" in ack.body_text
        assert sent["g@example.org"].subject == "Rydym wedi derbyn eich e-bost"
        assert "Grwpiau Cynghori Annibynnol Heddlu Gwent" in sent["g@example.org"].body_text
        assert sent["gary@example.org"].subject == "We have received your email"  # English stays English


def test_the_dashboard_shows_how_soon_people_are_answered_in_each_language(gwent):
    from datetime import timedelta

    from tests.given import given_application
    from webapp import clock
    from webapp.services import events, staff
    from webapp.services.actors import staff as actor

    welsh, english = (
        given_application(gwent, "gwent"),
        given_application(gwent, "gwent", email="e@example.org"),
    )
    login = make_staff(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    with session_scope(gwent) as session:
        user = staff.find_by_email(session, login.email)
        for reference, language, days in ((welsh, "cy", 4), (english, "en", 2)):
            application = session.scalar(select(Application).where(Application.reference == reference))
            application.applicant.language = language
            with clock.travel(timedelta(days=days)):
                events.record(session, actor(user), "wrote to the applicant", application)
    client = gwent.test_client()
    sign_in(client, login)
    page = text_of(client.get("/staff/dashboard"))
    assert "How soon people are answered, by their language" in page
    assert "Welsh 1 4.0 (1 answered) None decided yet" in page
    assert "English 1 2.0 (1 answered) None decided yet" in page


def test_error_forms_and_verify_pages_in_welsh(gwent):
    client = gwent.test_client()
    missing = client.get("/no-such-page?lang=cy")
    assert missing.status_code == 404 and _lang(missing) == "cy"
    assert "Heb ddod o hyd i’r dudalen" in text_of(missing)
    assert "Gwirio cytundeb wedi’i lofnodi" in text_of(client.get("/verify"))
    assert "Ffurflen gais (PDF)" in text_of(client.get("/forms"))
    refused = text_of(client.get("/sign/not-a-real-token"))
    assert "Nid yw’r ddolen hon yn gweithio" in refused and "Cwestiynau?" in refused


def test_a_welsh_applicants_decision_letter_lost_link_and_withdrawal_are_in_welsh(gwent):
    from tests.review_journey import act, application_id, attachment_bytes, pdf_text, staff_client

    reference = welsh_application(gwent)
    url = f"/staff/applications/{application_id(gwent, reference)}"
    coordinator = staff_client(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    chair = staff_client(gwent, "dele@gwent.example", Role.CHAIR, "gwent")
    act(coordinator, url, f"{url}/start-review")
    act(chair, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Nid y tro hwn."})
    assert "mae’n ddrwg gennym nad yw wedi bod yn llwyddiannus" in text_of(coordinator.get(url))  # previewed
    act(coordinator, url, f"{url}/confirm-decision")

    def sent(subject_start: str) -> OutboxMessage:
        with session_scope(gwent) as session:
            found = session.scalars(
                select(OutboxMessage).where(OutboxMessage.to_address == "amina@example.org")
            )
            return next(m for m in found if m.subject.startswith(subject_start))

    letter = sent("Penderfyniad ar eich cais")
    body = " ".join(letter.body_text.split())
    assert "mae’n ddrwg gennym nad yw wedi bod yn llwyddiannus" in body
    assert re.search(r"tan Dydd \w+ \d+ \w+ \d{4} am \d+:\d\d[ap]m \(amser y DU\)", body)  # a Welsh date
    printed = pdf_text(attachment_bytes(gwent, letter, "application/pdf"))
    assert "Nid y tro hwn." in printed and "rhowch eich cyfeiriad e-bost yno" in printed
    assert "Cais aflwyddiannus" in printed and f"Cyfeirnod: {reference}" in printed  # heading and label
    from io import BytesIO

    from pypdf import PdfReader

    assert (
        PdfReader(BytesIO(attachment_bytes(gwent, letter, "application/pdf"))).trailer["/Root"]["/Lang"]
        == "cy"
    )
    private = re.search(r"/my-application/([A-Za-z0-9_-]+)", letter.body_text).group(1)
    assert private not in printed  # the letter says where to ask for a link, in Welsh, not the link
    client = gwent.test_client()
    form = client.get("/my-application")
    token = csrf_token(form.get_data(as_text=True))
    client.post("/my-application", data={"email": "amina@example.org", "csrf_token": token})
    assert "Dyma ddolen i’r dudalen ar gyfer eich cais" in sent(f"Eich cais {reference}").body_text


def test_staff_filter_the_inbox_by_the_persons_language(gwent, app):
    from tests.given import given_application

    welsh, english = (
        welsh_application(gwent),
        given_application(gwent, "gwent", email="e@example.org"),
    )
    client = gwent.test_client()
    sign_in(client, make_staff(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent"))
    assert 'id="language"' in client.get("/staff/").get_data(as_text=True)
    in_welsh = text_of(client.get("/staff/?language=cy"))
    assert welsh in in_welsh and english not in in_welsh
    in_english = text_of(client.get("/staff/?language=en"))
    assert english in in_english and welsh not in in_english
    avon = app.test_client()
    sign_in(avon, make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol"))
    assert 'id="language"' not in avon.get("/staff/").get_data(as_text=True)  # English only: no filter


def test_the_welsh_pdf_form_prints_in_welsh_and_reads_back_like_the_english_one(gwent, tmp_path):
    from io import BytesIO

    from pypdf import PdfReader

    from tests.review_journey import pdf_text
    from tests.webapp.test_pdf_forms import _fill
    from webapp.pdf.forms import read_form

    client = gwent.test_client()
    welsh = client.get("/forms/application-form.pdf?lang=cy").data
    english = client.get("/forms/application-form.pdf?lang=en").data
    assert PdfReader(BytesIO(welsh)).trailer["/Root"]["/Lang"] == "cy"
    printed = pdf_text(welsh)
    assert (
        "Cais i ymuno â Grŵp Cynghori Annibynnol" in printed
        and "Grŵp Cynghori Annibynnol Heddlu Gwent" in printed
    )
    assert "Pam yr hoffech ymuno â Grŵp Cynghori Annibynnol Heddlu Gwent?" in printed  # the force's own Welsh
    assert set(PdfReader(BytesIO(welsh)).get_fields()) == set(PdfReader(BytesIO(english)).get_fields())
    answers = {"full_name": "Siân Davies", "email": "sian@example.org", "contact_preference": "Email"}
    pages = gwent.extensions["deployment"].application_pages
    for pdf in (welsh, english):
        form = read_form(_fill(pdf, {**answers, "group": "Gwent Police IAG", "declaration": "/on"}), pages)
        assert form.kind == "application" and form.group_name == "Gwent Police IAG" and form.declaration
        assert form.answers == answers


def test_every_email_an_applicant_can_get_has_its_welsh_with_the_same_details(app):
    from jinja2 import meta

    from webapp.services.wording import CATALOGUE

    env = app.jinja_env

    def details(path: str) -> set[str]:
        return meta.find_undeclared_variables(env.parse(env.loader.get_source(env, path)[0]))

    for email in CATALOGUE:
        if email.name.startswith("staff_"):
            continue  # staff emails are English
        english = details(f"email/{email.name}.txt") - {"group"}  # the group's name: group_name in Welsh
        assert details(f"email/cy/{email.name}.txt") - {"group_name", "group"} == english, email.name


def test_the_privacy_notice_and_accessibility_statement_in_welsh(gwent):
    client = gwent.test_client()
    notice = text_of(client.get("/privacy?lang=cy"))
    assert "Hysbysiad preifatrwydd" in notice and "Ein sail gyfreithlon" in notice
    assert "Cais anorffenedig: 30 diwrnod" in notice and "am 12 mis ar ôl i chi adael" in notice
    statement = text_of(client.get("/accessibility"))
    assert "Datganiad hygyrchedd ar gyfer gwasanaeth Aelodaeth IAG Heddlu Gwent" in statement
    assert "Paratowyd y datganiad hwn ar 1 Rhagfyr 2026" in statement  # the force's own Welsh


def test_switching_language_carries_even_a_long_answer_without_overflowing_the_cookie(gwent):
    from tests.apply_journey import post_page, start

    client = gwent.test_client()
    start(client, "gwent")
    post_page(client, "/apply/page/your-details", ANSWERS["your-details"])
    page = client.get("/apply/page/why-join")
    long_answer = "Rwyf am i bobl ifanc gael eu clywed. " * 75  # about 2,800 characters, not yet sent
    switched = client.post(
        "/apply/page/why-join?lang=cy",
        data={
            "why_join": long_answer,
            "switch_language": "cy",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert switched.status_code == 302
    assert len(switched.headers.get("Set-Cookie", "")) < 4000  # kept with the draft, not in the cookie
    shown = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert long_answer.strip() in shown and 'lang="cy"' in shown
    again = client.get("/apply/page/why-join").get_data(as_text=True)
    assert long_answer.strip() not in again  # shown once: it was never an answer


def test_a_welsh_applicants_discussion_invitation_and_its_calendar_entry_are_in_welsh(gwent):
    import icalendar

    from tests.review_journey import act, application_id, attachment_bytes, invite_data, staff_client

    reference = welsh_application(gwent)
    url = f"/staff/applications/{application_id(gwent, reference)}"
    coordinator = staff_client(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    act(coordinator, url, f"{url}/start-review")
    act(coordinator, f"{url}/invite", data=invite_data())
    with session_scope(gwent) as session:
        invitation = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.startswith("Gwahoddiad i sgwrs anffurfiol"))
        ).one()
        body = " ".join(invitation.body_text.split())
        assert "Hoffem gwrdd â chi am sgwrs anffurfiol" in body and re.search(r"Pryd: Dydd \w+", body)
        event = next(
            iter(
                icalendar.Calendar.from_ical(attachment_bytes(gwent, invitation, "text/calendar")).walk(
                    "VEVENT"
                )
            )
        )
    assert str(event["SUMMARY"]) == "Sgwrs anffurfiol: Grŵp Cynghori Annibynnol Heddlu Gwent"
    assert str(event["DESCRIPTION"]).startswith(f"Eich cais {reference}.")


def test_staff_start_a_welsh_applicants_reply_from_the_standard_welsh(gwent):
    from tests.review_journey import application_id, staff_client

    reference = welsh_application(gwent)
    coordinator = staff_client(gwent, "priya@gwent.example", Role.POLICE_COORDINATOR, "gwent")
    url = f"/staff/applications/{application_id(gwent, reference)}/write?standard=reply_call_back"
    page = text_of(coordinator.get(url))
    assert "Hoffem siarad â chi dros y ffôn." in page and "Heddlu Gwent" in page
