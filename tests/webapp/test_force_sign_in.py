"""Staff sign in with the force account (Microsoft Entra ID), against a real OpenID Connect provider on
loopback: who gets in, who is turned away with a clear page and an event, and who never gets an account."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.helpers import make_staff, post_form
from tests.identity import OTHER_TENANT
from webapp.db import session_scope
from webapp.models import Event, LoginAttempt, StaffUser
from webapp.workflow import Role


def start(client, path: str = "/staff/sign-in/force-account") -> str:
    """Press "Sign in with your force account": where the browser is sent (the provider's form)."""
    answer = client.get(path)
    assert answer.status_code == 302
    return answer.headers["Location"]


def come_back(client, callback: str):
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_as(client, provider, sub: str, path: str = "/staff/sign-in/force-account"):
    return come_back(client, provider.approve(start(client, path), sub))


def refusals(app) -> list[dict]:
    with session_scope(app) as session:
        return [
            e.detail for e in session.scalars(select(Event).where(Event.action == "force sign-in refused"))
        ]


def test_the_sign_in_page_offers_the_force_account_only_where_it_is_set_up(client, app, identity_providers):
    assert "Sign in with your force account" not in client.get("/staff/sign-in").get_data(
        as_text=True
    ).replace("&#39;", "'")
    assert client.get("/staff/sign-in/force-account").status_code == 404
    app.config.update(identity_providers.good.settings())
    page = client.get("/staff/sign-in").get_data(as_text=True).replace("&#39;", "'")
    assert "Sign in with your force account" in page
    assert "Everyone else" in page


def test_a_coordinator_signs_in_with_the_force_account_and_is_linked(client, app, entra):
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "Priya@Force.example")
    landed = sign_in_as(client, entra, "oid-priya", "/staff/sign-in/force-account?next=/staff/search")
    assert landed.status_code == 302 and landed.headers["Location"] == "/staff/search"
    assert "You serve: Bristol IAG." in client.get("/staff/").get_data(as_text=True).replace("&#39;", "'")
    with session_scope(app) as session:
        user = session.get(StaffUser, login.id)
        assert user.entra_object_id == "oid-priya"
        signed_in = session.scalars(select(Event).where(Event.action == "staff signed in")).all()
        assert [e.detail["with"] for e in signed_in] == ["force account"]
    # Once linked, the object id finds the account even after the address changes at the provider.
    fresh = app.test_client()
    entra.person("oid-priya", "priya.sharma@force.example")
    assert sign_in_as(fresh, entra, "oid-priya").headers["Location"] == "/staff/"


@pytest.mark.parametrize(
    ("claims", "outcome", "says"),
    [
        ({"tid": OTHER_TENANT}, "wrong tenant", "not in the force's directory"),
        ({"email_verified": False}, "unverified email", "did not give a verified email address"),
        ({"amr": ["pwd"]}, "no mfa", "without multi-factor authentication"),
    ],
)
def test_a_force_account_that_does_not_qualify_is_turned_away(client, app, entra, claims, outcome, says):
    app.config["OIDC_REQUIRE_MFA"] = True
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "priya@force.example", **claims)
    page = sign_in_as(client, entra, "oid-priya")
    assert page.status_code == 200
    text = page.get_data(as_text=True).replace("&#39;", "'")
    assert "You are not signed in" in text and says in text
    assert client.get("/staff/").status_code == 302  # still signed out
    assert [r["why"] for r in refusals(app)] == [outcome]
    with session_scope(app) as session:
        assert session.scalar(select(StaffUser.entra_object_id)) is None


def test_an_unknown_or_disabled_person_gets_a_page_and_an_event_never_an_account(client, app, entra):
    entra.person("oid-stranger", "stranger@force.example")
    page = sign_in_as(client, entra, "oid-stranger").get_data(as_text=True).replace("&#39;", "'")
    assert "There is no staff account for your force account's email address" in page
    login = make_staff(app, "dan@force.example", Role.ADMIN_TEAM, "bristol")
    with session_scope(app) as session:
        session.get(StaffUser, login.id).active = False
    entra.person("oid-dan", "dan@force.example")
    page = sign_in_as(app.test_client(), entra, "oid-dan").get_data(as_text=True).replace("&#39;", "'")
    assert "Your staff account has been disabled" in page
    assert [(r["why"], r["email"]) for r in refusals(app)] == [
        ("unknown person", "stranger@force.example"),
        ("disabled", "dan@force.example"),
    ]
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
        outcomes = session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id)).all()
        assert outcomes == ["force account: unknown person", "force account: disabled"]


def test_a_replayed_callback_is_refused(client, app, entra):
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "priya@force.example")
    callback = entra.approve(start(client), "oid-priya")
    assert come_back(client, callback).status_code == 302
    # The same answer again, in another browser (a stolen callback address) and in the same one.
    for browser in (app.test_client(), client):
        page = come_back(browser, callback).get_data(as_text=True).replace("&#39;", "'")
        assert "has already been used" in page
    assert [r["why"] for r in refusals(app)] == ["state not recognised"] * 2


def test_an_expired_id_token_is_refused(client, app, identity_providers):
    stale = identity_providers.expired
    app.config.update(stale.settings())
    make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    stale.person("oid-priya", "priya@force.example")
    page = sign_in_as(client, stale, "oid-priya").get_data(as_text=True).replace("&#39;", "'")
    assert "had expired or could not be checked" in page
    assert [r["why"] for r in refusals(app)] == ["id token not valid"]
    assert client.get("/staff/").status_code == 302


def test_the_provider_saying_no_is_a_clear_page(client, app, entra):
    authorize = start(client)
    answer = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=10)
    page = come_back(client, answer.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "did not sign you in to this service" in page
    assert refusals(app)[0]["error"] == "access_denied"


def test_entra_groups_grant_and_take_away_the_roles_they_are_mapped_to(client, app, entra):
    app.config["OIDC_GROUP_ROLES"] = "grp-chairs=chair@bristol, grp-equality=equality reporter"
    login = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "priya@force.example", groups=["grp-chairs", "grp-other"])
    sign_in_as(client, entra, "oid-priya")

    def roles() -> set[str]:
        with session_scope(app) as session:
            return {str(r.role) for r in session.get(StaffUser, login.id).roles}

    assert roles() == {"police coordinator", "chair"}
    entra.person("oid-priya", "priya@force.example", groups=["grp-equality"])
    sign_in_as(app.test_client(), entra, "oid-priya")
    assert roles() == {"police coordinator", "equality reporter"}  # the unmapped role is the app's own


def test_outside_tenant_password_sign_in_is_for_unlinked_accounts_only(client, app, entra):
    app.config["PASSWORD_SIGN_IN"] = "outside-tenant"
    chair = make_staff(app, "volunteer@example.org", Role.CHAIR, "bristol")
    coordinator = make_staff(app, "priya@force.example", Role.POLICE_COORDINATOR, "bristol")
    entra.person("oid-priya", "priya@force.example")
    sign_in_as(app.test_client(), entra, "oid-priya")
    page = client.get("/staff/sign-in").get_data(as_text=True).replace("&#39;", "'")
    assert "If you are not police staff (for example a volunteer Chair)" in page
    refused = post_form(
        client, "/staff/sign-in", {"email": coordinator.email, "password": coordinator.password}
    )
    assert "Enter a correct email address and password" in refused.get_data(as_text=True).replace(
        "&#39;", "'"
    )
    accepted = post_form(client, "/staff/sign-in", {"email": chair.email, "password": chair.password})
    assert accepted.headers["Location"].endswith("/staff/sign-in/code")


def test_half_a_configuration_or_a_bad_group_mapping_stops_the_app_starting(app):
    from webapp import entra as entra_module

    with pytest.raises(ValueError, match="set IAG_OIDC_CLIENT_SECRET"):
        entra_module.check_settings(
            {"PASSWORD_SIGN_IN": "everyone", "OIDC_DISCOVERY_URL": "https://x", "OIDC_CLIENT_ID": "a"}
        )
    with pytest.raises(ValueError, match="is not OBJECT-ID=role"):
        entra_module.check_settings({"PASSWORD_SIGN_IN": "everyone", "OIDC_GROUP_ROLES": "abc=boss"})
    with pytest.raises(ValueError, match="held in a group"):
        entra_module.check_settings({"PASSWORD_SIGN_IN": "everyone", "OIDC_GROUP_ROLES": "abc=chair"})
    with pytest.raises(ValueError, match="needs force account sign-in"):
        entra_module.check_settings({"PASSWORD_SIGN_IN": "outside-tenant"})
