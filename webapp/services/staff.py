"""Staff accounts: creation with a one-time enrolment link, passwords and second factors, roles, and ending
every session of a user at once (logout, disabling, role change). Signing in is services/sign_in.py."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import Group, StaffRole, StaffUser
from webapp.services import actors, events, links
from webapp.services.actors import Actor
from webapp.workflow import GLOBAL_ROLES, GROUP_ROLES, Role

# argon2id parameters by the name of IAG_PASSWORD_HASHING. A stored hash carries its own parameters, so
# passwords set under one still verify under the other.
HASHING = {"standard": profiles.RFC_9106_LOW_MEMORY, "test": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(HASHING["standard"])
# Verifying against this keeps the time of "no such user" the same as "wrong password". Made when first
# needed, with the hasher in use: a process that never checks a password (the mail poller, a command) does
# not pay for a hash as it starts.
_dummy_hash: str | None = None


def use_hashing(name: str) -> None:
    """Hash new passwords with the named parameters (the app factory calls this with the setting)."""
    global _hasher, _dummy_hash
    if _hasher.time_cost != HASHING[name].time_cost or _hasher.memory_cost != HASHING[name].memory_cost:
        _hasher = PasswordHasher.from_parameters(HASHING[name])
        _dummy_hash = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a real password")
    return _dummy_hash


MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 "safely unguessable", 4 "very unguessable"
TOTP_ISSUER = "IAG Membership"


class StaffError(Exception):
    """A staff account operation refused, with a reason fit to show."""


@dataclass(frozen=True)
class Policy:
    lockout_attempts: int = 10
    lockout_minutes: int = 15
    enrolment_days: int = 7
    # IAG_PASSWORD_SIGN_IN=outside-tenant: an account linked to a force account signs in with that only.
    linked_need_force_account: bool = False

    @classmethod
    def of(cls, config) -> Policy:
        """The policy in a Flask app's settings."""
        return cls(
            lockout_attempts=config["LOCKOUT_ATTEMPTS"],
            lockout_minutes=config["LOCKOUT_MINUTES"],
            enrolment_days=config["ENROLMENT_DAYS"],
            linked_need_force_account=config.get("PASSWORD_SIGN_IN") == "outside-tenant",
        )


def about(user: StaffUser) -> events.Subject:
    return events.Subject("staff_user", user.id)


def everyone(session: Session) -> list[StaffUser]:
    """Every staff account, by name."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.name, StaffUser.id)))


def find_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    name: str,
    role: Role,
    group_slug: str | None,
    policy: Policy,
    actor: Actor = actors.SYSTEM,
) -> tuple[StaffUser, str]:
    """Create a staff user with one role, returning the user and the one-time enrolment token."""
    if find_by_email(session, email):
        raise StaffError(f"A staff user with the email {email} already exists.")
    user = StaffUser(email=email.strip().lower(), name=name)
    session.add(user)
    session.flush()
    grant_role(session, user, role, group_slug, actor=actor)
    return user, issue_enrolment(session, user, policy)


def invite(
    session: Session, email: str, name: str, role: Role, group_slug: str | None, policy: Policy, actor: Actor
) -> StaffUser:
    """Create a staff user and email them their one-time link to set up the account."""
    user, token = create_user(session, email, name, role, group_slug, policy, actor=actor)
    _email_enrolment(session, user, token, "staff_invite", "Set up your IAG Membership account")
    return user


def reset_second_factor(session: Session, user: StaffUser, policy: Policy, actor: Actor) -> None:
    """For a lost phone: the old password and authenticator stop working at once, and the user gets a
    new one-time link to set both up again."""
    if not user.active:
        raise StaffError("This account is disabled. Enable it first.")
    token = issue_enrolment(session, user, policy)
    events.record(session, actor, "staff second factor reset", about(user))
    _email_enrolment(session, user, token, "staff_reset", "Set up your IAG Membership account again")


def _email_enrolment(session: Session, user: StaffUser, token: str, template: str, subject: str) -> None:
    from webapp.services import notify

    notify.email(
        session,
        template,
        to=user.email,
        subject=subject,
        purpose="staff enrolment",
        user=user,
        token=token,
        expires=user.enrolment_expires_at,
    )


def grant_role(session: Session, user: StaffUser, role: Role, group_slug: str | None, actor: Actor) -> None:
    group_id = None
    if role in GROUP_ROLES:
        if not group_slug:
            raise StaffError(f"The role '{role}' is held in a group: give --group.")
        group = session.scalar(select(Group).where(Group.slug == group_slug))
        if group is None:
            raise StaffError(f"There is no group '{group_slug}'.")
        group_id = group.id
    elif role not in GLOBAL_ROLES:
        raise StaffError(f"'{role}' is not a staff role.")
    if any(held.role == role and held.group_id == group_id for held in user.roles):
        raise StaffError(f"{user.name} already holds that role{' in that group' if group_id else ''}.")
    user.roles.append(StaffRole(role=role, group_id=group_id))
    end_all_sessions(user)
    session.flush()
    events.record(
        session, actor, "staff role granted", about(user), detail={"role": str(role), "group": group_slug}
    )


def issue_enrolment(session: Session, user: StaffUser, policy: Policy) -> str:
    """A fresh enrolment link (the old one stops working); the user sets a password and a second factor."""
    token = secrets.token_urlsafe(32)
    user.enrolment_token_hash = links.token_hash(token)
    user.enrolment_expires_at = now() + timedelta(days=policy.enrolment_days)
    user.totp_secret = pyotp.random_base32()
    user.enrolled_at = None
    user.password_hash = None
    end_all_sessions(user)
    return token


def user_for_enrolment(session: Session, token: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.enrolment_token_hash == links.token_hash(token)))
    if user is None or not user.active or user.enrolment_expires_at is None:
        return None
    if user.enrolment_expires_at < now():
        return None
    return user


def _totp(user: StaffUser) -> pyotp.TOTP:
    if not user.totp_secret:
        raise StaffError("This account has no second factor set up yet.")
    return pyotp.TOTP(user.totp_secret)


def provisioning_uri(user: StaffUser) -> str:
    return _totp(user).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def password_problem(password: str, user: StaffUser) -> str | None:
    """Why a password is refused, in words for the person choosing it, or None. Long enough, and not easy
    to guess: zxcvbn's offline check against common and leaked passwords, names, dates and keyboard runs
    (with the person's own name and email address, and the force's name, counted as easy)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long."
    from zxcvbn import zxcvbn

    hints = [user.email, user.email.split("@")[0], user.name, user.name.replace(" ", ""), *user.name.split()]
    if zxcvbn(password[:200], user_inputs=hints)["score"] < MIN_PASSWORD_SCORE:
        return (
            "Your password is too easy to guess: it is a common password, or like one. "
            "Try three random words, for example 'gravel orchid lantern'."
        )
    return None


def complete_enrolment(session: Session, user: StaffUser, password: str, code: str) -> None:
    problem = password_problem(password, user)
    if problem:
        raise StaffError(problem)
    if not accept_code(user, code):
        raise StaffError("The code from your authenticator app is not right. Check the app and try again.")
    user.password_hash = _hasher.hash(password)
    user.enrolment_token_hash = None
    user.enrolment_expires_at = None
    user.enrolled_at = now()
    events.record(session, actors.staff(user), "staff enrolled", about(user))


ASCII_CODE = re.compile(r"[0-9]{6}", re.ASCII)


def accept_code(user: StaffUser, code: str) -> bool:
    """A TOTP code from the current or adjacent 30 s step, never one already used (no replay)."""
    if not user.totp_secret:
        return False
    code = code.replace(" ", "").strip()
    if not ASCII_CODE.fullmatch(code):  # six digits 0-9 only: anything else is a wrong code, counted so
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now())
    for step in (current, current - 1, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def current_code(user: StaffUser) -> str:
    """The code an authenticator would show now (for the demo's command line only)."""
    return _totp(user).at(now())


def status(user: StaffUser) -> str:
    """How an account stands, in words for the admin screen."""
    if not user.active:
        return "Disabled"
    if user.enrolled_at is None:
        if user.enrolment_expires_at is not None and user.enrolment_expires_at < now():
            return "Set-up link expired"
        return "Waiting to set up"
    return "Active"


def verify_password(hashed: str | None, password: str) -> bool:
    """Check `password` against a stored hash; with none (no such account, or not set up), against a
    dummy one, so that every answer takes the same time."""
    try:
        return bool(_hasher.verify(hashed or _dummy(), password)) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def end_all_sessions(user: StaffUser) -> None:
    """Every session cookie issued before this stops working."""
    user.session_generation = (user.session_generation or 1) + 1


def sign_out(session: Session, user: StaffUser) -> None:
    end_all_sessions(user)
    events.record(session, actors.staff(user), "staff signed out", about(user))


def revoke_role(session: Session, user: StaffUser, held: StaffRole, actor: Actor) -> None:
    if held.role == Role.SYSTEM_ADMIN:
        _keep_a_system_admin(session, user)
    group_id = held.group_id
    user.roles.remove(held)
    end_all_sessions(user)
    session.flush()
    group = session.get(Group, group_id) if group_id else None
    events.record(
        session,
        actor,
        "staff role removed",
        about(user),
        detail={"role": str(held.role), "group": group.slug if group else None},
    )


def disable(session: Session, user: StaffUser, actor: Actor) -> None:
    if actor.user_id == user.id:
        raise StaffError("You cannot disable your own account.")
    if any(held.role == Role.SYSTEM_ADMIN for held in user.roles):
        _keep_a_system_admin(session, user)
    user.active = False
    end_all_sessions(user)
    events.record(session, actor, "staff user disabled", about(user))


def enable(session: Session, user: StaffUser, actor: Actor) -> None:
    user.active = True
    events.record(session, actor, "staff user enabled", about(user))


def _keep_a_system_admin(session: Session, user: StaffUser) -> None:
    """Refuse a change that would leave nobody able to reach the admin screens."""
    others = session.scalar(
        select(func.count(StaffUser.id.distinct()))
        .join(StaffRole)
        .where(
            StaffRole.role == Role.SYSTEM_ADMIN,
            StaffUser.active,
            StaffUser.enrolled_at.is_not(None),  # someone who can sign in today
            StaffUser.id != user.id,
        )
    )
    if not others:
        raise StaffError(f"{user.name} is the only active system admin. Give the role to someone else first.")
