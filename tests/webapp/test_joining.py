"""Joining, on both databases: the agreement sent for signature, signed once with its evidence, sealed and
checkable; links that cannot be used; a text changed between showing and signing; reminders; the register."""

from __future__ import annotations

import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import csrf_token, text_of
from tests.review_journey import (
    APPLICANT,
    act,
    mails_to,
    pdf_text,
    sent_for_signature,
    sign_link,
    staff_client,
    state_of,
)
from webapp import clock
from webapp.db import session_scope
from webapp.models import Event, Membership, SigningRequest
from webapp.workflow import Role


def sign(client, link: str, name: str = "Amina Yusuf"):
    page = client.get(link)
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', page.get_data(as_text=True)).group(1)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(link, data={"full_name": name, "shown": shown, "csrf_token": token})


def test_sign_the_agreement_and_check_the_sealed_pdf(app, client, tmp_path):
    reference, _url, _coordinator, invite, link = sent_for_signature(app, client)
    assert "Welcome to the Bristol IAG" in invite.subject
    assert [a["filename"] for a in invite.attachments] == ["terms-of-reference.pdf"]

    page = client.get(link)
    assert page.status_code == 200
    text = text_of(page)
    assert "This agreement is between Amina Yusuf" in text and "Terms of Reference" in text
    assert "I agree and sign" in text
    response = sign(client, link, "Amina  Yusuf ")
    assert response.status_code == 200 and "You have signed the agreement" in text_of(response)
    assert state_of(app, reference) == "member"

    with session_scope(app) as session:
        request = session.scalar(select(SigningRequest))
        assert request.signed_name == "Amina Yusuf"
        assert request.first_opened_at <= request.signed_at and request.email_verified_at is not None
        assert request.document_versions == "terms of reference v1; confidentiality agreement v1"
        assert request.ip_address == "127.0.0.1"
        membership = session.scalar(select(Membership))
        assert membership.role == "member" and membership.left_at is None
        evidence = session.scalar(select(Event).where(Event.action == "sign agreement"))
        assert evidence.detail["pdf_sha256"] == request.pdf_sha256
        assert evidence.detail["shown_text_sha256"] == request.shown_text_sha256

    welcome = mails_to(app, APPLICANT)[-1]
    assert welcome.subject.startswith("Welcome to the Bristol IAG: your signed agreement")
    from tests.review_journey import attachment_bytes

    pdf = attachment_bytes(app, welcome, "application/pdf")
    text = pdf_text(pdf)
    for expected in [
        "Signed electronically by Amina Yusuf",
        "Evidence of signing",
        "amina@example.org",
        reference,
        "127.0.0.1",
        "Terms of Reference, version 1; confidentiality agreement, version 1",
    ]:
        assert expected in text, expected
    saved = tmp_path / "agreement.pdf"
    saved.write_bytes(pdf)
    pdfsig = subprocess.run(["pdfsig", str(saved)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in pdfsig.stdout and "Total document signed" in pdfsig.stdout

    checked = _verify(client, pdf)
    assert "Sealed by this service and unaltered" in checked and "Amina Yusuf" in checked
    altered = bytearray(pdf)
    altered[len(altered) // 3] ^= 0x01
    assert "Not a valid agreement from this service" in _verify(client, bytes(altered))
    assert "not a PDF" in _verify(client, b"hello")

    runner = app.test_cli_runner()
    assert "Signed by Amina Yusuf" in runner.invoke(args=["verify-agreement", str(saved)]).output
    (tmp_path / "altered.pdf").write_bytes(bytes(altered))
    result = runner.invoke(args=["verify-agreement", str(tmp_path / "altered.pdf")])
    assert result.exit_code == 1


def _verify(client, data: bytes) -> str:
    token = csrf_token(client.get("/verify").get_data(as_text=True))
    response = client.post(
        "/verify",
        data={"pdf": (io.BytesIO(data), "agreement.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    return text_of(response)


def test_used_expired_replaced_and_unknown_links_are_refused_clearly(app, client):
    _reference, url, coordinator, _invite, link = sent_for_signature(app, client)
    assert "This link does not work" in text_of(client.get("/sign/not-a-real-token"))
    with clock.travel(timedelta(days=app.config["SIGNING_DAYS"] + 1)):
        expired = client.get(link)
        assert expired.status_code == 410 and "This link has expired" in text_of(expired)
    act(coordinator, url, f"{url}/resend-agreement")
    assert "This link has been replaced" in text_of(client.get(link))
    new_link = sign_link(mails_to(app, APPLICANT)[-1])
    assert new_link != link
    sign(client, new_link)
    assert "You have signed the agreement" in text_of(client.get(new_link))  # the signed PDF, again
    with clock.travel(timedelta(days=app.config["SIGNING_DAYS"] + 1)):
        assert "You have already signed the agreement" in text_of(client.get(new_link))


def test_a_text_published_after_showing_is_never_recorded_as_signed(app, client):
    reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    page = client.get(link)
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', page.get_data(as_text=True)).group(1)
    token = csrf_token(page.get_data(as_text=True))
    admin = staff_client(app, "ops@force.example", Role.ADMIN_TEAM, "bristol")
    docs = "/staff/groups/bristol/documents/agreement"
    act(admin, docs, data={"body": "<p>New terms for {name} in the {group}.</p>"})
    response = client.post(link, data={"full_name": "Amina Yusuf", "shown": shown, "csrf_token": token})
    assert response.status_code == 422
    assert "The agreement was updated after you opened this page" in text_of(response)
    assert "New terms for Amina Yusuf in the Bristol IAG." in text_of(response)  # the new text, shown now
    assert state_of(app, reference) == "agreement sent"
    sign(client, link)
    with session_scope(app) as session:
        assert session.scalar(select(SigningRequest.document_versions)).endswith(
            "confidentiality agreement v2"
        )


def test_reminders_every_five_days_until_signed(app, client):
    _reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    runner = app.test_cli_runner()

    def reminders() -> int:
        return sum(1 for m in mails_to(app, APPLICANT) if m.subject.startswith("Reminder"))

    for days, expected in [(1, 0), (4, 0), (5, 1), (6, 1), (10, 2), (12, 2)]:
        with clock.travel(timedelta(days=days)):
            runner.invoke(args=["send-reminders"])
            runner.invoke(args=["send-reminders"])  # a second run the same day sends nothing more
        assert reminders() == expected, days
    reminder = [m for m in mails_to(app, APPLICANT) if m.subject.startswith("Reminder")][-1]
    assert sign_link(reminder) == link  # the same link: both emails work
    sign(client, link)
    with clock.travel(timedelta(days=15)):
        runner.invoke(args=["send-reminders"])
    assert reminders() == 2


def test_the_register_exports_csv_without_formulas_and_members_can_leave(app, client):
    from tests.apply_journey import ANSWERS

    ANSWERS["your-details"]["full_name"], original = (
        '=HYPERLINK("http://x")',
        ANSWERS["your-details"]["full_name"],
    )
    try:
        _reference, _url, coordinator, _invite, link = sent_for_signature(app, client)
    finally:
        ANSWERS["your-details"]["full_name"] = original
    sign(client, link, '=HYPERLINK("http://x")')
    csv_text = coordinator.get("/staff/groups/bristol/members.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    with session_scope(app) as session:
        membership_id = session.scalar(select(Membership.id))
    members = "/staff/groups/bristol/members"
    act(coordinator, members, f"{members}/{membership_id}/role", {"role": "vice chair"})
    left = f"{members}/{membership_id}/left"
    no_reason = act(coordinator, left)
    assert no_reason.status_code == 422 and "Give the reason the membership ends" in text_of(no_reason)
    act(coordinator, left, data={"reason": "Moved to Scotland"})
    page = text_of(coordinator.get(members))
    assert "Left " in page and "Moved to Scotland" in page and "Vice chair" in page
    outsider = staff_client(app, "sam@force.example", Role.CHAIR, "somerset")
    assert outsider.get(members).status_code == 404
    assert outsider.get("/staff/groups/bristol/members.csv").status_code == 404


def test_meetings_reach_the_members_page_and_calendar(app, client):
    import icalendar

    from tests.review_journey import invite_data, status_token

    _reference, _url, coordinator, _invite, link = sent_for_signature(app, client)
    meetings_url = "/staff/groups/bristol/meetings"
    data = invite_data(days_ahead=20, duration="120", place="Bristol Central police station")
    assert act(coordinator, meetings_url, data=data).status_code == 302
    bad = act(coordinator, meetings_url, data=invite_data(days_ahead=-1, duration="120"))
    assert bad.status_code == 422 and "The meeting must be in the future" in text_of(bad)
    sign(client, link)
    welcome = mails_to(app, APPLICANT)[-1]
    assert "Bristol Central police station" in welcome.body_text
    token = status_token(welcome)
    page = text_of(client.get(f"/my-application/{token}"))
    assert "Bristol Central police station" in page and "Download your signed agreement" in page
    feed = icalendar.Calendar.from_ical(client.get(f"/my-application/{token}/meetings.ics").data)
    assert [str(e["LOCATION"]) for e in feed.walk("VEVENT")] == ["Bristol Central police station"]
    assert client.get(f"/my-application/{token}/agreement.pdf").data.startswith(b"%PDF")


@pytest.mark.committing
def test_a_hundred_simultaneous_signatures_make_one(app, client):
    reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    page = client.get(link)
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', page.get_data(as_text=True)).group(1)
    token = csrf_token(page.get_data(as_text=True))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])

    def post(_):
        other = app.test_client()
        other.set_cookie(cookie.key, cookie.value)
        return other.post(
            link, data={"full_name": "Amina Yusuf", "shown": shown, "csrf_token": token}
        ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(100)))
    # Whoever came after the first sees the signed agreement (200) or, mid-way, is told it is signed (409).
    assert set(statuses) <= {200, 409}, statuses
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        assert (
            session.scalar(select(func.count()).select_from(Event).where(Event.action == "sign agreement"))
            == 1
        )
        pdfs = session.execute(
            select(func.count()).select_from(SigningRequest).where(SigningRequest.pdf_sha256.is_not(None))
        ).scalar()
        assert pdfs == 1
    assert state_of(app, reference) == "member"


def test_a_forwarded_link_signed_by_someone_else_is_refused(app, client):
    reference, _url, _coordinator, _invite, link = sent_for_signature(app, client)
    response = sign(client, link, "John Smith")
    assert response.status_code == 422
    assert "The name you typed does not match the name on this agreement (Amina Yusuf)" in text_of(response)
    assert state_of(app, reference) == "agreement sent"
    assert sign(client, link, "A. YUSUF").status_code == 200  # a variant of the same name is accepted
    assert state_of(app, reference) == "member"


def test_a_link_for_a_withdrawn_application_is_refused(app, client):
    _reference, url, coordinator, _invite, link = sent_for_signature(app, client)
    act(coordinator, f"{url}/withdraw", data={"how": "Phone call"})
    refused = client.get(link)
    assert refused.status_code == 410 and "This link is no longer needed" in text_of(refused)


def test_a_meeting_is_moved_and_cancelled(app, client):
    from tests.review_journey import invite_data

    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    meetings_url = "/staff/groups/bristol/meetings"
    act(coordinator, meetings_url, data=invite_data(days_ahead=20, duration="120", place="Old hall"))
    move = re.search(
        r'href="(/staff/groups/bristol/meetings/\d+/move)"',
        coordinator.get(meetings_url).get_data(as_text=True),
    ).group(1)
    assert 'value="Old hall"' in coordinator.get(move).get_data(as_text=True) or "Old hall" in text_of(
        coordinator.get(move)
    )
    act(coordinator, move, data=invite_data(days_ahead=27, duration="90", place="New hall"))
    page = text_of(coordinator.get(meetings_url))
    assert "New hall" in page and "Old hall" not in page
    cancel = move.replace("/move", "/cancel")
    act(coordinator, meetings_url, cancel)
    assert "Cancelled" in text_of(coordinator.get(meetings_url))
    with session_scope(app) as session:
        actions = session.scalars(select(Event.action).where(Event.subject_type == "group")).all()
        assert [a for a in actions if a.startswith("meeting")] == [
            "meeting added",
            "meeting moved",
            "meeting cancelled",
        ]


def test_make_seal_certificate_makes_one_once(app, tmp_path):
    app.config.update(
        SEAL_KEY=str(tmp_path / "seal" / "key.pem"), SEAL_CERT=str(tmp_path / "seal" / "cert.pem")
    )
    runner = app.test_cli_runner()
    assert "Made a self-signed seal certificate" in runner.invoke(args=["make-seal-certificate"]).output
    assert (tmp_path / "seal" / "key.pem").stat().st_mode & 0o777 == 0o600
    assert "already exists" in runner.invoke(args=["make-seal-certificate"]).output
