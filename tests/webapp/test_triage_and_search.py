"""Triage of email the poller could not place, and search, on both databases: the admin team files every
email somewhere without deleting any, and search finds applications by name, reference and email words,
never beyond what the searcher may see."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.given import given_application
from tests.helpers import text_of
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import blank_form, poll
from tests.review_journey import act, application_id, staff_client
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import Application, Attachment, EmailKind, Event, Group, InboundEmail, OutboxMessage
from webapp.workflow import Role


def _email_id(app, subject: str) -> int:
    with session_scope(app) as session:
        return session.scalar(select(InboundEmail.id).where(InboundEmail.subject == subject))


def _group_id(app, slug: str) -> int:
    with session_scope(app) as session:
        return session.scalar(select(Group.id).where(Group.slug == slug))


def test_the_admin_team_marks_emails_not_an_application_and_nothing_is_deleted(mail_app, imap):
    mailgen.append(
        imap,
        [
            mailgen.plain("Parking at headquarters", "Where can I park on Tuesday?"),
            mailgen.plain("Newsletter", "Our community newsletter for November."),
        ],
    )
    poll(mail_app)
    admin = staff_client(mail_app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    chair = staff_client(mail_app, "dele@force.example", Role.CHAIR, "bristol")
    page = text_of(admin.get("/staff/triage"))
    assert "Parking at headquarters" in page and "Newsletter" in page and "Needs triage (2)" in page
    assert chair.get("/staff/triage").status_code == 404  # chairs and coordinators do not triage
    assert chair.get(f"/staff/emails/{_email_id(mail_app, 'Newsletter')}").status_code == 404

    ids = [_email_id(mail_app, "Parking at headquarters"), _email_id(mail_app, "Newsletter")]
    refused = act(admin, "/staff/triage", "/staff/triage/not-applications", {"email_id": ids, "reason": ""})
    assert refused.status_code == 302
    assert "Say why" in text_of(admin.get("/staff/triage"))
    act(
        admin,
        "/staff/triage",
        "/staff/triage/not-applications",
        {"email_id": ids, "reason": "Not about IAGs"},
    )
    page = text_of(admin.get("/staff/triage"))
    assert "Marked 2 emails as not an application" in page and "Needs triage (0)" in page
    assert "Parking at headquarters" in text_of(admin.get("/staff/triage?tab=not+an+application"))
    with session_scope(mail_app) as session:
        assert session.scalar(select(func.count()).select_from(InboundEmail)) == 2
        marked = session.scalars(select(Event).where(Event.action == "marked not an application")).all()
        assert sorted(e.subject_id for e in marked) == sorted(ids)


def test_an_application_is_made_from_an_email_with_its_files(mail_app, imap):
    raw = mailgen.with_attachment(
        "Hello from Bath", "notes.txt", b"My notes", "text/plain", sender="Jo Bloggs <jo@example.org>"
    )
    mailgen.append(imap, [raw])
    poll(mail_app)
    admin = staff_client(mail_app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    email_url = f"/staff/emails/{_email_id(mail_app, 'Hello from Bath')}"
    refused = act(admin, email_url, f"{email_url}/create-application", {"group": ""})
    assert refused.status_code == 422 and "Choose the group" in text_of(refused)
    strategic = _group_id(mail_app, "strategic")
    closed = act(admin, email_url, f"{email_url}/create-application", {"group": strategic})
    assert "not taking applications" in text_of(closed)
    made = act(admin, email_url, f"{email_url}/create-application", {"group": _group_id(mail_app, "bristol")})
    assert made.status_code == 302
    page = text_of(admin.get(made.headers["Location"]))
    assert "Jo Bloggs" in page and "notes.txt" in page and "Hello from Bath" in page
    with session_scope(mail_app) as session:
        application = session.scalar(select(Application))
        assert application.source == "email" and application.state == "submitted"
        assert session.scalar(select(InboundEmail.application_id)) == application.id
        # Jo wrote a plain email and was told it had arrived; now the application is made, Jo learns its
        # reference.
        [enquiry, ack] = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == "jo@example.org")
            .order_by(OutboxMessage.id)
        )
        assert enquiry.subject == "We have received your email" and "IAG-" not in enquiry.body_text
        assert ack.subject == f"We have received your application: {application.reference}"
        assert "/my-application/" in ack.body_text


def test_a_returned_form_pre_fills_the_application_made_in_triage(app, client):
    """An email whose attached form was not read at ingest (e.g. kept for triage) still gives its answers."""
    form = mailgen.filled_form(
        blank_form(client),
        {"full_name": "Rhiannon Evans", "email": "rhiannon@example.org", "why_join": "For rural voices."},
    )
    digest = file_store(app).put(form)
    with session_scope(app) as session:
        email = InboundEmail(
            mailbox="INBOX", subject="Form", from_address="rhi@example.net", kind=EmailKind.NEEDS_TRIAGE
        )
        session.add(email)
        session.flush()
        session.add(
            Attachment(
                email_id=email.id,
                filename="application.pdf",
                storage_name=digest,
                content_type="application/pdf",
                size=len(form),
                sha256=digest,
            )
        )
        email_id = email.id
    admin = staff_client(app, "ops@force.example", Role.ADMIN_TEAM, "somerset")
    url = f"/staff/emails/{email_id}"
    assert "its answers (from Rhiannon Evans) will be filled in" in text_of(admin.get(url))
    act(admin, url, f"{url}/create-application", {"group": _group_id(app, "somerset")})
    with session_scope(app) as session:
        application = session.scalar(select(Application))
        assert application.answers["why_join"] == "For rural voices."
        assert application.applicant.email == "rhiannon@example.org"


def test_an_email_is_attached_to_an_application_by_its_reference(mail_app, imap):
    reference = given_application(mail_app)
    mailgen.append(
        imap, [mailgen.plain("Quick question", "Is there parking?", sender="Amina <amina@example.org>")]
    )
    poll(mail_app)
    admin = staff_client(mail_app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    url = f"/staff/emails/{_email_id(mail_app, 'Quick question')}"
    wrong = act(admin, url, f"{url}/attach", {"reference": "IAG-2222-2222"})
    assert wrong.status_code == 422 and "There is no application IAG-2222-2222 that you can see" in text_of(
        wrong
    )
    act(admin, url, f"{url}/attach", {"reference": reference.lower()})
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = text_of(coordinator.get(f"/staff/applications/{application_id(mail_app, reference)}"))
    assert "Quick question" in page and "Is there parking?" in page and "Email attached" in page


def test_an_application_of_no_known_group_is_given_one_then_reaches_the_group(mail_app, client, imap):
    form = mailgen.filled_form(blank_form(client), {"full_name": "Kit Marlow", "email": "kit@example.org"})
    mailgen.append(
        imap, [mailgen.with_attachment("My form", "form.pdf", form, sender="Kit <kit@example.org>")]
    )
    poll(mail_app)
    admin = staff_client(mail_app, "ops@force.example", Role.ADMIN_TEAM, "somerset")
    chair = staff_client(mail_app, "sam@force.example", Role.CHAIR, "bristol")
    assert "Kit Marlow" in text_of(admin.get("/staff/?group=none"))
    assert "Kit Marlow" not in text_of(chair.get("/staff/"))
    with session_scope(mail_app) as session:
        url = f"/staff/applications/{session.scalar(select(Application.id))}"
    act(admin, url, f"{url}/group", {"group": _group_id(mail_app, "bristol")})
    assert "Kit Marlow" in text_of(chair.get("/staff/"))
    assert "Group set" in text_of(chair.get(url))


def test_search_finds_by_name_reference_and_email_words_within_what_the_user_may_see(mail_app, client, imap):
    reference = given_application(mail_app)
    mailgen.append(
        imap,
        [
            mailgen.plain(
                f"Re: your application {reference}",
                "I will be away during the carnival fortnight.",
                sender="Amina <amina@example.org>",
            )
        ],
    )
    poll(mail_app)
    coordinator = staff_client(mail_app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    other = staff_client(mail_app, "sam@force.example", Role.CHAIR, "somerset")
    for query in [
        "amina",
        "Yusuf",
        "AMINA YUSUF",
        reference,
        reference.replace("-", " ").lower(),
        "carnival",
        "fortnight away",
    ]:
        page = text_of(coordinator.get("/staff/", query_string={"q": query}))
        assert reference in page, query
        assert reference not in text_of(other.get("/staff/", query_string={"q": query})), query
    for query in ["zebra", "carnival zebra", '"; DROP TABLE applications; --', "NEAR(", "*", "IAG-9999-9999"]:
        page = coordinator.get("/staff/", query_string={"q": query})
        assert page.status_code == 200 and reference not in text_of(page), query


def test_a_search_matching_too_much_says_so_and_asks_for_more_words(app, monkeypatch):
    for _ in range(3):
        given_application(app)  # three applications from Amina Yusuf
    monkeypatch.setattr("webapp.services.search.CAP", 2)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    page = text_of(coordinator.get("/staff/", query_string={"q": "amina"}))
    assert "only the first 2 of them were searched. Add more words" in page
    assert "only the first" not in text_of(coordinator.get("/staff/", query_string={"q": "zebra"}))


def test_filing_an_email_for_a_group_one_does_not_serve_says_it_is_done(app, client, caplog):
    with session_scope(app) as session:
        email = InboundEmail(
            mailbox="INBOX",
            subject="I live in Taunton",
            text_body="I would like to join.",
            from_address="sam@example.org",
            kind=EmailKind.NEEDS_TRIAGE,
        )
        session.add(email)
        session.flush()
        email_id = email.id
    admin = staff_client(app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    url = f"/staff/emails/{email_id}"
    caplog.clear()
    done = act(admin, url, f"{url}/create-application", {"group": _group_id(app, "somerset")})
    page = text_of(done)
    assert done.status_code == 200 and "made from the email" in page
    assert "The Somerset IAG has it now" in page and "Back to triage" in page
    assert "access denied" not in caplog.text
    with session_scope(app) as session:
        made = session.scalar(select(Application).where(Application.group_id == _group_id(app, "somerset")))
        assert made is not None and made.reference in page
