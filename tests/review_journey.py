"""Steps of a review as staff and applicants take them through the web pages, shared by the review tests."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from tests.given import given_application
from tests.helpers import csrf_token, make_staff, sign_in
from webapp.clock import UK, now
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import Application, Discussion, OutboxMessage
from webapp.workflow import Role


def application_id(app, reference: str) -> int:
    with session_scope(app) as session:
        return session.scalar(select(Application.id).where(Application.reference == reference))


def state_of(app, reference: str) -> str:
    with session_scope(app) as session:
        return session.scalar(select(Application.state).where(Application.reference == reference))


def staff_client(app, email: str, role: Role, group: str | None):
    """A client signed in as a new staff member; `client.login` has their details (and codes, for the steps
    that ask for one again)."""
    client = app.test_client()
    client.login = make_staff(app, email, role, group)
    sign_in(client, client.login)
    return client


def act(client, page_url: str, post_url: str | None = None, data: dict | None = None):
    """Open `page_url`, then post its form (or `post_url`) with the page's CSRF token."""
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(post_url or page_url, data={**(data or {}), "csrf_token": token})


def invite_data(days_ahead: int = 10, **changes) -> dict:
    day = (now() + timedelta(days=days_ahead)).astimezone(UK)
    data = {
        "date": [str(day.day), str(day.month), str(day.year)],
        "start": "6:30pm",
        "duration": "60",
        "place": "Trinity Road police station, Bristol",
        "online_link": "https://teams.example/meet/123",
    }
    return data | changes


def mails_to(app, address: str) -> list[OutboxMessage]:
    with session_scope(app) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
        ).all()
        session.expunge_all()
        return list(rows)


def attachment_bytes(app, message: OutboxMessage, content_type: str) -> bytes:
    spec = next(a for a in message.attachments if a["content_type"] == content_type)
    return file_store(app).read(spec["storage_name"])


def status_token(message: OutboxMessage) -> str:
    match = re.search(r"/my-application/([A-Za-z0-9_-]+)", message.body_text)
    assert match, "no link to the applicant's page in the email"
    return match.group(1)


APPLICANT = "amina@example.org"  # the email address in tests.apply_journey.ANSWERS


def reviewed(app, client):
    """An application to Bristol in review, and its Police Coordinator and Chair signed in."""
    reference = given_application(app)
    url = f"/staff/applications/{application_id(app, reference)}"
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    chair = staff_client(app, "dele@force.example", Role.CHAIR, "bristol")
    act(coordinator, url, f"{url}/start-review")
    assert state_of(app, reference) == "in review"
    return reference, url, coordinator, chair


def offered(app, client):
    """An application offered a place (the Chair proposed, the Coordinator agreed), and the Coordinator."""
    reference, url, coordinator, chair = reviewed(app, client)
    act(chair, f"{url}/decide", data={"outcome": "offer", "reason": "Welcome."})
    act(coordinator, url, f"{url}/confirm-decision")
    assert state_of(app, reference) == "offered"
    return reference, url, coordinator


def appealed(app, client):
    """An application turned down (the Police Coordinator proposed, the Chair agreed) and appealed by the
    applicant from their page: (reference, url, coordinator, chair)."""
    reference, url, coordinator, chair = reviewed(app, client)
    act(coordinator, f"{url}/decide", data={"outcome": "unsuccessful", "reason": "Not this time."})
    act(chair, url, f"{url}/confirm-decision")
    token = status_token(mails_to(app, APPLICANT)[-1])
    act(client, f"/my-application/{token}/appeal", data={"reasons": "I can do evenings now."})
    assert state_of(app, reference) == "appeal lodged"
    return reference, url, coordinator, chair


def sign_link(message: OutboxMessage) -> str:
    return re.search(r"https?://[^/\s]+(/sign/[A-Za-z0-9_-]+)", message.body_text).group(1)


def sent_for_signature(app, client):
    """An offer sent for signature: (reference, url, coordinator, the email, the link to sign)."""
    reference, url, coordinator = offered(app, client)
    act(coordinator, url, f"{url}/send-agreement")
    assert state_of(app, reference) == "agreement sent"
    invite = mails_to(app, APPLICANT)[-1]
    return reference, url, coordinator, invite, sign_link(invite)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def discussion_took_place(app, reference: str) -> None:
    """The booked discussion's time has come (its start moved an hour into the past): the day of the
    discussion, arranged, as the journey to it is not what the test is about."""
    with session_scope(app) as session:
        application = session.scalar(select(Application).where(Application.reference == reference))
        discussion = session.scalar(
            select(Discussion)
            .where(Discussion.application_id == application.id)
            .order_by(Discussion.id.desc())
        )
        discussion.starts_at = now() - timedelta(hours=1)
