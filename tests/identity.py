"""The stand-in for Microsoft Entra ID: a real OpenID Connect provider (oidc-provider-mock, authlib inside)
on loopback. Tests say who a person is (their claims) and sign in as them through its authorization form."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import requests

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
