"""A member's session: who (their id and session generation), since when, last seen. It ends after the
same idle and absolute limits as a staff session, when their last membership ends, or at sign-out. Kept
apart from Flask-Login's staff session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext

from webapp.auth import session_identifier
from webapp.clock import now
from webapp.db import db_session
from webapp.models import Member
from webapp.services import member_sign_in

KEYS = ("member", "member_signed_in_at", "member_last_seen", "member_bound")


def sign_in(member: Member) -> None:
    """A fresh session for the member (nothing from before carries over, but the page's language)."""
    language, going = session.get("lang"), session.get("member_next")
    session.clear()
    if language:
        session["lang"] = language
    stamp = now().isoformat()
    session.update(
        member=member_sign_in.identity(member),
        member_signed_in_at=stamp,
        member_last_seen=stamp,
        member_bound=session_identifier(),  # this address and browser only, as a staff session
    )
    session.permanent = False
    if going:
        session["member_next"] = going


def sign_out() -> None:
    """Forget the member in this browser (`member_sign_in.sign_out` ends every session of theirs)."""
    for key in (*KEYS, "member_next"):
        session.pop(key, None)


def signed_in() -> Member | None:
    """The member this visit is signed in as, within the session limits (None, with the reason flashed,
    when the session has run out)."""
    if "member" not in session:
        return None
    member = member_sign_in.member_for(db_session(), session["member"])
    if member is None or session.get("member_bound") != session_identifier():
        sign_out()  # ended (signed out elsewhere, left) or a cookie carried to another browser or address
        return None
    try:
        signed_in_at = datetime.fromisoformat(session["member_signed_in_at"])
        last_seen = datetime.fromisoformat(session["member_last_seen"])
    except (KeyError, ValueError):
        sign_out()
        return None
    idle = current_app.config["SESSION_IDLE_MINUTES"]
    longest = current_app.config["SESSION_MAX_HOURS"]
    if now() - last_seen > timedelta(minutes=idle):
        sign_out()
        flash(
            gettext(
                "You were signed out because you had not done anything for %(minutes)s minutes.", minutes=idle
            )
        )
        return None
    if now() - signed_in_at > timedelta(hours=longest):
        sign_out()
        flash(
            gettext("You were signed out because you signed in more than %(hours)s hours ago.", hours=longest)
        )
        return None
    session["member_last_seen"] = now().isoformat()
    return member


def member_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view for signed-in members only; others are asked to sign in (and brought back afterwards)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        member = signed_in()
        if member is None:
            if request.method == "GET":
                session["member_next"] = request.path
            return redirect(url_for("members.sign_in_page"))
        g.member = member
        return view(*args, **kwargs)

    return wrapped


def current_member() -> Member:
    """The signed-in member (call only behind member_required)."""
    return g.member


def next_page() -> str:
    """Where to go after signing in: the members' page they asked for, else their page."""
    going = session.pop("member_next", None)
    return (
        going
        if isinstance(going, str) and going.startswith("/members/") and "//" not in going
        else url_for("members.home")
    )
