"""Small helpers so tests read as what a person does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pyotp

from webapp.clock import now
from webapp.db import session_scope
from webapp.services import outbox, staff
from webapp.workflow import Role

PASSWORD = "correct horse battery staple"


@dataclass
class StaffLogin:
    id: int
    email: str
    password: str
    secret: str

    def code(self, step_offset: int = 0) -> str:
        """The code an authenticator app shows now (or `step_offset` 30-second steps later)."""
        totp = pyotp.TOTP(self.secret)
        return totp.generate_otp(totp.timecode(now()) + step_offset)


def make_staff(app, email: str, role: Role, group: str | None = None, password: str = PASSWORD) -> StaffLogin:
    """A fully enrolled staff user, ready to sign in with `login.code()`."""
    with session_scope(app) as session:
        user, _token = staff.create_user(
            session, email, email.split("@")[0].title(), role, group, staff.Policy()
        )
        staff.complete_enrolment(session, user, password, staff.current_code(user))
        user.totp_last_step = None  # enrolment used the current code; let sign-in use it again
        return StaffLogin(user.id, email, password, user.totp_secret)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return unescape(match.group(1))


def post_form(client, url: str, data: dict, follow_redirects: bool = False):
    """GET the page, then POST the form on it with its CSRF token, as a browser would."""
    page = client.get(url)
    return client.post(
        url,
        data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))},
        follow_redirects=follow_redirects,
    )


def sign_in(client, login: StaffLogin):
    post_form(client, "/staff/sign-in", {"email": login.email, "password": login.password})
    return post_form(client, "/staff/sign-in/code", {"code": login.code()})


def text_of(response) -> str:
    """The visible text of a page, roughly: tags removed, whitespace folded."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def sign_in_browser(tab, login: StaffLogin, go: bool = True) -> None:
    """Sign in through the pages in Chromium, as a person would: password, then the code. `go=False`: the
    tab is already on the sign-in page (sent there by a link that needs it)."""
    if go:
        tab.goto("/staff/sign-in")
    tab.get_by_label("Email address").fill(login.email)
    tab.get_by_label("Password", exact=True).fill(login.password)
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_label("Security code").fill(login.code())
    tab.get_by_role("button", name="Sign in").click()


def queue_email(app, subject: str = "Your application IAG-ABCD-2346", **extra) -> str:
    """An email in the outbox, as a step of the service would leave it: its Message-ID."""
    with session_scope(app) as session:
        message = outbox.queue(
            session,
            to="amina@example.org",
            subject=subject,
            body="Thank you for applying.\nWe will be in touch.",
            sender_domain="force.example",
            **extra,
        )
        return message.message_id
