"""Members sign in without a password: they ask for a link by email, and the link (single use, for 15
minutes) signs them in for the visit. The page says the same whatever address is given, so it tells
nobody who is a member. Only a person with a current membership gets a link or can use one."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.db import rows_changed
from webapp.models import Member, MemberSignIn
from webapp.services import events, links, members, notify
from webapp.services.actors import member_actor

LINK_MINUTES = 15


def request_link(session: Session, email: str) -> bool:
    """Email a sign-in link to `email` if it is a current member's; whether one was sent (for the log and
    the tests: never shown to the person asking)."""
    member = members.by_email(session, email)
    if member is None or not members.current(session, member) or member.email is None:
        return False
    token = issue(session, member)
    with force_locale(member.language):
        subject = gettext("Your sign-in link for the IAG members' pages")
    notify.email(
        session,
        "member_sign_in",
        to=member.email,
        subject=subject,
        language=member.language,
        member=member,
        token=token,
        minutes=LINK_MINUTES,
    )
    return True


def issue(session: Session, member: Member) -> str:
    """A new sign-in link's token for `member` (emailed by `request_link`; printed by `flask member-link`
    for someone helping a member by phone)."""
    token, digest = links.new_token()
    made = now()
    session.add(
        MemberSignIn(
            member_id=member.id,
            token_hash=digest,
            created_at=made,
            expires_at=made + timedelta(minutes=LINK_MINUTES),
        )
    )
    return token


def use_link(session: Session, token: str) -> Member | None:
    """The member a link signs in, using it up; None if it is unknown, used, expired, or its person is no
    longer a member of any group. Only one use can win, however many arrive at once."""
    digest = links.token_hash(token)
    link = session.scalar(select(MemberSignIn).where(MemberSignIn.token_hash == digest))
    if link is None or link.used_at is not None or link.expires_at < now():
        return None
    claimed = session.execute(
        update(MemberSignIn)
        .where(MemberSignIn.id == link.id, MemberSignIn.used_at.is_(None))
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        return None
    member = session.get_one(Member, link.member_id)
    if not members.current(session, member):
        return None
    events.record(session, member_actor(member), "member signed in", events.Subject("member", member.id))
    return member


def usable(session: Session, token: str) -> bool:
    """Whether a link could still sign someone in (the page it opens asks them to confirm, so that a mail
    scanner opening the link does not use it up)."""
    link = session.scalar(select(MemberSignIn).where(MemberSignIn.token_hash == links.token_hash(token)))
    return link is not None and link.used_at is None and link.expires_at >= now()


def sign_out(session: Session, member: Member) -> None:
    """Signing out ends every session of the member's, a copied cookie included (members' pages hold
    confidential papers and votes)."""
    member.session_generation = (member.session_generation or 1) + 1
    events.record(session, member_actor(member), "member signed out", events.Subject("member", member.id))


def identity(member: Member) -> str:
    """What a member's session holds: their id and session generation (bumping it ends every session)."""
    return f"{member.id}:{member.session_generation}"


def member_for(session: Session, held: str) -> Member | None:
    """The member a session's identity names, while it is still theirs and they are still a member."""
    member_id, _, generation = (held or "").partition(":")
    if not member_id.isdigit() or not generation.isdigit():
        return None
    member = session.get(Member, int(member_id))
    if member is None or member.session_generation != int(generation) or not members.current(session, member):
        return None
    return member
