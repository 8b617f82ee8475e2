"""The members' access matrix: every route under /members against a member of group A (Bristol), a member
of group B (Somerset), a former member of A (still a member of the Strategic IAG, so still signed in), a
member of staff (signed in as staff, not as a member) and an anonymous visitor, for each of group A's and
group B's objects. The policy is written out here, apart from webapp.services.access; a members' route
added without a place here fails the test."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from tests.helpers import csrf_token, make_staff, sign_in
from tests.webapp.test_access_matrix import World, _build
from tests.webapp.test_members import signed_in_member
from webapp.clock import now
from webapp.db import session_scope
from webapp.models import Applicant, Application, Group, Member, Membership, Source
from webapp.workflow import Role

MEMBERS = ("member A", "member B", "former member A")
WHO = (*MEMBERS, "staff", "anonymous")
OWNED = {"member A": {"A"}, "member B": {"B"}, "former member A": set()}
# Routes about no object of a group, and who gets them (the others are sent to sign in).
GENERAL = {
    "/members/": MEMBERS,
    "/members/details": MEMBERS,
    "/members/expenses": MEMBERS,
    "/members/expenses/new": MEMBERS,
    "/members/interests": MEMBERS,
    "/members/interests/confirm": MEMBERS,
    # Ending one's own interest; someone else's is refused (tests/webapp/test_interests.py)
    "/members/interests/<int:interest_id>/end": MEMBERS,
    "/members/sign-in": WHO,  # anyone (a member already signed in is taken to their page)
    "/members/sign-out": WHO,  # anyone (it only ends the visit's member session)
    "/members/sign-in/<token>": (),  # for nobody: a made-up token is "This link does not work" (410)
}
KINDS = ("slug", "meeting_id", "paper_id", "call_out_id", "election_id", "claim_id")


def _former_member(app) -> None:
    """Someone who was a member of A and left, and is still a member of the Strategic IAG."""
    with session_scope(app) as session:
        groups = {g.slug: g.id for g in session.scalars(select(Group))}
        person = Member(email="former@example.org", name="Former Member")
        session.add(person)
        session.flush()
        for number, (slug, left) in enumerate([("bristol", now()), ("strategic", None)]):
            application = Application(
                reference=f"IAG-FFFF-{number}000",
                group_id=groups[slug],
                applicant=Applicant(name=person.name, email=person.email),
                source=Source.WEB,
                state="member",
                answers={},
            )
            session.add(application)
            session.flush()
            session.add(
                Membership(
                    application_id=application.id, group_id=groups[slug], member_id=person.id, left_at=left
                )
            )


def _clients(app) -> dict:
    clients = {
        "member A": signed_in_member(app, "a@example.org"),
        "member B": signed_in_member(app, "b@example.org"),
        "former member A": signed_in_member(app, "former@example.org"),
        "anonymous": app.test_client(),
    }
    staff = app.test_client()
    sign_in(staff, make_staff(app, "coordinator@force.example", Role.POLICE_COORDINATOR, "bristol"))
    clients["staff"] = staff
    return clients


def _token(client, who: str) -> str:
    page = "/members/details" if who in MEMBERS else "/members/sign-in"
    return csrf_token(client.get(page).get_data(as_text=True))


def _url(rule, world: World, owner: str) -> str:
    slug = {"A": "bristol", "B": "somerset"}[owner]
    own = world.group_objects[slug]
    url = rule.rule.replace("<slug>", slug)
    return re.sub(r"<int:(\w+)>", lambda found: str(own[found.group(1)]), url)


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].endswith("/members/sign-in")


def test_every_member_route_for_members_of_each_group_former_members_staff_and_anonymous(app, caplog):
    caplog.set_level(logging.WARNING, logger="iag.access")
    world = _build(app)
    _former_member(app)
    clients = _clients(app)
    tokens = {who: _token(client, who) for who, client in clients.items()}
    # Signing out last: it ends the members' sessions the other requests use.
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/members")),
        key=lambda rule: rule.rule == "/members/sign-out",
    )
    unexpected, checked = [], 0
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        kind = next((k for k in KINDS if k in rule.arguments), None)
        if kind is None:
            assert rule.rule in GENERAL, f"{rule.rule} has no place in the members' access matrix"
            for who, client in clients.items():
                for method in methods:
                    url = rule.rule.replace("<token>", "not-a-real-token").replace("<int:interest_id>", "1")
                    response = client.open(url, method=method, data={"csrf_token": tokens[who]})
                    checked += 1
                    allowed = who in GENERAL[rule.rule]
                    # Reached (a form with errors counts): not "not found", "gone" or "sign in first".
                    ok = response.status_code not in (404, 410) and not _to_sign_in(response)
                    if rule.rule == "/members/sign-in" and who in MEMBERS:
                        ok = response.status_code == 302  # to their page
                    if rule.rule == "/members/sign-out":
                        ok = response.status_code == 302  # signed out (or never in), back to sign in
                    if ok != allowed:
                        unexpected.append((who, method, url, response.status_code))
            continue
        for owner in ("A", "B"):
            for who, client in clients.items():
                for method in methods:
                    url = _url(rule, world, owner)
                    if method == "POST" and owner in OWNED.get(who, set()) and rule.rule.endswith("/leave"):
                        continue  # leaving is tested in tests/webapp/test_members.py (it would end the test)
                    response = client.open(url, method=method, data={"csrf_token": tokens[who]})
                    checked += 1
                    if who not in MEMBERS:
                        if not (_to_sign_in(response) or (method == "POST" and response.status_code == 400)):
                            unexpected.append((who, method, url, response.status_code))
                    elif owner in OWNED[who] and response.status_code == 404:
                        unexpected.append((who, method, url, "refused but should be allowed"))
                    elif owner not in OWNED[who] and response.status_code != 404:
                        unexpected.append((who, method, url, response.status_code))
    print(f"members' access matrix: {checked} requests, {len(unexpected)} unexpected")
    assert unexpected == [], "\n".join(map(str, unexpected))
    assert checked > 60
    assert "access denied: member:" in caplog.text
