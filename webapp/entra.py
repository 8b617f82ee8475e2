"""The force's Microsoft Entra ID (or any OpenID Connect provider) as a way for staff to sign in, through
authlib's Flask client: the authorization code flow with PKCE, a nonce and a state kept in the session,
and the id token checked against the provider's published keys, issuer, audience and expiry."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, url_for

from webapp.services import force_sign_in

log = logging.getLogger(__name__)

PASSWORD_SIGN_IN = ("everyone", "outside-tenant")
OIDC_SETTINGS = ("OIDC_DISCOVERY_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


def check_settings(config: dict[str, Any]) -> None:
    """Refuse to start with half a configuration: it would show a button that cannot work."""
    if config.get("PASSWORD_SIGN_IN") not in PASSWORD_SIGN_IN:
        raise ValueError(f"IAG_PASSWORD_SIGN_IN must be one of {', '.join(PASSWORD_SIGN_IN)}")
    given = [name for name in OIDC_SETTINGS if config.get(name)]
    if given and len(given) < len(OIDC_SETTINGS):
        missing = [f"IAG_{name}" for name in OIDC_SETTINGS if name not in given]
        raise ValueError("Force account sign-in is half set up: set " + ", ".join(missing))
    force_sign_in.parse_group_roles(config.get("OIDC_GROUP_ROLES"))
    if config.get("PASSWORD_SIGN_IN") == "outside-tenant" and not given:
        raise ValueError("IAG_PASSWORD_SIGN_IN=outside-tenant needs force account sign-in (IAG_OIDC_*)")


def enabled(config: dict[str, Any] | None = None) -> bool:
    return bool((config or current_app.config).get("OIDC_DISCOVERY_URL"))


def form_action_source() -> str:
    """The provider's origin for the Content-Security-Policy's form-action (signing out is a form whose
    answer sends the browser to the provider's end-session page), or nothing when sign-in is off."""
    if not enabled():
        return ""
    parts = urlsplit(current_app.config["OIDC_DISCOVERY_URL"])
    return f" {parts.scheme}://{parts.netloc}"


def client(app: Flask | None = None) -> Any:
    """The provider's client for the app's current settings (made once per settings), or None when force
    account sign-in is off."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not enabled(app.config):
        return None
    key = tuple(app.config[name] for name in OIDC_SETTINGS)
    made: dict[tuple, Any] = app.extensions.setdefault("iag_oidc_clients", {})
    if key not in made:
        registry = OAuth(app)
        made[key] = registry.register(
            "entra",
            server_metadata_url=app.config["OIDC_DISCOVERY_URL"],
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 10},
        )
    return made[key]


def provider_logout(id_token: str | None):
    """Where signing out sends the browser when the person came in with the force account and the
    provider offers RP-initiated logout: to the provider, and from there back to our sign-in page."""
    provider = client()
    if not (provider and id_token and current_app.config["OIDC_LOGOUT"]):
        return None
    try:
        if not provider.load_server_metadata().get("end_session_endpoint"):
            return None
        return provider.logout_redirect(
            post_logout_redirect_uri=url_for("staff.sign_in", _external=True), id_token_hint=id_token
        )
    except requests.RequestException:
        log.warning("the provider did not answer: signed out here only")
        return None
