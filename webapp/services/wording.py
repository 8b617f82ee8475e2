"""The words of every email and letter.

The standard wording of each is a template in templates/email/. A force may set its own wording of any of
them on the admin screen; it is kept in the database (so every web instance and mail poller uses the same
words) and used instead of the standard one. A force's wording is a Jinja template run in a sandbox, with
the same values the standard wording has, and it is checked before it is saved: it must parse, use only
those values, and render.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from jinja2 import StrictUndefined, TemplateError, TemplateNotFound, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.languages import group_text
from webapp.models import (
    StaffUser,
    Wording,
)
from webapp.services import actors, events, wording_sample

log = logging.getLogger("iag.wording")
MAX_LENGTH = 20_000
MAX_OUTPUT = 100_000  # characters an email may come to once filled in
MAX_SECONDS = 1.0  # how long filling it in may take
MAX_POWER = 100  # the largest power a wording may raise a number to
MAX_LOOP_DEPTH = 2  # loops inside loops: a wording lists meetings, not a table of tables

# What each email may read of each thing it is given: these fields and nothing else (no password hash, no
# second-factor secret, no relationship beyond these). Every wording, the force's and the standard one, is
# filled in from these plain values.
FIELDS: dict[str, tuple[str, ...]] = {
    "Application": ("reference", "applicant", "group", "source", "state", "submitted_at"),
    "Applicant": ("name", "email"),
    "Group": ("name", "slug", "meeting_place"),
    "Decision": ("outcome", "reason"),
    "Appeal": ("reasons", "letter"),
    "Discussion": ("starts_at", "duration_minutes", "place", "online_link"),
    "Meeting": ("id", "starts_at", "ends_at", "place", "online_link", "cancelled"),
    "Member": ("name", "email"),
    "CallOut": ("id", "asked", "urgency", "answer_by"),
    "Election": ("id", "office"),
    "ExpenseClaim": ("id", "spent_on", "purpose", "status", "reason"),
    "StaffUser": ("name", "email"),
    "Deployment": ("force_name", "force_name_cy", "mailbox", "website", "reply_working_days", "mail_domain"),
    "News": ("summary",),
    "_SampleNews": ("summary",),
}
PLAIN = (str, int, float, bool, type(None), datetime, date)


def plain(value: Any) -> Any:
    """`value` as the documented fields of FIELDS, in dictionaries (recursively); anything else that is not
    text, a number or a time is left out."""
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    fields = FIELDS.get(type(value).__name__)
    if fields is None:
        return None
    return {name: plain(getattr(value, name, None)) for name in fields}


class WordingTooCostly(Exception):
    pass


_deadline: ContextVar[float] = ContextVar("wording_deadline", default=float("inf"))


class _BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox that gives up when a wording takes longer than its budget (checked on every call
    the template makes, so nested loops are caught too)."""

    # Sizes are bounded where they are made: "a" * 300000000 or 10 ** 10000000 is refused, not computed.
    intercepted_binops = frozenset({"*", "**"})

    def call(self, __context, __obj, *args, **kwargs):
        if time.monotonic() > _deadline.get():
            raise WordingTooCostly(f"it takes more than {MAX_SECONDS:g} s to fill in")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
            raise WordingTooCostly(f"it raises a number to a power over {MAX_POWER}")
        if operator == "*":
            counts = [x for x in (left, right) if isinstance(x, int) and not isinstance(x, bool)]
            sized = [x for x in (left, right) if isinstance(x, str | list | tuple)]
            if counts and sized and counts[0] * len(sized[0]) > MAX_OUTPUT:
                raise WordingTooCostly(f"it comes to more than {MAX_OUTPUT:,} characters")
        return super().call_binop(context, operator, left, right)


def _fill(template: Any, context: dict[str, Any]) -> str:
    """Render within the time and output budget."""
    token = _deadline.set(time.monotonic() + MAX_SECONDS)
    try:
        parts, size = [], 0
        for part in template.generate(**context):
            size += len(part)
            if size > MAX_OUTPUT:
                raise WordingTooCostly(f"it comes to more than {MAX_OUTPUT:,} characters")
            if time.monotonic() > _deadline.get():
                raise WordingTooCostly(f"it takes more than {MAX_SECONDS:g} s to fill in")
            parts.append(part)
        return "".join(parts)
    finally:
        _deadline.reset(token)


# Values every email may use, beside its own.
COMMON = frozenset({"deployment", "link", "url_for"})


@dataclass(frozen=True)
class Email:
    name: str
    title: str
    letter: bool = False  # also sent as a PDF letter under the force's letterhead


CATALOGUE = (
    Email("submitted", "Application received (applied on the web)"),
    Email("acknowledgement", "Application received (applied by email)"),
    Email("enquiry_acknowledgement", "Email received (an enquiry, not yet an application)"),
    Email("passed_on", "Email passed on (a subject access or FOI request, or a complaint, sent to the IAGs)"),
    Email("resume", "Link to go back to a saved application"),
    Email("status_link", "Link to the applicant's page"),
    Email("discussion_invite", "Invitation to an informal discussion"),
    Email("decision_offer", "Offer of a place", letter=True),
    Email("decision_refer", "Referral to a more suitable group", letter=True),
    Email("decision_unsuccessful", "Unsuccessful application", letter=True),
    Email("referral_passed_on", "Referral passed on to the other group"),
    Email("appeal_received", "Appeal received"),
    Email("appeal_upheld", "Appeal upheld", letter=True),
    Email("appeal_dismissed", "Appeal dismissed", letter=True),
    Email("withdrawn", "Application withdrawn"),
    Email("signing_invite", "Invitation to sign the confidentiality agreement"),
    Email("signing_reminder", "Reminder to sign the confidentiality agreement"),
    Email("signed", "Welcome, with the signed agreement and meeting dates"),
    Email("member_sign_in", "Member: link to sign in to the members' pages"),
    Email("meeting_invite", "Member: invitation to a meeting (or its new time), with the calendar entry"),
    Email("meeting_cancelled", "Member: a meeting is cancelled"),
    Email("meeting_reminder", "Member: reminder of a meeting"),
    Email("call_out", "Member: an urgent call-out asking for the group's advice"),
    Email("election_opened", "Member: an election of the Chair or Vice Chair, nominations open"),
    Email("election_nominated", "Member: nominated for Chair or Vice Chair, asked to accept"),
    Email("expenses_changed", "Member: their expenses claim approved, queried, not approved or paid"),
    Email("vetting_expiring", "Member: their vetting expires within 60 days"),
    Email("interests_confirm", "Member: the yearly check of their register of interests"),
    Email("term_renewal", "Member: their term ends soon; would they like to continue?"),
    Email("term_renewed", "Member: their membership renewed for another term"),
    Email("reply_more_information", "Standard reply: asking for more information"),
    Email("reply_call_back", "Standard reply: offering a phone call"),
    Email("reply_thanks", "Standard reply: thanks, added to the application"),
    Email("staff_notification", "Staff: news that needs them (sent at once)"),
    Email("staff_digest", "Staff: the daily summary of news"),
    Email("staff_invite", "Staff: invitation to set up an account"),
    Email("staff_reset", "Staff: set up the account again (new second factor)"),
)
BY_NAME = {email.name: email for email in CATALOGUE}
# The standard replies staff can start from when they write to an applicant (the force can reword them).
STANDARD_REPLIES = tuple(email for email in CATALOGUE if email.name.startswith("reply_"))


class WordingError(Exception):
    """A force's wording refused, with a reason fit to show."""


def _environment(strict: bool = False) -> ImmutableSandboxedEnvironment:
    key = "wording_env_strict" if strict else "wording_env"
    env = current_app.extensions.get(key)
    if env is None:
        env = _BudgetedSandbox(
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=StrictUndefined if strict else current_app.jinja_env.undefined,
        )
        env.filters.update(current_app.jinja_env.filters)
        env.globals["url_for"] = url_for
        current_app.extensions[key] = env
    return env


def standard(name: str) -> str:
    """The standard wording of an email, as written in templates/email/."""
    source, _filename, _uptodate = current_app.jinja_env.loader.get_source(  # type: ignore[union-attr]
        current_app.jinja_env, f"email/{name}.txt"
    )
    return source


def own(session: Session, name: str) -> Wording | None:
    """The force's wording of this email, if it has one; read once per session (a batch of emails sent
    together asks once, and does not make the session write what it has pending)."""
    known = session.info.setdefault("wordings", {})
    if name not in known:
        with session.no_autoflush:
            known[name] = session.get(Wording, name)
    return known[name]


def values(name: str) -> set[str]:
    """The values an email's wording may use: those its standard wording uses, and the common ones."""
    parsed = current_app.jinja_env.parse(standard(name))
    return meta.find_undeclared_variables(parsed) | COMMON


@contextmanager
def rendering() -> Iterator[None]:
    """Where emails can be rendered. Wordings build links with url_for, which needs a request; the mail
    poller and commands have none, so one is made (once for a whole batch of emails, by wrapping it in
    this). Links are always made absolute from IAG_BASE_URL, never from a request's Host header."""
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        yield


def _in_request(render):
    with rendering():
        return render()


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def link_to(endpoint: str, **values: Any) -> str:
    """The absolute link to `endpoint`, as an email prints it."""
    return _in_request(lambda: _link(url_for(endpoint, **values)))


def _with_common(context: dict[str, Any]) -> dict[str, Any]:
    values = {"deployment": current_app.extensions["deployment"]} | context
    return {key: plain(value) for key, value in values.items()} | {"link": _link}


def has_standard(name: str, language: str) -> bool:
    """Whether the standard wording of email `name` exists in `language` (a cached template look-up, not a
    walk of every template: this runs for each email the mail poller answers)."""
    try:
        current_app.jinja_env.get_template(f"email/{language}/{name}.txt")
    except TemplateNotFound:
        return False
    return True


def render(session: Session, name: str, language: str = "en", **context: Any) -> str:
    """The text of an email (also the body of its letter), in `language`: the force's wording if it has
    one (forces word their emails in English; Welsh comes from the translation catalogue)."""
    if language != "en":
        if has_standard(name, language):
            return _standard_in(language, name, context)
        log.warning("no %s wording of %r yet: sent in English", language, name)
    context = _with_common(context)
    wording = own(session, name)
    if wording is not None:
        try:
            return _in_request(lambda: _fill(_environment().from_string(wording.body), context))
        except Exception:  # checked when saved, but real details differ: never let it block the step
            log.exception("the force's wording of %r failed; the standard wording was sent instead", name)
    return _in_request(lambda: render_template(f"email/{name}.txt", **context))


def _standard_in(language: str, name: str, context: dict[str, Any]) -> str:
    """The standard wording in `language` (templates/email/LANGUAGE/NAME.txt), given the group's name in
    that language as `group_name`."""
    group = context.get("group")
    with force_locale(language):
        group_name = group_text(group, "name") if group else ""
    filled = _with_common({**context, "group_name": group_name})

    def in_language() -> str:
        with force_locale(language):
            return render_template(f"email/{language}/{name}.txt", **filled)

    return _in_request(in_language)


def check(session: Session, name: str, body: str) -> str:
    """Raise WordingError unless `body` can stand as this email's wording; return it rendered with
    made-up details (the preview)."""
    if not body.strip():
        raise WordingError("Enter the wording of the email")
    if len(body) > MAX_LENGTH:
        raise WordingError(f"The wording must be {MAX_LENGTH:,} characters or fewer")
    env = _environment(strict=True)
    try:
        parsed = env.parse(body)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" on line {line}" if line else ""
        raise WordingError(f"The wording cannot be read{where}: {exc.message}") from None
    _check_loops(parsed)
    allowed = values(name)
    unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
    if unknown:
        raise WordingError(
            f"This email has no {', '.join(unknown)}. It can use: {', '.join(sorted(allowed - COMMON))}"
        )
    context = _with_common(wording_sample.sample(session))
    try:
        return _in_request(lambda: _fill(env.from_string(body), context))
    except WordingTooCostly as exc:
        raise WordingError(f"The wording cannot be used: {exc}") from None
    except Exception as exc:  # a sandbox refusal, an undefined attribute, a bad filter argument...
        raise WordingError(f"The wording cannot be used: {exc}") from None


def _check_loops(parsed: nodes.Template) -> None:
    """Loops only over the details an email is given (its meetings, say), at most two deep: a loop over
    something the wording makes (a range, a long string) could run for minutes without a single call, where
    the time budget is checked."""
    for loop in parsed.find_all(nodes.For):
        if not _given(loop.iter):
            raise WordingError("A loop can only go over the email's own details, such as its meetings")
        depth = sum(1 for _ in _enclosing_loops(parsed, loop))
        if depth >= MAX_LOOP_DEPTH:
            raise WordingError(f"Loops can go at most {MAX_LOOP_DEPTH} deep")


def _given(node: nodes.Node) -> bool:
    """A detail given to the email (`meetings`, `application.answers`), not something made in it."""
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        node = node.node
    return isinstance(node, nodes.Name)


def _enclosing_loops(parsed: nodes.Template, inner: nodes.For):
    for outer in parsed.find_all(nodes.For):
        if outer is not inner and any(found is inner for found in outer.find_all(nodes.For)):
            yield outer


def save(session: Session, name: str, body: str, user: StaffUser) -> None:
    check(session, name, body)
    wording = own(session, name)
    if wording is None:
        wording = session.info["wordings"][name] = Wording(name=name, body=body)
        session.add(wording)
    wording.body = body
    wording.updated_at = now()
    wording.updated_by_id = user.id
    session.flush()
    _changed(session, name, user, "wording changed", body)


def use_standard(session: Session, name: str, user: StaffUser) -> None:
    wording = own(session, name)
    if wording is not None:
        session.delete(wording)
        session.info["wordings"][name] = None
        session.flush()
        _changed(session, name, user, "wording reset", standard(name))


def _changed(session: Session, name: str, user: StaffUser, action: str, body: str) -> None:
    events.record(
        session,
        actors.staff(user),
        action,
        events.Subject("wording", None),
        detail={"email": name, "sha256": hashlib.sha256(body.encode()).hexdigest()},
    )
