"""Staff sign-in with the force's Microsoft Entra ID (OpenID Connect). The provider has proved who the
person is (the id token's signature, issuer, audience, nonce and expiry are checked before this is
called); this decides whether they may come in: the force's tenant, MFA where the deployment asks for it,
an account here that is theirs (linked by Entra object id, or found by a verified email address the first
time) and active. It never makes an account: staff accounts and their roles are granted here, and
optionally kept in step with Entra groups listed in the settings."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Group, StaffUser
from webapp.services import actors, events, sign_in, staff
from webapp.workflow import GLOBAL_ROLES, GROUP_ROLES, Role

# What a refused person reads: why, and what to do. The security log has the detail.
ASK_ADMIN = "Ask your IAG Membership system admin to check your staff account."
OUTCOMES = {
    "wrong tenant": "You signed in with an account that is not in the force's directory. Sign in with "
    "your force account, or with your email address and password if you are not police staff.",
    "no mfa": "Your force account signed in without multi-factor authentication, which this service "
    "needs. Sign out of your force account and sign in again with your second factor.",
    "unverified email": "Your force account did not give a verified email address, so we cannot tell "
    "which staff account is yours. " + ASK_ADMIN,
    "unknown person": "There is no staff account for your force account's email address. Staff accounts "
    "are made by a system admin: " + ASK_ADMIN[4:],
    "disabled": "Your staff account has been disabled. " + ASK_ADMIN,
    "linked to someone else": "This staff account is linked to a different force account. " + ASK_ADMIN,
    # The sign-in itself did not complete.
    "state not recognised": "This sign-in was started earlier, in another tab, or has already been used. "
    "Start again.",
    "id token not valid": "The proof of who you are from your force account had expired or could not be "
    "checked. Start again; if it happens again, tell your IT service desk.",
    "provider refused": "Your force account did not sign you in to this service. Start again; if it "
    "happens again, tell your IT service desk.",
    "provider unreachable": "The force's sign-in service did not answer. Try again in a few minutes.",
}


class Refused(Exception):
    """A force sign-in turned away: `outcome` is the log's word for why, the message is the person's."""

    def __init__(self, outcome: str) -> None:
        super().__init__(OUTCOMES[outcome])
        self.outcome = outcome


@dataclass(frozen=True)
class GroupRole:
    """An Entra group whose members hold a role here (in one group, for the group roles)."""

    object_id: str
    role: Role
    group_slug: str | None = None


@dataclass(frozen=True)
class ForcePolicy:
    tenant: str | None = None
    require_mfa: bool = False
    group_roles: tuple[GroupRole, ...] = ()

    @classmethod
    def of(cls, config: dict[str, Any]) -> ForcePolicy:
        return cls(
            tenant=config.get("OIDC_TENANT") or None,
            require_mfa=bool(config.get("OIDC_REQUIRE_MFA")),
            group_roles=parse_group_roles(config.get("OIDC_GROUP_ROLES")),
        )


def parse_group_roles(text: str | None) -> tuple[GroupRole, ...]:
    """`OBJECT-ID=role` or `OBJECT-ID=role@group-slug`, comma-separated (IAG_OIDC_GROUP_ROLES)."""
    mapped = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        object_id, equals, granted = item.partition("=")
        role_name, _, slug = granted.partition("@")
        try:
            role = Role(role_name.strip())
        except ValueError:
            role = None
        if not equals or not object_id.strip() or role is None or role not in GROUP_ROLES | GLOBAL_ROLES:
            raise ValueError(
                f"IAG_OIDC_GROUP_ROLES: {item.strip()!r} is not OBJECT-ID=role or OBJECT-ID=role@group "
                f"(roles: {', '.join(sorted(str(r) for r in GROUP_ROLES | GLOBAL_ROLES))})"
            )
        if (role in GROUP_ROLES) != bool(slug.strip()):
            raise ValueError(
                f"IAG_OIDC_GROUP_ROLES: {item.strip()!r}: {', '.join(sorted(GROUP_ROLES))} are held in a "
                "group (role@group-slug); the other roles in none"
            )
        mapped.append(GroupRole(object_id.strip(), role, slug.strip() or None))
    return tuple(mapped)


def email_of(claims: dict[str, Any]) -> str:
    return str(claims.get("email") or claims.get("preferred_username") or "")


def _verified(claims: dict[str, Any]) -> bool:
    """Standard providers say `email_verified`; Entra says `xms_edov` (the email's domain is verified by
    the tenant), an optional claim the app registration must ask for."""
    return claims.get("email_verified") is True or claims.get("xms_edov") in (True, "1", "true")


def admit(session: Session, claims: dict[str, Any], ip: str, policy: ForcePolicy) -> StaffUser:
    """The staff account the person behind these validated id token claims signs in to, or Refused."""
    email = email_of(claims)
    object_id = str(claims.get("oid") or claims.get("sub") or "")
    if policy.tenant and claims.get("tid") != policy.tenant:
        _refuse(session, "wrong tenant", email, None, ip, {"tid": claims.get("tid")})
    if policy.require_mfa and "mfa" not in (claims.get("amr") or []):
        _refuse(session, "no mfa", email, None, ip, {"amr": claims.get("amr")})
    user = session.scalar(select(StaffUser).where(StaffUser.entra_object_id == object_id))
    if user is None:
        if not email or not _verified(claims):
            _refuse(session, "unverified email", email, None, ip, {})
        user = staff.find_by_email(session, email)
        if user is None:
            _refuse(session, "unknown person", email, None, ip, {})
        elif user.entra_object_id is not None:
            _refuse(session, "linked to someone else", email, user, ip, {})
    assert user is not None
    if not user.active:
        _refuse(session, "disabled", email, user, ip, {})
    if user.entra_object_id is None:
        user.entra_object_id = object_id
        events.record(session, actors.staff(user), "staff account linked to force account", staff.about(user))
    _follow_groups(session, user, set(claims.get("groups") or []), policy)
    sign_in.log_attempt(session, email or user.email, user, ip, True, "signed in with force account")
    events.record(
        session,
        actors.staff(user),
        "staff signed in",
        staff.about(user),
        detail={"ip": ip, "with": "force account"},
    )
    return user


def _refuse(
    session: Session, outcome: str, email: str, user: StaffUser | None, ip: str, detail: dict[str, Any]
) -> None:
    """Log and record the refusal, then raise it."""
    record_failure(session, outcome, ip, email, user, detail)
    raise Refused(outcome)


def record_failure(
    session: Session,
    outcome: str,
    ip: str,
    email: str = "",
    user: StaffUser | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Keep a failed force sign-in in the sign-in log and the event log (the caller commits: a refusal is
    answered with a page, not an error, so that it is kept)."""
    sign_in.log_attempt(session, email or "(none given)", user, ip, False, f"force account: {outcome}")
    subject = staff.about(user) if user else events.Subject("staff_sign_in")
    events.record(
        session,
        actors.SYSTEM,
        "force sign-in refused",
        subject,
        detail={"why": outcome, "email": email, "ip": ip, **(detail or {})},
    )


def _follow_groups(session: Session, user: StaffUser, groups: set[str], policy: ForcePolicy) -> None:
    """Grant the mapped roles of the Entra groups the person is in, and take away the mapped roles of
    those they have left. Roles no mapping names are the app's alone and are left as they are."""
    for mapping in policy.group_roles:
        group_id = None
        if mapping.group_slug:
            group_id = session.scalar(select(Group.id).where(Group.slug == mapping.group_slug))
            if group_id is None:
                continue  # a mapping to a group this deployment does not have grants nothing
        held = next((r for r in user.roles if r.role == mapping.role and r.group_id == group_id), None)
        if mapping.object_id in groups and held is None:
            staff.grant_role(session, user, mapping.role, mapping.group_slug, actors.SYSTEM)
        elif mapping.object_id not in groups and held is not None:
            # The last system admin keeps the role (StaffError); the event log shows every other change.
            with contextlib.suppress(staff.StaffError):
                staff.revoke_role(session, user, held, actors.SYSTEM)
