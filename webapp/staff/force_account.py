"""Signing in with the force account (Microsoft Entra ID): off to the provider, and back. Every way it can
fail ends on one plain page that says what happened and what to do, and is kept in the sign-in log."""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError

from webapp import auth, entra
from webapp.db import db_session
from webapp.services import force_sign_in
from webapp.staff import bp
from webapp.staff.views import client_ip, safe_next

log = logging.getLogger(__name__)


def _provider():
    provider = entra.client()
    if provider is None:
        abort(404)
    return provider


@bp.route("/sign-in/force-account")
def force_sign_in_start():
    provider = _provider()
    if current_user.is_authenticated:
        return redirect(url_for("review.inbox"))
    session["force_sign_in_next"] = safe_next(request.args.get("next"))
    try:
        return provider.authorize_redirect(url_for("staff.force_sign_in_done", _external=True))
    except requests.RequestException as exc:
        return _failed("provider unreachable", {"error": type(exc).__name__})


@bp.route("/sign-in/force-account/done")
def force_sign_in_done():
    provider = _provider()
    try:
        token = provider.authorize_access_token()
    except MismatchingStateError:
        return _failed("state not recognised", {})
    except OAuthError as exc:
        return _failed("provider refused", {"error": exc.error, "description": exc.description})
    except JoseError as exc:
        return _failed("id token not valid", {"error": exc.error, "description": exc.description})
    except requests.RequestException as exc:
        return _failed("provider unreachable", {"error": type(exc).__name__})
    claims = dict(token.get("userinfo") or {})
    try:
        user = force_sign_in.admit(
            db_session(), claims, client_ip(), force_sign_in.ForcePolicy.of(current_app.config)
        )
    except force_sign_in.Refused as exc:
        return _refusal_page(str(exc))
    target = session.pop("force_sign_in_next", None)
    # Kept (in the signed session cookie) only to hint the provider's sign-out, and only when small: a
    # token with many group claims would push the cookie past the 4 KB browsers keep.
    id_token = token.get("id_token") or ""
    auth.sign_in(
        user, id_token=id_token if current_app.config["OIDC_LOGOUT"] and len(id_token) < 2500 else None
    )
    return redirect(safe_next(target))


def _failed(outcome: str, detail: dict):
    log.warning("force account sign-in failed: %s %s", outcome, detail)
    force_sign_in.record_failure(db_session(), outcome, client_ip(), detail=detail)
    return _refusal_page(force_sign_in.OUTCOMES[outcome])


def _refusal_page(message: str):
    # 200, not 403: the refusal and its log lines are committed with the response (an error status rolls
    # the request's transaction back).
    return render_template("staff/force_sign_in_refused.html", message=message)
