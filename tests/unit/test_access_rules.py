"""Who may see and act on what, as pure rules over a user's roles (the routes' own checks, with the
database, are in tests/webapp/test_access_matrix.py)."""

from __future__ import annotations

from webapp.models import StaffRole, StaffUser
from webapp.services import access
from webapp.services.actors import staff
from webapp.workflow import Role

BRISTOL, SOMERSET = 1, 2


def person(*roles: tuple[Role, int | None]) -> StaffUser:
    return StaffUser(
        id=7, email="x@force.example", name="X", roles=[StaffRole(role=r, group_id=g) for r, g in roles]
    )


def test_a_chair_serves_their_own_group_only():
    chair = person((Role.CHAIR, BRISTOL))
    assert access.serves(chair, BRISTOL) and not access.serves(chair, SOMERSET)
    assert not access.serves(chair, None)  # work of no known group is for triage
    assert access.scope(chair).groups == {BRISTOL}


def test_the_admin_team_also_triages_work_of_no_known_group():
    admin_team = person((Role.ADMIN_TEAM, SOMERSET))
    assert access.serves(admin_team, None) and access.scope(admin_team).triage


def test_a_system_admin_serves_every_group_and_an_equality_reporter_none():
    assert access.serves(person((Role.SYSTEM_ADMIN, None)), SOMERSET)
    reporter = person((Role.EQUALITY_REPORTER, None))
    assert not access.serves(reporter, BRISTOL) and access.scope(reporter).groups == frozenset()
    assert access.holds(reporter, Role.EQUALITY_REPORTER) and not access.holds(reporter, Role.CHAIR)


def test_global_roles_count_in_every_group_and_group_roles_only_in_their_own():
    both = staff(person((Role.CHAIR, BRISTOL), (Role.APPEALS_PANEL, None)))
    assert both.roles_for(BRISTOL) == {Role.CHAIR, Role.APPEALS_PANEL}
    assert both.roles_for(SOMERSET) == {Role.APPEALS_PANEL}
