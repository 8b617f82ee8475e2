"""Who acts, in one vocabulary: an applicant, a member of a group, a member of staff, the mail poller, or
the service itself. The event log writes each as its label ("applicant", "member:4", "staff:12", "mail",
"system")."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.models import Member, StaffUser
from webapp.workflow import GLOBAL_ROLES, Role


@dataclass(frozen=True)
class Actor:
    label: str  # as written in the event log: "staff:12", "applicant", "system", "mail"
    user: StaffUser | None = None
    fixed_roles: frozenset[Role] = frozenset()

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    def roles_for(self, group_id: int | None) -> frozenset[Role]:
        if self.user is None:
            return self.fixed_roles
        return frozenset(
            r.role
            for r in self.user.roles
            if (r.group_id is not None and r.group_id == group_id) or r.role in GLOBAL_ROLES
        )


APPLICANT = Actor("applicant", fixed_roles=frozenset({Role.APPLICANT}))
SYSTEM = Actor("system", fixed_roles=frozenset({Role.SYSTEM}))
MAIL = Actor("mail", fixed_roles=frozenset({Role.SYSTEM}))  # the mail poller, recording what arrived


def staff(user: StaffUser) -> Actor:
    return Actor(staff_label(user.id), user=user)


def staff_label(user_id: int) -> str:
    """How the event log names a member of staff (also for reading the log back)."""
    return f"staff:{user_id}"


def member_actor(member: Member) -> Actor:
    """A member acting on their own page (signed in with an emailed link)."""
    return Actor(f"member:{member.id}")
