"""Subject access, erasure and retention: everything about one person and nothing about anyone else; an
erasure that leaves no trace of them (in any table or stored file) but the fact that it happened; and a
retention run with time moved forward that removes exactly what is due."""

from __future__ import annotations

import io
import json
import mailbox
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from tests.helpers import csrf_token
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import poll
from tests.review_journey import APPLICANT, offered, staff_client
from webapp import clock, outgoing
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import (
    Applicant,
    Application,
    Attachment,
    Draft,
    EqualityResponse,
    EqualityTally,
    Event,
    Group,
    InboundEmail,
    Membership,
    OutboxMessage,
    Source,
)
from webapp.services import equality_report, events
from webapp.workflow import Role

BEN = "ben.okafor@example.net"


def _two_people(app, client):
    """Amina applied on the web and was offered a place, then emailed a CV; Ben applied by email."""
    reference, _url, _coordinator = offered(app, client)
    with session_scope(app) as session:
        application = session.scalar(select(Application).where(Application.reference == reference))
        session.add(
            EqualityResponse(application_id=application.id, group_id=application.group_id, sex="Female")
        )
    box = mailbox.Maildir(Path(app.config["MAILDIR_PATH"]), create=True)
    box.add(
        mailgen.with_attachment(
            f"Re: {reference}", "cv.pdf", b"%PDF-1.4 Amina CV", sender=f"Amina Yusuf <{APPLICANT}>"
        )
    )
    box.add(
        mailgen.with_attachment(
            "Application to join the Bristol IAG",
            "form.pdf",
            b"%PDF-1.4 Ben's form",
            sender=f"Ben Okafor <{BEN}>",
        )
    )
    assert poll(app).ingested == 2
    admin = staff_client(app, "dpo@force.example", Role.SYSTEM_ADMIN, None)
    return reference, admin


def _post(client, page_url: str, url: str, data: dict):
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(page)})


def _everything_in_the_database(app) -> str:
    """Every text value in every table, as one string to search."""
    parts = []
    with session_scope(app) as session:
        for table in inspect(session.bind).get_table_names():
            if table.startswith("search_") or table == "alembic_version":
                continue
            for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 (table names from the schema)
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def _stored_files(app) -> dict[str, bytes]:
    root = file_store(app).root
    return {p.name: p.read_bytes() for p in root.glob("*/*") if p.is_file()}


def test_a_subject_access_export_holds_every_record_and_file_about_the_person_and_none_about_others(
    app, client
):
    reference, admin = _two_people(app, client)
    page = admin.get("/staff/admin/people", query_string={"q": reference}).get_data(as_text=True)
    assert "Amina Yusuf" in page and APPLICANT in page and "Ben" not in page
    response = _post(
        admin, f"/staff/admin/people?q={reference}", "/staff/admin/people/export", {"q": APPLICANT}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    record = json.loads(archive.read("person.json"))
    with session_scope(app) as session:
        person = session.scalar(select(Applicant).where(Applicant.email == APPLICANT))
        applications = session.scalars(select(Application).where(Application.applicant_id == person.id)).all()
        ids = [a.id for a in applications]
        emails = session.scalars(
            select(InboundEmail).where(
                (InboundEmail.from_address == APPLICANT) | InboundEmail.application_id.in_(ids)
            )
        ).all()
        files = session.scalars(
            select(Attachment).where(
                Attachment.application_id.in_(ids) | Attachment.email_id.in_([e.id for e in emails])
            )
        ).all()
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == APPLICANT)).all()
        assert [a["id"] for a in record["applications"]] == ids
        assert {e["id"] for e in record["emails_received"]} == {e.id for e in emails}
        assert {f["id"] for f in record["files"]} == {f.id for f in files}
        assert {m["id"] for m in record["emails_sent"]} == {m.id for m in sent}
        assert len(sent) >= 2 and len(files) >= 2  # the confirmation and the offer; the letter and the CV
        events_about = session.scalar(
            select(func.count()).where(Event.subject_type == "application", Event.subject_id.in_(ids))
        )
        assert len(record["applications"][0]["events"]) == events_about
        assert record["equality_answers"][0]["sex"] == "Female"
        assert record["applications"][0]["answers"]["full_name"] == "Amina Yusuf"
        names = archive.namelist()
        assert {f"emails/{e.id}.eml" for e in emails} <= set(names)
        assert sum(n.startswith("files/") for n in names) == len(files)
        assert b"Amina CV" in b"".join(archive.read(n) for n in names if n.startswith("files/"))
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert BEN.encode() not in everything and b"Ben's form" not in everything
    # The bare name only in the text: three bytes turn up by chance in compressed PDF data.
    text = b"".join(archive.read(n) for n in archive.namelist() if not n.startswith("files/"))
    assert b"Ben" not in text
    with session_scope(app) as session:
        logged = session.scalar(select(Event).where(Event.action == "personal data exported"))
        assert logged is not None and logged.detail == {}


def test_erasure_leaves_no_trace_of_the_person_but_the_fact_and_keeps_everyone_else(app, client):
    reference, admin = _two_people(app, client)
    files_before = _stored_files(app)
    ben_files = {n for n, data in files_before.items() if b"Ben" in data}
    assert ben_files
    url = f"/staff/admin/people?q={APPLICANT}"
    refused = _post(admin, url, "/staff/admin/people/erase", {"q": APPLICANT})
    assert refused.status_code == 422 and "Confirm that the erasure has been checked" in refused.get_data(
        as_text=True
    )
    assert "Amina Yusuf" in _everything_in_the_database(app)  # nothing happened
    done = _post(
        admin,
        url,
        "/staff/admin/people/erase",
        {"q": APPLICANT, "confirmed": "y", "code": admin.login.code(1)},
    )
    assert done.status_code == 302
    everything = _everything_in_the_database(app)
    for trace in ("Amina", "Yusuf", APPLICANT, "07700 900982", "stop and search", "Amina CV"):
        assert trace not in everything, trace
    files_after = _stored_files(app)
    assert not any(b"Amina" in data or APPLICANT.encode() in data for data in files_after.values())
    assert ben_files <= set(files_after)
    assert BEN in everything and "Ben Okafor" in everything
    with session_scope(app) as session:
        outline = session.scalar(select(Application).where(Application.reference == reference))
        assert outline.erased_at is not None and outline.answers == {} and outline.state == "offered"
        erased = session.scalars(select(Event).where(Event.action == "personal data erased")).all()
        assert len(erased) == 1 and erased[0].detail == {} and erased[0].subject_id is None
        assert events.verify(session).intact
        # Her equality answers now count only as anonymous numbers.
        assert session.scalar(select(func.count()).select_from(EqualityResponse)) == 0
        tally = session.scalar(
            select(EqualityTally).where(EqualityTally.question == "sex", EqualityTally.stage == "offered")
        )
        assert (tally.answer, tally.count) == ("Female", 1)
        values = equality_report.count(session, outline.submitted_at.year)
        assert values[("bristol", "sex", "Female", "applied")] == 1
    assert "Nothing is held" in admin.get(url).get_data(as_text=True)


def _closed_application(session, n: int, state: str, group_id: int, store) -> Application:
    person = Applicant(name=f"Person Number{n}", email=f"person{n}@example.org")
    application = Application(
        reference=f"IAG-RET{n:03d}-2345",
        group_id=group_id,
        applicant=person,
        source=Source.WEB,
        state=state,
        answers={"full_name": f"Person Number{n}"},
        submitted_at=clock.now(),
        state_changed_at=clock.now(),
    )
    session.add(application)
    session.flush()
    digest = store.put(f"letter to person {n}".encode())
    session.add(
        Attachment(
            application_id=application.id,
            filename="letter.pdf",
            storage_name=digest,
            content_type="application/pdf",
            size=10,
            sha256=digest,
        )
    )
    return application


def test_retention_with_time_moved_forward_removes_exactly_what_is_due(app, runner):
    store = file_store(app)
    with session_scope(app) as session:
        group = session.scalar(select(Group).where(Group.slug == "bristol")).id
        _closed_application(session, 1, "withdrawn", group, store)
        _closed_application(session, 2, "unsuccessful", group, store)
        member = _closed_application(session, 3, "member", group, store)
        session.add(Membership(application_id=member.id, group_id=group, left_at=clock.now()))
        current = _closed_application(session, 4, "member", group, store)
        session.add(Membership(application_id=current.id, group_id=group))
        _closed_application(session, 5, "in review", group, store)
        session.add(Draft(group_id=group, answers={"full_name": "Drafty"}, updated_at=clock.now()))
        session.add(
            OutboxMessage(
                message_id="<old-reply@iag.example>",
                to_address="old-reply@example.org",
                subject="Your question",
                body_text="Dear Oldreply",
                status="sent",
            )
        )
    box = mailbox.Maildir(Path(app.config["MAILDIR_PATH"]), create=True)
    # Questions with notes attached (not documents: those would make applications), each acknowledged.
    box.add(
        mailgen.with_attachment(
            "A question", "old.txt", b"old question", "text/plain", sender="old@example.org"
        )
    )
    assert poll(app).ingested == 1
    assert outgoing.send_due(app) == (1, 0)  # the acknowledgement goes
    with clock.travel(timedelta(days=200)):
        with session_scope(app) as session:
            _closed_application(session, 6, "withdrawn", group, store)  # closed later: not due yet
        box.add(
            mailgen.with_attachment(
                "Later", "new.txt", b"new question", "text/plain", sender="new@example.org"
            )
        )
        assert poll(app).ingested == 1
        assert outgoing.send_due(app) == (1, 0)
    with clock.travel(timedelta(days=366)):
        dry = runner.invoke(args=["retention", "--dry-run"])
        assert dry.exit_code == 0
        due = dict(re.findall(r"^\s+(.+): (\d+)$", dry.output, re.M))
        assert due == {
            "unfinished applications deleted": "1",
            "closed applications erased": "2",
            "former members erased": "1",
            "received emails cleared": "1",
            "sent emails deleted": "2",  # the old reply, and the acknowledgement of the old question
            "stored files no longer needed": "0",
        }
        assert "Person Number1" in _everything_in_the_database(app)  # a dry run changes nothing
        applied = runner.invoke(args=["retention", "--apply"])
        assert dict(re.findall(r"^\s+(.+): (\d+)$", applied.output, re.M)) == due
        again = runner.invoke(args=["retention", "--apply"])
        assert set(re.findall(r"^\s+.+: (\d+)$", again.output, re.M)) == {"0"}  # safe to run every day
    everything = _everything_in_the_database(app)
    for gone in (
        "Person Number1",
        "Person Number2",
        "Person Number3",
        "Drafty",
        "old@example.org",
        "Oldreply",
    ):
        assert gone not in everything, gone
    for kept in ("Person Number4", "Person Number5", "Person Number6", "new@example.org"):
        assert kept in everything, kept
    contents = b"".join(_stored_files(app).values())
    for gone in (b"letter to person 1", b"letter to person 2", b"letter to person 3", b"old question"):
        assert gone not in contents
    for kept in (b"letter to person 4", b"letter to person 5", b"letter to person 6", b"new question"):
        assert kept in contents
    with session_scope(app) as session:
        assert events.verify(session).intact
        run = session.scalars(select(Event).where(Event.action == "retention applied")).all()
        assert len(run) == 2 and run[0].detail["closed applications erased"] == 2
        assert session.scalar(select(func.count()).select_from(Application)) == 6  # outlines stay
