"""The stand-in for Microsoft Entra ID: a real OpenID Connect provider (oidc-provider-mock, authlib inside)
on loopback. Tests say who a person is (their claims) and sign in as them through its authorization form."""

from __future__ import annotations

import secrets
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import requests

from tests import harness

TENANT = "3f0c1b5e-0000-4000-8000-000000000001"  # the force's tenant
OTHER_TENANT = "9d9d9d9d-0000-4000-8000-000000000002"
CLIENT_ID, CLIENT_SECRET = "iag-membership", "tests-only-client-secret"


@dataclass
class Provider:
    url: str

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def settings(self, **extra) -> dict:
        """The app's settings for signing in with this provider as the force's tenant."""
        return {
            "OIDC_DISCOVERY_URL": self.discovery_url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_TENANT": TENANT,
            **extra,
        }

    def person(self, sub: str, email: str, **claims) -> str:
        """Give the provider a person; by default verified, in the force's tenant, signed in with MFA."""
        body = {"email": email, "email_verified": True, "tid": TENANT, "oid": sub, "amr": ["pwd", "mfa"]}
        body.update(claims)
        answer = requests.put(f"{self.url}/users/{quote(sub)}", json=body, timeout=10)
        assert answer.status_code == 204, answer.text
        return sub

    def approve(self, authorize_url: str, sub: str) -> str:
        """What the person's browser does on the provider's page: sign in as `sub`. Returns where the
        provider sends them back to (our callback, with the code and state)."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


class Providers:
    """A good provider, and one whose tokens are already expired when issued (beyond any leeway)."""

    def __init__(self) -> None:
        self._stack = ExitStack()

    def __enter__(self) -> Providers:
        import oidc_provider_mock

        good = self._stack.enter_context(oidc_provider_mock.run_server_in_thread(require_nonce=True))
        stale = self._stack.enter_context(
            oidc_provider_mock.run_server_in_thread(access_token_max_age=timedelta(minutes=-10))
        )
        self.good = Provider(f"http://localhost:{good.server_port}")
        self.expired = Provider(f"http://localhost:{stale.server_port}")
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()


class MicrosoftAuthority:
    """Microsoft's sign-in service as the mail poller and outbox meet it: the same provider over TLS (MSAL
    insists on https), with an Entra-shaped OpenID configuration under the tenant and a client-credentials
    token endpoint. Its tokens are the provider's own access tokens for the mailbox, so the provider's
    userinfo (which Dovecot's oauth2 passdb asks) knows them, and revoking them is the provider's."""

    def __init__(self, folder: Path, mailbox: str, lifetime_seconds: int = 3600) -> None:
        self.folder, self.mailbox, self.lifetime_seconds = folder, mailbox, lifetime_seconds
        self.issued: list[str] = []
        self.certificates: list = []  # the app registration's uploaded certificates
        self.cert = folder / "authority-cert.pem"  # made on entering

    def __enter__(self) -> MicrosoftAuthority:
        import flask
        import oidc_provider_mock
        import werkzeug.serving
        from oidc_provider_mock._storage import AccessToken, storage

        _cert, key = harness.self_signed(self.folder, "localhost", stem="authority-")
        app = oidc_provider_mock.app()
        entra = flask.Blueprint("entra", __name__)

        @entra.get("/<tenant>/v2.0/.well-known/openid-configuration")
        def configuration(tenant: str):
            base = flask.request.host_url.rstrip("/")
            return {
                "issuer": f"{base}/{tenant}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/authorize",
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @entra.post("/<tenant>/oauth2/v2.0/token")
        def client_credentials(tenant: str):
            form = flask.request.form
            if form.get("client_assertion"):
                refused = self._check_assertion(form, flask.request.base_url, tenant)
            elif (tenant, form.get("client_id"), form.get("client_secret")) != (
                TENANT,
                CLIENT_ID,
                CLIENT_SECRET,
            ):
                refused = "AADSTS7000215: Invalid client secret."
            else:
                refused = None
            if refused:
                return {"error": "invalid_client", "error_description": refused}, 401
            if form.get("grant_type") != "client_credentials":
                return {"error": "unsupported_grant_type"}, 400
            token = secrets.token_urlsafe(32)
            expires = datetime.now(UTC) + timedelta(seconds=self.lifetime_seconds)
            storage.store_access_token(
                AccessToken(token=token, user_id=self.mailbox, scope="", expires_at=expires)
            )
            self.issued.append(token)
            return {"token_type": "Bearer", "expires_in": self.lifetime_seconds, "access_token": token}

        app.register_blueprint(entra)
        self.server = werkzeug.serving.make_server(
            "localhost", 0, app, threaded=True, ssl_context=(str(self.cert), str(key))
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"https://localhost:{self.server.server_port}"
        answer = requests.put(f"{self.url}/users/{self.mailbox}", json={}, timeout=10, verify=str(self.cert))
        assert answer.status_code == 204
        return self

    def register_certificate(self, cert: Path) -> None:
        """Upload a certificate's public part to the app registration (Certificates & secrets)."""
        from cryptography import x509

        self.certificates.append(x509.load_pem_x509_certificate(cert.read_bytes()))

    def _check_assertion(self, form, token_endpoint: str, tenant: str) -> str | None:
        """Entra's check of a certificate credential: a JWT signed with the key of a certificate uploaded
        to the registration (named by its SHA-256 thumbprint), for this token endpoint, from this client."""
        import base64

        import jwt
        from cryptography.hazmat.primitives import hashes

        assertion = form["client_assertion"]
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return "AADSTS50027: Invalid client assertion type."
        thumbprint = (jwt.get_unverified_header(assertion).get("x5t#S256") or "").rstrip("=")
        for cert in self.certificates:
            if (
                base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA256())).rstrip(b"=").decode()
                == thumbprint
            ):
                break
        else:
            return (
                "AADSTS700027: The certificate with identifier used to sign the client assertion is not "
                f"registered on application. [Thumbprint: {thumbprint}]"
            )
        try:
            claims = jwt.decode(
                assertion, cert.public_key(), algorithms=["PS256"], audience=token_endpoint, issuer=CLIENT_ID
            )
        except jwt.InvalidTokenError as exc:
            return f"AADSTS700027: Client assertion failed signature validation. ({exc})"
        if tenant != TENANT or claims.get("sub") != CLIENT_ID:
            return "AADSTS700016: Application not found in the directory."
        return None

    def revoke(self) -> None:
        """An administrator revokes the app's tokens (or its access) at Microsoft."""
        answer = requests.post(
            f"{self.url}/users/{self.mailbox}/revoke-tokens", timeout=10, verify=str(self.cert)
        )
        assert answer.status_code == 204

    def settings(self) -> dict:
        return {
            "IMAP_AUTH": "xoauth2",
            "IMAP_OAUTH_AUTHORITY": self.url,
            "IMAP_OAUTH_TENANT": TENANT,
            "IMAP_OAUTH_CLIENT_ID": CLIENT_ID,
            "IMAP_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        }

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(5)
