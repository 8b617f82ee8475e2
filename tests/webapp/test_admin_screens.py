"""The admin screens, as a system admin uses them: groups (open or closed, who can join, where they meet),
staff accounts and roles (invite, give and remove roles, disable, reset the second factor) and the wording
of emails and letters (with a preview; a force's wording is used everywhere at once, and is checked)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, csrf_token, make_staff, sign_in, text_of
from tests.review_journey import APPLICANT, act, mails_to, pdf_text, reviewed, staff_client, state_of
from webapp.db import session_scope
from webapp.models import Event, Group, StaffUser, Wording
from webapp.services import wording, wording_sample
from webapp.workflow import Role


@pytest.fixture
def admin(app):
    return staff_client(app, "it@force.example", Role.SYSTEM_ADMIN, None)


def _group(app, slug: str) -> Group:
    with session_scope(app) as session:
        group = session.scalar(select(Group).where(Group.slug == slug))
        session.expunge(group)
        return group


def _group_data(group: Group, **changes) -> dict:
    data = {
        "name": group.name,
        "open_to_applicants": "yes" if group.open_to_applicants else "no",
        "summary": group.summary,
        "requirements": group.requirements,
        "screening_may_apply": "yes" if group.screening_may_apply else "no",
        "meeting_place": group.meeting_place,
    }
    return data | changes


def _actions(app, action: str) -> list[Event]:
    with session_scope(app) as session:
        found = list(session.scalars(select(Event).where(Event.action == action)))
        session.expunge_all()
        return found


# Groups ---------------------------------------------------------------------------------------------------


def test_an_admin_closes_a_group_and_applicants_see_it_closed(app, client, admin, runner):
    bristol = _group(app, "bristol")
    assert "Start now" in text_of(client.get("/apply/bristol"))
    url = "/staff/admin/groups/bristol"
    response = act(
        admin,
        url,
        data=_group_data(bristol, open_to_applicants="no", meeting_place="Kenneth Steele House, Bristol"),
    )
    assert response.status_code == 302
    assert "Closed" in text_of(admin.get("/staff/admin/groups"))
    closed = client.get("/apply/bristol")
    assert "Start now" not in text_of(closed)
    assert "The Bristol IAG is not taking applications" in text_of(closed)
    assert _group(app, "bristol").meeting_place == "Kenneth Steele House, Bristol"
    [event] = _actions(app, "group changed")
    assert event.detail == {"group": "bristol", "changed": ["open_to_applicants", "meeting_place"]}
    # Loading the deployment file again keeps what the admin set; other groups still follow the file.
    result = runner.invoke(args=["load-deployment"])
    assert "kept Bristol IAG as edited on the admin screen" in result.output
    assert _group(app, "bristol").open_to_applicants is False


def test_a_group_form_with_a_problem_says_so_and_changes_nothing(app, admin):
    bristol = _group(app, "bristol")
    response = act(admin, "/staff/admin/groups/bristol", data=_group_data(bristol, name="", summary="New"))
    assert response.status_code == 422
    page = text_of(response)
    assert "There is a problem" in page and "Enter the group's name" in page
    assert "New" in page  # what was typed is kept
    assert _group(app, "bristol").summary == bristol.summary
    assert _actions(app, "group changed") == []


# Staff accounts -------------------------------------------------------------------------------------------


def _enrol_link(app, address: str) -> str:
    body = mails_to(app, address)[-1].body_text
    return re.search(r"https?://\S+(/staff/enrol/\S+)", body).group(1)


def _user(app, email: str) -> StaffUser:
    with session_scope(app) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        session.expunge(user)
        return user


def test_an_admin_invites_someone_who_sets_up_their_account(app, admin):
    invite = act(
        admin,
        "/staff/admin/staff/invite",
        data={"name": "Jo Bloggs", "email": "Jo.Bloggs@force.example", "role": "chair", "group": "bristol"},
    )
    assert invite.status_code == 302
    listing = text_of(admin.get("/staff/admin/staff"))
    assert "Jo Bloggs" in listing and "Waiting to set up" in listing and "Chair, Bristol IAG" in listing
    message = mails_to(app, "jo.bloggs@force.example")[-1]
    assert message.subject == "Set up your IAG Membership account"
    newcomer = app.test_client()
    page = newcomer.get(_enrol_link(app, "jo.bloggs@force.example"))
    assert page.status_code == 200 and "authenticator" in text_of(page)
    [granted] = [e for e in _actions(app, "staff role granted") if e.detail["group"] == "bristol"]
    assert granted.actor == f"staff:{_user(app, 'it@force.example').id}"
    # The same address twice, or a group role without a group: a message, nothing created.
    again = act(
        admin,
        "/staff/admin/staff/invite",
        data={"name": "Jo", "email": "jo.bloggs@force.example", "role": "chair", "group": "bristol"},
    )
    assert again.status_code == 422 and "already exists" in text_of(again)
    no_group = act(
        admin,
        "/staff/admin/staff/invite",
        data={"name": "Al", "email": "al@force.example", "role": "police coordinator", "group": ""},
    )
    assert no_group.status_code == 422
    assert "Select the group in which they are police coordinator" in text_of(no_group)
    with session_scope(app) as session:
        assert session.scalar(select(StaffUser).where(StaffUser.email == "al@force.example")) is None


def _password_refused(client, login) -> bool:
    page = client.get("/staff/sign-in").get_data(as_text=True)
    data = {"email": login.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    return "Enter a correct email address and password" in text_of(client.post("/staff/sign-in", data=data))


def _sign_in_again(app, client, login) -> None:
    """Sign in once more within the same 30 seconds (the code already used would be refused as a replay)."""
    with session_scope(app) as session:
        session.get(StaffUser, login.id).totp_last_step = None
    sign_in(client, login)


def test_roles_given_and_removed_change_what_a_user_sees(app, admin):
    chair = make_staff(app, "chair@force.example", Role.CHAIR, "bristol")
    client = app.test_client()
    sign_in(client, chair)
    assert "Members of the Somerset IAG" not in text_of(client.get("/staff/groups"))
    page = f"/staff/admin/staff/{chair.id}"
    act(admin, page, f"{page}/roles", {"role": "chair", "group": "somerset"})
    # A role change ends the user's sessions; signed in again, they see the new group.
    assert client.get("/staff/groups").status_code == 302
    _sign_in_again(app, client, chair)
    assert "Members of the Somerset IAG" in text_of(client.get("/staff/groups"))
    twice = act(admin, page, f"{page}/roles", {"role": "chair", "group": "somerset"})
    assert twice.status_code == 422 and "already holds that role" in text_of(twice)
    with session_scope(app) as session:
        somerset = session.scalar(select(Group.id).where(Group.slug == "somerset"))
        role_id = next(r.id for r in session.get(StaffUser, chair.id).roles if r.group_id == somerset)
    act(admin, page, f"{page}/roles/{role_id}/remove")
    _sign_in_again(app, client, chair)
    assert "Members of the Somerset IAG" not in text_of(client.get("/staff/groups"))
    assert [e.detail for e in _actions(app, "staff role removed")] == [{"role": "chair", "group": "somerset"}]


def test_disabling_signs_a_user_out_and_keeps_them_out(app, admin):
    chair = make_staff(app, "chair@force.example", Role.CHAIR, "bristol")
    client = app.test_client()
    sign_in(client, chair)
    assert client.get("/staff/").status_code == 200
    page = f"/staff/admin/staff/{chair.id}"
    act(admin, page, f"{page}/disable")
    assert "Disabled" in text_of(admin.get(page))
    assert client.get("/staff/").status_code == 302
    again = app.test_client()
    assert _password_refused(again, chair)
    act(admin, page, f"{page}/enable")
    _sign_in_again(app, again, chair)
    assert again.get("/staff/").status_code == 200


def test_the_last_system_admin_cannot_lock_everyone_out(app, admin):
    me = _user(app, "it@force.example")
    page = f"/staff/admin/staff/{me.id}"
    own = act(admin, page, f"{page}/disable")
    assert own.status_code == 422 and "You cannot disable your own account" in text_of(own)
    with session_scope(app) as session:
        role_id = session.get(StaffUser, me.id).roles[0].id
    removed = act(admin, page, f"{page}/roles/{role_id}/remove")
    assert removed.status_code == 422
    assert "the only active system admin" in text_of(removed)
    assert admin.get("/staff/admin/").status_code == 200


def test_resetting_the_second_factor_stops_the_old_one_and_sends_a_new_link(app, admin):
    chair = make_staff(app, "chair@force.example", Role.CHAIR, "bristol")
    page = f"/staff/admin/staff/{chair.id}"
    act(admin, page, f"{page}/reset", {"code": admin.login.code(1)})
    client = app.test_client()
    assert _password_refused(client, chair)
    assert "Waiting to set up" in text_of(admin.get(page))
    assert mails_to(app, chair.email)[-1].subject == "Set up your IAG Membership account again"
    assert client.get(_enrol_link(app, chair.email)).status_code == 200
    assert len(_actions(app, "staff second factor reset")) == 1


# Emails and letters ---------------------------------------------------------------------------------------


def test_every_standard_wording_passes_the_check_and_every_template_is_listed(app):
    """The made-up details cover every value every standard wording uses (checked strictly), and the
    catalogue lists every email template there is."""
    from webapp import PROJECT_ROOT

    files = {path.stem for path in (PROJECT_ROOT / "templates" / "email").glob("*.txt")}
    assert files == set(wording.BY_NAME)
    with app.app_context(), session_scope(app) as session:
        for email in wording.CATALOGUE:
            assert wording.check(session, email.name, wording.standard(email.name)).strip(), email.name


WITHDRAWN = (
    "Dear {{ application.applicant.name }}, we have noted your withdrawal ({{ application.reference }})."
)


def test_a_force_rewords_an_email_previews_it_and_every_instance_uses_it(app, client, admin, second_app):
    url = "/staff/admin/wording/withdrawn"
    assert "You have withdrawn your application" in text_of(admin.get(url))  # the standard wording
    preview = act(admin, url, data={"body": WITHDRAWN, "action": "preview"})
    assert preview.status_code == 200
    assert "Dear Sam Example, we have noted your withdrawal (IAG-ABCD-EFGH)." in text_of(preview)
    assert _actions(app, "wording changed") == []  # a preview saves nothing
    saved = act(admin, url, data={"body": WITHDRAWN, "action": "save"})
    assert saved.status_code == 302
    assert "Your own, since" in text_of(admin.get("/staff/admin/wording"))
    # A withdrawal now sends the force's words.
    _reference, application_url, coordinator, _chair = reviewed(app, client)
    act(coordinator, f"{application_url}/withdraw", data={"how": "Letter"})
    assert mails_to(app, APPLICANT)[-1].body_text.startswith(
        "Dear Amina Yusuf, we have noted your withdrawal"
    )
    # Another instance on the same database uses them too.
    other = second_app()
    with other.app_context(), session_scope(other) as session:
        sample = wording_sample.sample(session)
        assert notify_text(session, sample).startswith("Dear Sam Example, we have noted")
    # Back to the standard wording.
    act(admin, url, f"{url}/standard")
    with app.app_context(), session_scope(app) as session:
        assert not notify_text(session, wording_sample.sample(session)).startswith("Dear Sam")
    assert len(_actions(app, "wording reset")) == 1


def notify_text(session, sample: dict) -> str:
    return wording.render(session, "withdrawn", **sample)


def test_a_wording_that_fails_when_sent_gives_way_to_the_standard_one(app, client, caplog):
    """Checked when saved, a wording could still fail on real details (or be written to the database by
    other means): the step goes ahead with the standard wording, and the log says so."""
    with session_scope(app) as session:
        session.add(Wording(name="withdrawn", body="Dear {{ application.applicant.name }}, {{ 1 / 0 }}"))
    caplog.set_level(logging.ERROR, logger="iag.wording")
    reference, url, coordinator, _chair = reviewed(app, client)
    act(coordinator, f"{url}/withdraw", data={"how": "Letter"})
    assert state_of(app, reference) == "withdrawn"
    assert "You have withdrawn your application" in mails_to(app, APPLICANT)[-1].body_text
    assert "the force's wording of 'withdrawn' failed" in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Enter the wording of the email"),
        ("Dear {{ application.reference", "The wording cannot be read on line 1"),
        ("{% if %}", "The wording cannot be read on line 1"),
        ("Your code: {{ password }}", "This email has no password. It can use: application"),
        ("{{ application.refrence }}", "The wording cannot be used"),
        ("{{ application.__class__.__mro__ }}", "The wording cannot be used"),
        ("{{ deployment.force_name.__class__ }}", "The wording cannot be used"),
        ("x" * 20_001, "20,000 characters or fewer"),
    ],
)
def test_a_wording_that_cannot_work_is_refused_with_a_reason(app, admin, body, message):
    url = "/staff/admin/wording/withdrawn"
    response = act(admin, url, data={"body": body, "action": "save"})
    assert response.status_code == 422
    page = text_of(response)
    assert "There is a problem" in page and message in page
    assert _actions(app, "wording changed") == []


def test_a_letters_wording_previews_as_a_pdf_letter(app, admin):
    url = "/staff/admin/wording/decision_offer"
    body = "Dear {{ application.applicant.name }}, welcome to the {{ group.name }}. {{ decision.reason }}"
    page = admin.get(url).get_data(as_text=True)
    response = admin.post(f"{url}/letter.pdf", data={"body": body, "csrf_token": csrf_token(page)})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert "Dear Sam Example, welcome to the Bristol IAG." in text
    assert _actions(app, "wording changed") == []
    # Not a letter: there is no letter to preview.
    other = admin.post(
        "/staff/admin/wording/withdrawn/letter.pdf", data={"body": body, "csrf_token": csrf_token(page)}
    )
    assert other.status_code == 404


def test_the_admin_screens_are_for_system_admins_only(app):
    coordinator = staff_client(app, "co@force.example", Role.POLICE_COORDINATOR, "bristol")
    for url in ("/staff/admin/", "/staff/admin/groups", "/staff/admin/staff", "/staff/admin/wording"):
        assert coordinator.get(url).status_code == 404
    inbox = coordinator.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/groups"' in inbox and 'href="/staff/admin/"' not in inbox
