"""A generated access matrix: every role against every staff route in app.url_map and every kind of object
of group A (Bristol), group B (Somerset), of no group (triage), with the answer each should get.

The policy is written out here, apart from webapp.services.access, so that a change to either shows up as a
difference. A route added without a place in this matrix fails the test. Also: no GET changes anything,
and every POST without a CSRF token is refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import csrf_token, make_staff, sign_in
from webapp.clock import now
from webapp.db import session_scope
from webapp.files import file_store
from webapp.models import (
    Advice,
    Appeal,
    Applicant,
    Application,
    Attachment,
    BallotBox,
    CallOut,
    CallOutRecipient,
    ClaimReceipt,
    Election,
    ElectionRoll,
    EmailKind,
    Event,
    ExpenseClaim,
    Group,
    InboundEmail,
    Meeting,
    Member,
    MemberMessage,
    Membership,
    OutboxMessage,
    Paper,
    Source,
    StaffRole,
)
from webapp.services import links
from webapp.workflow import Role

# Object kinds and the owner of each object: "A", "B", "appeal" (group A, with an appeal), "none" (triage).
OWNERS = ("A", "B", "appeal", "none")

# Who sees what, written as the policy says it (not computed by the code under test).
SEES: dict[str, set[str]] = {
    "anonymous": set(),
    "applicant link": set(),
    "coordinator A": {"A", "appeal"},
    "chair A": {"A", "appeal"},
    "chair B": {"B"},
    "admin A": {"A", "appeal", "none"},
    "appeals panel": {"appeal"},
    "equality reporter": set(),
    "system admin": {"A", "B", "appeal", "none"},
}
TRIAGERS = {"admin A", "system admin"}
STAFF = {
    "coordinator A": (Role.POLICE_COORDINATOR, "bristol"),
    "chair A": (Role.CHAIR, "bristol"),
    "chair B": (Role.CHAIR, "somerset"),
    "admin A": (Role.ADMIN_TEAM, "bristol"),
    "appeals panel": (Role.ASSISTANT_CHIEF_CONSTABLE, None),
    "equality reporter": (Role.EQUALITY_REPORTER, None),
    "system admin": (Role.SYSTEM_ADMIN, None),
}
GROUP_STAFF = {"coordinator A", "chair A", "chair B", "admin A", "system admin"}
REPORTERS = {"equality reporter", "system admin"}

# Routes outside the matrix: public pages (anyone), staff sign-in and static files.
PUBLIC_PREFIXES = (
    "/accessibility",
    "/apply",
    "/forms",
    "/groups",
    "/my-application",
    "/privacy",
    "/sign/",
    "/static",
    "/staff/sign-",
    "/verify",
    "/members",  # the members' own pages: tests/webapp/test_member_access.py
)
PUBLIC_EXACT = {"/", "/healthz", "/metrics", "/staff/enrol/<token>"}  # /metrics: test_metrics.py
# Staff routes about no object, and who may use them.
GENERAL = {
    "/staff/": lambda role: role in STAFF,
    "/staff/triage": lambda role: role in TRIAGERS,
    "/staff/groups": lambda role: role in STAFF,
    "/staff/dashboard": lambda role: role in GROUP_STAFF,
    "/staff/equality": lambda role: role in REPORTERS,
    "/staff/equality.csv": lambda role: role in REPORTERS,
    "/staff/admin/people/export": None,  # the person posted: tests/webapp/test_personal_data.py
    "/staff/admin/people/erase": None,
    "/staff/waiting": lambda role: role in STAFF,
    "/staff/notifications": None,  # one's own choices: tests/webapp/test_notifications.py
    "/staff/applications/new": None,  # for one's own groups: tests/webapp/test_phone_and_paper.py
    # Unreadable equality forms: reporters and system admins only (tests/mail_ingest/test_understanding.py)
    "/staff/equality/forms/<int:file_id>": None,
    "/staff/bulk-assign": None,  # acts on the applications posted: checked per object below
    "/staff/triage/not-applications": None,  # acts on the emails posted: checked per object below
}
# Every other admin route, with or without an object, is for system admins only; the objects used.
ADMIN = "/staff/admin/"
ADMIN_OBJECTS = {"<slug>": "bristol", "<name>": "decision_offer"}  # the user: a bystander (World)
# Email routes that file an email (triage): only for those who triage.
TRIAGE_ACTIONS = {"attach", "create-application", "not-an-application", "pass-on"}


@dataclass
class World:
    applications: dict[str, int]
    emails: dict[str, int]
    attachments: dict[str, int]
    references: dict[str, str]
    bystander: tuple[int, int] = (0, 0)  # a staff user no client signs in as, and their one role
    # Each group's own meeting and member, by the placeholder their routes use (never assumed ids).
    group_objects: dict = field(default_factory=dict)


def _build(app) -> World:
    store = file_store(app)
    world = World({}, {}, {}, {})
    with session_scope(app) as session:
        groups = {g.slug: g.id for g in session.scalars(select(Group))}
        group_of = {
            "A": groups["bristol"],
            "B": groups["somerset"],
            "appeal": groups["bristol"],
            "none": None,
        }
        for owner in OWNERS:
            person = Applicant(name=f"Person {owner}", email=f"{owner.lower()}@example.org")
            application = Application(
                reference=f"IAG-{'ABCD'[['A', 'B', 'appeal', 'none'].index(owner)] * 4}-2345",
                group_id=group_of[owner],
                applicant=person,
                source=Source.EMAIL,
                state="appeal lodged" if owner == "appeal" else "submitted",
                answers={},
                submitted_at=now(),
            )
            session.add(application)
            session.flush()
            if owner == "appeal":
                session.add(Appeal(application_id=application.id, reasons="Please think again."))
            digest = store.put(f"file of {owner}".encode())
            # The triage email belongs to no application; the others to theirs.
            email = InboundEmail(
                mailbox="INBOX",
                subject=f"Email {owner}",
                html_body="<p>Hi</p>",
                kind=EmailKind.NEEDS_TRIAGE if owner == "none" else EmailKind.REPLY,
                application_id=None if owner == "none" else application.id,
            )
            session.add(email)
            session.flush()
            attachment = Attachment(
                email_id=email.id,
                filename=f"{owner}.txt",
                storage_name=digest,
                content_type="text/plain",
                size=10,
                sha256=digest,
            )
            session.add(attachment)
            session.flush()
            if owner in ("A", "B"):
                meeting = Meeting(
                    group_id=group_of[owner],
                    starts_at=now() + timedelta(days=30),
                    ends_at=now() + timedelta(days=30, hours=2),
                    place="Station",
                )
                person_of = Member(email=person.email, name=person.name)
                session.add(person_of)
                session.flush()
                member = Membership(
                    application_id=application.id, group_id=group_of[owner], member_id=person_of.id
                )
                pdf = store.put(_blank_pdf())
                paper = Paper(
                    group_id=group_of[owner],
                    title=f"Paper of {owner}",
                    confidential=False,  # who may open it is the question here; stamping costs a render
                    filename="paper.pdf",
                    content_type="application/pdf",
                    storage_name=pdf,
                    size=1,
                    sha256=pdf,
                )
                call_out = CallOut(
                    group_id=group_of[owner],
                    asked=f"Advice for {owner}?",
                    urgency="today",
                    answer_by=now() + timedelta(days=1),
                )
                entry = Advice(group_id=group_of[owner], source="email", advice=f"Advice of {owner}")
                message = MemberMessage(group_id=group_of[owner], subject=f"To {owner}", body="Hello")
                election = Election(
                    group_id=group_of[owner],
                    office="chair",
                    nominations_open_at=now() - timedelta(days=1),
                    nominations_close_at=now() + timedelta(days=1),
                    voting_open_at=now() + timedelta(days=2),
                    voting_close_at=now() + timedelta(days=3),
                    tie_rule="lot",
                )
                session.add_all([meeting, member, paper, call_out, entry, message, election])
                session.flush()
                session.add(CallOutRecipient(call_out_id=call_out.id, membership_id=member.id))
                session.add_all([ElectionRoll(election_id=election.id), BallotBox(election_id=election.id)])
                claim = ExpenseClaim(
                    membership_id=member.id,
                    group_id=group_of[owner],
                    spent_on=now().date(),
                    purpose=f"Travel of {owner}",
                    total_pence=500,
                )
                session.add(claim)
                session.flush()
                receipt = ClaimReceipt(
                    claim_id=claim.id,
                    filename="r.pdf",
                    content_type="application/pdf",
                    storage_name=pdf,
                    size=1,
                )
                session.add(receipt)
                session.flush()
                slug = {"A": "bristol", "B": "somerset"}[owner]
                world.group_objects[slug] = {
                    "meeting_id": meeting.id,
                    "membership_id": member.id,
                    "paper_id": paper.id,
                    "call_out_id": call_out.id,
                    "advice_id": entry.id,
                    "message_id": message.id,
                    "election_id": election.id,
                    "claim_id": claim.id,
                    "receipt_id": receipt.id,
                }
            world.applications[owner] = application.id
            world.emails[owner] = email.id
            world.attachments[owner] = attachment.id
            world.references[owner] = application.reference
        token_a = links.issue_status_link(session, session.get(Application, world.applications["A"]), 30)
    world.references["token A"] = token_a
    bystander = make_staff(app, "bystander@force.example", Role.CHAIR, "somerset")
    with session_scope(app) as session:
        role_id = session.scalar(select(StaffRole.id).where(StaffRole.user_id == bystander.id))
    world.bystander = (bystander.id, role_id)
    return world


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


def _admin_url(rule, world: World) -> str:
    url = rule.rule.replace("<int:user_id>", str(world.bystander[0]))
    url = url.replace("<int:role_id>", str(world.bystander[1]))
    for placeholder, value in ADMIN_OBJECTS.items():
        url = url.replace(placeholder, value)
    return url


def _clients(app, world: World) -> dict:
    clients = {"anonymous": app.test_client()}
    applicant = app.test_client()
    applicant.get(f"/my-application/{world.references['token A']}")
    clients["applicant link"] = applicant
    for name, (role, group) in STAFF.items():
        client = app.test_client()
        sign_in(client, make_staff(app, f"{name.replace(' ', '-')}@force.example", role, group))
        clients[name] = client
    return clients


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC_EXACT or rule.rule.startswith(PUBLIC_PREFIXES):
            continue
        yield rule


def _object_kind(rule) -> str | None:
    for kind in ("application_id", "email_id", "attachment_id", "slug"):
        if kind in rule.arguments:
            return kind
    return None


def _url(rule, kind: str, object_id, world: World) -> str:
    if kind == "slug":
        # A group's page; its meeting or member is the group's own.
        own = world.group_objects[object_id]
        url = rule.rule.replace("<slug>", object_id).replace("<kind>", "agreement")
        return re.sub(r"<int:(\w+)>", lambda found: str(own[found.group(1)]), url)
    return re.sub(r"<int:\w+>", str(object_id), rule.rule)


def _ids(world: World, kind: str) -> dict:
    if kind == "slug":
        return {"A": "bristol", "B": "somerset"}
    return {
        "application_id": world.applications,
        "email_id": world.emails,
        "attachment_id": world.attachments,
    }[kind]


def _token(client) -> str:
    page = client.get("/staff/")
    if page.status_code != 200:
        return "no-session-token"
    return csrf_token(page.get_data(as_text=True))


@pytest.fixture
def world(app):
    return _build(app)


@pytest.mark.one_database  # the policy and the routes, the same on every database
def test_every_role_against_every_staff_route_and_object(app, world, caplog):
    caplog.set_level(logging.WARNING, logger="iag.access")
    clients = _clients(app, world)
    tokens = {name: _token(client) for name, client in clients.items()}
    unexpected, checked = [], 0
    rules = list(_staff_rules(app))
    assert rules, "no staff routes found"
    for rule in rules:
        kind = _object_kind(rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if rule.rule.startswith(ADMIN) and rule.rule not in GENERAL:
            for role, client in clients.items():
                for method in methods:
                    url = _admin_url(rule, world)
                    response = client.open(url, method=method, data={"csrf_token": tokens[role]})
                    checked += 1
                    if role not in STAFF:
                        if not (_to_sign_in(response) or (method == "POST" and response.status_code == 400)):
                            unexpected.append((role, method, url, response.status_code))
                    elif (response.status_code == 404) == (role == "system admin"):
                        unexpected.append((role, method, url, response.status_code))
            continue
        assert kind or rule.rule in GENERAL, f"{rule.rule} has no place in the access matrix"
        for role, client in clients.items():
            if kind is None:
                allowed = GENERAL[rule.rule]
                if allowed is None:
                    continue
                for method in methods:
                    response = client.open(rule.rule, method=method, data={"csrf_token": tokens[role]})
                    checked += 1
                    ok = response.status_code < 400 and not _to_sign_in(response)
                    if ok != allowed(role):
                        unexpected.append((role, method, rule.rule, response.status_code))
                continue
            for owner, object_id in _ids(world, kind).items():
                expected = owner in SEES[role] and role in STAFF
                if rule.rule.rsplit("/", 1)[-1] in TRIAGE_ACTIONS:
                    expected = expected and role in TRIAGERS
                for method in methods:
                    url = _url(rule, kind, object_id, world)
                    response = client.open(url, method=method, data={"csrf_token": tokens[role]})
                    checked += 1
                    if role not in STAFF:
                        # Not signed in as staff: sent to sign in (or, posting, refused for want of a
                        # valid CSRF token, which only a session gives), never shown anything.
                        if not (_to_sign_in(response) or (method == "POST" and response.status_code == 400)):
                            unexpected.append((role, method, url, response.status_code))
                    elif expected and response.status_code == 404:
                        unexpected.append((role, method, url, "refused but should be allowed"))
                    elif not expected and response.status_code != 404:
                        unexpected.append((role, method, url, response.status_code))
    # The objects posted in bulk are checked one by one too.
    for role in STAFF:
        for owner in OWNERS:
            client, token = clients[role], tokens[role]
            bulk = client.post(
                "/staff/bulk-assign",
                data={
                    "csrf_token": token,
                    "application_id": world.applications[owner],
                    "assignee_id": world.bystander[0],
                },
            )
            mark = client.post(
                "/staff/triage/not-applications",
                data={"csrf_token": token, "email_id": world.emails[owner], "reason": "x"},
            )
            checked += 2
            if owner not in SEES[role] and bulk.status_code != 404:
                unexpected.append((role, "POST", f"bulk-assign {owner}", bulk.status_code))
            may_mark = owner in SEES[role] and role in TRIAGERS
            if not may_mark and mark.status_code != 404:
                unexpected.append((role, "POST", f"not-applications {owner}", mark.status_code))
    print(f"access matrix: {checked} requests, {len(unexpected)} unexpected")
    assert unexpected == []
    assert checked > 500
    assert "access denied: staff:" in caplog.text


def test_search_and_the_inbox_never_show_another_groups_items(app, world):
    clients = _clients(app, world)
    for role in STAFF:
        inbox = clients[role].get("/staff/").get_data(as_text=True)
        for owner, reference in world.references.items():
            if owner == "token A":
                continue
            searched = clients[role].get("/staff/", query_string={"q": reference}).get_data(as_text=True)
            shown = owner in SEES[role]
            listed = f">{reference}</a>"  # a row of the results (the search box repeats the query)
            assert (listed in inbox) == shown, (role, owner)
            assert (listed in searched) == shown, (role, owner)


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and "/staff/sign-in" in response.headers.get("Location", "")


def _fingerprint(app) -> tuple:
    with session_scope(app) as session:
        return (
            # Looking at the equality report, and downloading a paper, are themselves recorded (who saw
            # what); nothing else may be.
            session.scalar(
                select(func.count()).where(
                    Event.action.not_in(["equality report viewed", "paper downloaded"])
                )
            ),
            session.scalar(select(func.count()).select_from(OutboxMessage)),
            tuple(
                session.execute(select(Application.id, Application.state, Application.assigned_to_id)).all()
            ),
            tuple(
                session.execute(select(InboundEmail.id, InboundEmail.kind, InboundEmail.application_id)).all()
            ),
        )


@pytest.mark.one_database  # the policy and the routes, the same on every database
def test_no_get_changes_anything(app, world):
    clients = _clients(app, world)
    before = _fingerprint(app)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static"):
            continue
        for role in ("system admin", "admin A", "applicant link"):
            kind = _object_kind(rule)
            targets = _ids(world, kind).values() if kind else [None]
            for object_id in targets:
                url = _url(rule, kind, object_id, world) if kind else rule.rule
                url = _admin_url(rule, world) if rule.rule.startswith(ADMIN) else url
                url = url.replace("<token>", world.references["token A"]).replace("<slug>", "bristol")
                url = url.replace("<kind>", "application")
                clients[role].get(url)
    assert _fingerprint(app) == before


def test_every_post_without_a_csrf_token_is_refused(app, world):
    clients = _clients(app, world)
    before = _fingerprint(app)
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 20
    for rule in posts:
        kind = _object_kind(rule)
        url = _url(rule, kind, _ids(world, kind)["A"], world) if kind else rule.rule
        url = url.replace("<token>", world.references["token A"])
        url = re.sub(r"<int:\w+>", "1", url)
        url = url.replace("/page/<slug>", "/page/your-details").replace("<slug>", "bristol")
        for role in ("system admin", "applicant link"):
            response = clients[role].post(
                url, data={"reason": "x", "body": "x", "email_id": world.emails["none"]}
            )
            assert response.status_code == 400, (role, url, response.status_code)
    assert _fingerprint(app) == before
