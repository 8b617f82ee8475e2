"""The second outside security review's findings (issue 30), each with a test that failed before its fix.
(The backup and restore findings are in tests/webapp/test_backup.py.)"""

from __future__ import annotations

from tests.given import given_member
from tests.helpers import csrf_token
from tests.webapp.test_members import AMINA, signed_in_member


def _carried(app, client, **environ):
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    thief = app.test_client()
    thief.environ_base.update(environ)
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def _in(client) -> bool:
    response = client.get("/members/")
    return response.status_code == 200


def test_a_members_session_ends_everywhere_when_they_sign_out_a_copied_cookie_too(app):
    given_member(app)
    member = signed_in_member(app, AMINA)
    copy = _carried(app, member)
    assert _in(copy)  # (the same address and browser: a copy is the session itself until it ends)
    token = csrf_token(member.get("/members/details").get_data(as_text=True))
    done = member.post("/members/sign-out", data={"csrf_token": token}, follow_redirects=True)
    assert "You have signed out on every device" in done.get_data(as_text=True)
    assert not _in(copy) and not _in(member)


def test_a_members_session_cookie_does_not_work_from_another_browser_or_address(app):
    given_member(app)
    member = signed_in_member(app, AMINA)
    assert not _in(_carried(app, member, HTTP_USER_AGENT="Mozilla/5.0 (another browser)"))
    assert not _in(_carried(app, member, REMOTE_ADDR="192.0.2.7"))
    assert _in(member)  # the member's own session goes on
