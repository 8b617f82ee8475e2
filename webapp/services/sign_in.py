"""Staff sign-in: the password, then the second-factor code, and the same code again before the steps that
give away or take over accounts. Every attempt is logged (`login_attempts`); too many wrong ones for an
account from one address pause signing in to it from there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.models import LoginAttempt, StaffUser
from webapp.services import actors, events, staff


def locked_here(session: Session, user: StaffUser, ip: str, policy: staff.Policy) -> bool:
    """Too many wrong passwords or codes for this account from this address within the lockout time.
    Per account and address: a stranger guessing cannot lock a coordinator out everywhere (the rate
    limits hold back guessing from many addresses)."""
    since = now() - timedelta(minutes=policy.lockout_minutes)
    # Only a whole sign-in starts the count again (a right password alone does not: its code may be guessed).
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.user_id == user.id,
            LoginAttempt.ip_address == ip[:64],
            LoginAttempt.outcome == "signed in",
        )
    )
    failures = select(func.count()).where(
        LoginAttempt.user_id == user.id,
        LoginAttempt.ip_address == ip[:64],
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.outcome.like("wrong%"),
        LoginAttempt.at > max(since, last_success) if last_success else LoginAttempt.at > since,
    )
    return (session.scalar(failures) or 0) >= policy.lockout_attempts


def _failure(policy: staff.Policy) -> staff.StaffError:
    """The one answer to every failed first step: wrong password, unknown address, not set up, disabled or
    paused. Which it was is in the security log only."""
    return staff.StaffError(
        f"Enter a correct email address and password. After {policy.lockout_attempts} wrong attempts, "
        f"signing in to an account from one place is paused for {policy.lockout_minutes} minutes."
    )


def check_password(session: Session, email: str, password: str, ip: str, policy: staff.Policy) -> StaffUser:
    """First step of sign-in. Every failure does the same work (one password hash checked) and gives the
    same message, so neither timing nor wording tells whether an account exists or how it stands."""
    user = staff.find_by_email(session, email)
    stored = (
        user.password_hash if user is not None and user.active and _password_allowed(user, policy) else None
    )
    usable = stored is not None
    right = staff.verify_password(stored, password)
    if user is None:
        log_attempt(session, email, None, ip, False, "unknown email")
        raise _failure(policy)
    if locked_here(session, user, ip, policy):
        log_attempt(session, email, user, ip, False, "paused: too many attempts from this address")
        raise _failure(policy)
    if not usable:
        log_attempt(session, email, user, ip, False, "disabled or not enrolled")
        raise _failure(policy)
    if not right:
        _fail(session, user, ip, "wrong password", policy)
        raise _failure(policy)
    log_attempt(session, email, user, ip, True, "password accepted")
    return user


def _password_allowed(user: StaffUser, policy: staff.Policy) -> bool:
    """With IAG_PASSWORD_SIGN_IN=outside-tenant, whoever has signed in with the force account must again."""
    return not policy.linked_need_force_account or user.entra_object_id is None


def check_code(session: Session, user: StaffUser, code: str, ip: str, policy: staff.Policy) -> None:
    """Second step of sign-in: the TOTP code. Raises StaffError on failure."""
    if locked_here(session, user, ip, policy):
        log_attempt(session, user.email, user, ip, False, "paused: too many attempts from this address")
        raise staff.StaffError(_locked_message(policy))
    if not user.active:
        raise staff.StaffError("This account has been disabled.")
    if not staff.accept_code(user, code):
        _fail(session, user, ip, "wrong code", policy)
        if locked_here(session, user, ip, policy):
            raise staff.StaffError(_locked_message(policy))
        raise staff.StaffError(
            "The code is not right. Enter the 6-digit code shown in your authenticator app."
        )
    log_attempt(session, user.email, user, ip, True, "signed in")
    events.record(session, actors.staff(user), "staff signed in", staff.about(user), detail={"ip": ip})


def confirm_it_is_you(session: Session, user: StaffUser, code: str, ip: str, policy: staff.Policy) -> None:
    """Before a step that can give away or take over accounts (erasure, granting system admin, resetting a
    second factor): the signed-in person's own current code, counted like a sign-in attempt."""
    if locked_here(session, user, ip, policy):
        raise staff.StaffError(_locked_message(policy))
    if not staff.accept_code(user, code or ""):
        _fail(session, user, ip, "wrong code to confirm a step", policy)
        raise staff.StaffError(
            "To confirm it is you, enter the 6-digit code shown in your authenticator app now."
        )
    log_attempt(session, user.email, user, ip, True, "confirmed with code")


def _fail(session: Session, user: StaffUser, ip: str, outcome: str, policy: staff.Policy) -> None:
    log_attempt(session, user.email, user, ip, False, outcome)
    session.flush()
    if locked_here(session, user, ip, policy):
        events.record(
            session,
            actors.SYSTEM,
            "staff sign-in paused",
            staff.about(user),
            detail={"ip": ip, "after": outcome},
        )


def _locked_message(policy: staff.Policy) -> str:
    return (
        f"Too many attempts to sign in. For your security, signing in from here is paused for "
        f"{policy.lockout_minutes} minutes. Try again later."
    )


def log_attempt(
    session: Session, email: str, user: StaffUser | None, ip: str, ok: bool, outcome: str
) -> None:
    session.add(
        LoginAttempt(
            email=email[:320],
            user_id=user.id if user else None,
            ip_address=ip[:64],
            succeeded=ok,
            outcome=outcome,
            at=now(),
        )
    )
