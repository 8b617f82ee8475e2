"""Meetings and papers for members, on both databases: each current member is emailed an invitation with a
calendar entry (Europe/London with its VTIMEZONE; a move sends the same UID with SEQUENCE one more, a
cancellation METHOD:CANCEL), answers it, is reminded, and has their attendance recorded and counted on the
register; confidential papers are stamped with the reader's name, each download logged, for current
members of that group only."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta

import icalendar
from sqlalchemy import select

from tests.given import given_member
from tests.helpers import csrf_token, text_of
from tests.review_journey import act, attachment_bytes, invite_data, mails_to, staff_client
from tests.webapp.test_members import AMINA, signed_in_member
from webapp import clock
from webapp.db import session_scope
from webapp.models import Meeting, Member, Membership, PaperDownload, StaffUser
from webapp.services import interests, meetings, vetting
from webapp.workflow import Role

MEETINGS = "/staff/groups/bristol/meetings"


def _calendar(app, message) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(attachment_bytes(app, message, "text/calendar"))


def _remind(app) -> int:
    """The daily reminders, as `flask send-reminders` runs them."""
    with app.app_context(), session_scope(app) as session:
        return meetings.send_reminders(session)


def _meeting_id(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(Meeting.id).order_by(Meeting.id.desc()))


def test_members_are_invited_answer_are_reminded_and_their_attendance_counts(app):
    given_member(app)
    given_member(app, "somerset", "Sam Other", "sam@example.org")
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    assert act(coordinator, MEETINGS, data=invite_data(days_ahead=2, duration="120")).status_code == 302
    invitation = mails_to(app, AMINA)[-1]
    assert invitation.subject.startswith("Invitation: Bristol IAG meeting, ")
    assert (
        "Trinity Road police station" in invitation.body_text and "/members/meetings/" in invitation.body_text
    )
    # Another group's member hears nothing of it (their only email: their application's confirmation).
    assert not [m for m in mails_to(app, "sam@example.org") if "meeting" in m.subject]
    sent = _calendar(app, invitation)
    assert str(sent["METHOD"]) == "REQUEST"
    (zone,) = sent.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    (event,) = sent.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/London" and int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == f"mailto:{AMINA}"
    uid = str(event["UID"])

    member = signed_in_member(app)
    meeting_id = _meeting_id(app)
    page = member.get(f"/members/meetings/{meeting_id}")
    assert "Will you come?" in text_of(page) and "Yes, online" in text_of(page)
    token = csrf_token(page.get_data(as_text=True))
    unanswered = member.post(f"/members/meetings/{meeting_id}", data={"csrf_token": token})
    assert unanswered.status_code == 422 and "Select whether you will come" in text_of(unanswered)
    member.post(
        f"/members/meetings/{meeting_id}", data={"csrf_token": token, "answer": "online", "note": "From work"}
    )
    assert "Your answer: Yes, online" in text_of(member.get("/members/"))
    answers = text_of(coordinator.get(f"{MEETINGS}/{meeting_id}/attendance"))
    assert "Amina Yusuf: Coming online (From work)" in answers
    feed = icalendar.Calendar.from_ical(member.get(f"/members/meetings/{meeting_id}/meeting.ics").data)
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [uid] and feed.walk("VTIMEZONE")

    assert _remind(app) == 1  # two days ahead: within the three days
    assert mails_to(app, AMINA)[-1].subject.startswith("Reminder: Bristol IAG meeting, ")
    assert _remind(app) == 0  # once per meeting time

    move = f"{MEETINGS}/{meeting_id}/move"
    act(coordinator, move, data=invite_data(days_ahead=9, duration="120"))
    moved = _calendar(app, mails_to(app, AMINA)[-1])
    (event,) = moved.walk("VEVENT")
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert mails_to(app, AMINA)[-1].subject.startswith("New time: Bristol IAG meeting, ")
    act(coordinator, MEETINGS, f"{MEETINGS}/{meeting_id}/cancel")
    cancelled = _calendar(app, mails_to(app, AMINA)[-1])
    (event,) = cancelled.walk("VEVENT")
    assert str(cancelled["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2

    act(coordinator, MEETINGS, data=invite_data(days_ahead=5, duration="120"))
    held = _meeting_id(app)
    member.post(f"/members/meetings/{held}", data={"csrf_token": token, "answer": "in person"})
    before = coordinator.get(f"{MEETINGS}/{held}/attendance")
    assert "Attendance can be recorded once the meeting has started" in text_of(before)
    with session_scope(app) as session:  # the day of the meeting has come and gone (she joined last month)
        found = session.get(Meeting, held)
        found.starts_at, found.ends_at = clock.now() - timedelta(hours=3), clock.now() - timedelta(hours=1)
        for membership in session.scalars(select(Membership)):
            membership.joined_at = clock.now() - timedelta(days=30)
    form = coordinator.get(f"{MEETINGS}/{held}/attendance")
    html = form.get_data(as_text=True)
    assert 'value="present in person" checked' in html  # ticked from the answer
    membership_id = int(re.search(r'name="attendance-(\d+)"', html).group(1))
    register = "/staff/groups/bristol/members"
    assert "0 of 0 expected" in text_of(coordinator.get(register))  # a month in: none expected yet
    refused = coordinator.post(
        f"{MEETINGS}/{held}/attendance",
        data={"csrf_token": csrf_token(html), f"attendance-{membership_id}": "asleep"},
    )
    assert refused.status_code == 422 and "Choose attendance for Amina Yusuf" in text_of(refused)
    recorded = coordinator.post(
        f"{MEETINGS}/{held}/attendance",
        data={"csrf_token": csrf_token(html), f"attendance-{membership_id}": "present in person"},
    )
    assert recorded.status_code == 302
    assert "1 of 0 expected" in text_of(coordinator.get(register))
    with session_scope(app) as session:  # a year on, with no other meeting attended
        session.get(Membership, membership_id).joined_at = clock.now() - timedelta(days=400)
    page = text_of(coordinator.get(register))
    assert "1 of 4 expected Below expected" in page
    assert "Attendance recorded Present, in person" in text_of(member.get(f"/members/meetings/{held}"))


def _pdf(words: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>{words}</h1><p style='page-break-after: always'>One</p><p>Two</p>").write_pdf()


def _add_paper(coordinator, title: str, data: bytes, filename: str, confidential: str = "yes"):
    page = coordinator.get("/staff/groups/bristol/papers")
    return coordinator.post(
        "/staff/groups/bristol/papers",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "title": title,
            "confidential": confidential,
            "kind": "paper",
            "meeting_id": "",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def test_a_confidential_paper_names_its_reader_on_every_page_and_each_download_is_logged(app, tmp_path):
    given_member(app)
    given_member(app, "somerset", "Sam Other", "sam@example.org")
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    word = _add_paper(coordinator, "Briefing", b"PK\x03\x04 a word file", "briefing.docx")
    assert word.status_code == 422 and "A confidential paper must be a PDF" in text_of(word)
    fake = _add_paper(coordinator, "Briefing", b"%PDF-1.7 not really", "briefing.pdf")
    assert fake.status_code == 422 and "not a PDF that can be read" in text_of(fake)
    assert (
        _add_paper(coordinator, "Operation briefing", _pdf("Operation Hawk"), "briefing.pdf").status_code
        == 302
    )
    assert (
        _add_paper(coordinator, "Public minutes", b"PK\x03\x04 minutes", "minutes.docx", "no").status_code
        == 302
    )

    member = signed_in_member(app)
    home = text_of(member.get("/members/"))
    assert "Operation briefing Confidential" in home and "Public minutes" in home
    html = member.get("/members/").get_data(as_text=True)
    links = re.findall(r'href="/members/papers/(\d+)" download>([^<]+)<', html)
    paper_id = int(next(number for number, title in links if title == "Operation briefing"))
    copy = member.get(f"/members/papers/{paper_id}")
    assert copy.status_code == 200 and copy.headers["Cache-Control"] == "no-store"
    saved = tmp_path / "copy.pdf"
    saved.write_bytes(copy.data)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True).stdout
    stamp = f"Confidential — issued to Amina Yusuf on {clock.uk_date(clock.now())}"
    assert text.count(stamp) == 4 and "Operation Hawk" in text  # head and foot of both pages

    other = signed_in_member(app, "sam@example.org")
    assert other.get(f"/members/papers/{paper_id}").status_code == 404  # another group's member
    assert app.test_client().get(f"/members/papers/{paper_id}").status_code == 302  # not signed in
    papers_page = text_of(coordinator.get("/staff/groups/bristol/papers"))
    assert "Downloaded 1 time" in papers_page and "Amina Yusuf, " in papers_page
    with session_scope(app) as session:
        assert session.scalar(select(PaperDownload.member_id)) is not None
    public = text_of(app.test_client().get("/groups"))  # the public minutes, for anyone; the briefing, not
    assert "Published papers Public minutes" in public and "Operation briefing" not in public
    groups_page = app.test_client().get("/groups").get_data(as_text=True)
    listed = re.findall(r'href="/groups/papers/(\d+)"', groups_page)
    assert app.test_client().get(f"/groups/papers/{listed[0]}").data.startswith(b"PK")
    assert app.test_client().get(f"/groups/papers/{paper_id}").status_code == 404  # confidential
    act(coordinator, "/staff/groups/bristol/papers", f"/staff/groups/bristol/papers/{paper_id}/withdraw")
    assert member.get(f"/members/papers/{paper_id}").status_code == 404
    assert "Operation briefing" not in text_of(member.get("/members/"))


def test_a_members_own_records_are_in_their_subject_access_export_and_go_when_they_are_erased(app):
    import json
    import zipfile

    from tests.webapp.test_personal_data import _everything_in_the_database
    from webapp.services import personal_data, subject_access
    from webapp.services.actors import SYSTEM

    given_member(app)
    coordinator = staff_client(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    act(coordinator, MEETINGS, data=invite_data(days_ahead=4, duration="120"))
    _add_paper(coordinator, "Operation briefing", _pdf("Operation Hawk"), "briefing.pdf")
    member = signed_in_member(app)
    details = member.get("/members/details")
    member.post(
        "/members/details",
        data={
            "csrf_token": csrf_token(details.get_data(as_text=True)),
            "contact_preference": "Email",
            "availability": "any time",
            "skills": "Translating Tigrinya",
        },
    )
    meeting_id = _meeting_id(app)
    page = member.get(f"/members/meetings/{meeting_id}")
    member.post(
        f"/members/meetings/{meeting_id}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "answer": "online"},
    )
    paper = re.search(r"/members/papers/(\d+)", member.get("/members/").get_data(as_text=True)).group(0)
    assert member.get(paper).status_code == 200

    with app.test_request_context(), session_scope(app) as session:  # an interest and vetting recorded
        person = session.scalar(select(Member))
        interests.add(session, person, "Trustee of a youth club", date(2024, 1, 1))
        membership = session.scalar(select(Membership))
        vetting.record(
            session, membership, session.scalar(select(StaffUser)), "granted", "NPPV1", date(2025, 1, 1), None
        )
    with app.app_context(), session_scope(app) as session:
        person = personal_data.footprint(session, AMINA)
        record = json.loads(
            zipfile.ZipFile(
                io.BytesIO(subject_access.export_zip(session, personal_data.Stores.of(app), person))
            ).read("person.json")
        )
    (as_member,) = record["as_a_member"]
    assert as_member["skills"] == "Translating Tigrinya" and as_member["availability"] == "any time"
    assert [r["answer"] for r in as_member["meeting_answers_and_attendance"]] == ["online"]
    assert len(as_member["papers_downloaded"]) == 1 and as_member["sign_ins"]
    assert all("token_hash" not in row for row in as_member["sign_ins"])
    assert [r["what"] for r in as_member["interests"]] == ["Trustee of a youth club"]
    assert [r["level"] for r in as_member["vetting"]] == ["NPPV1"]

    with app.app_context(), session_scope(app) as session:
        personal_data.erase(session, personal_data.footprint(session, AMINA), SYSTEM)
    everything = _everything_in_the_database(app)
    assert "Translating Tigrinya" not in everything and AMINA not in everything and "Amina" not in everything
    assert "Trustee of a youth club" not in everything and "NPPV1" not in everything
    with session_scope(app) as session:
        download = session.scalar(select(PaperDownload))
        assert download is not None and download.member_id is None  # the paper went out; not to whom
