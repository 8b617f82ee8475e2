"""Microsoft 365 app-only OAuth2 tokens (client credentials through MSAL), for reading the mailbox over IMAP
and sending through SMTP: both sign in with XOAUTH2 and the same app registration."""

from __future__ import annotations

from typing import Any

MICROSOFT = "https://login.microsoftonline.com"


def xoauth2(username: str, token: str) -> str:
    """The XOAUTH2 initial response (before base64) for SMTP AUTH (IMAPClient builds its own)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


class TokenSource:
    """App-only OAuth2 tokens for Microsoft 365 (client credentials through MSAL). One per process and
    registration (`for_registration`), so MSAL's cache carries a token from one connection to the next and
    fetches a new one before the old expires. After the mailbox refuses a token, `forget` drops it: the
    next connection asks for a fresh one (a revoked token is not retried until it expires)."""

    SCOPES = ["https://outlook.office365.com/.default"]
    _shared: dict[tuple[str, ...], TokenSource] = {}

    def __init__(self, tenant: str, client_id: str, client_secret: str, authority: str = MICROSOFT) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.authority = f"{authority.rstrip('/')}/{tenant}"
        self._app: Any = None

    @classmethod
    def for_registration(cls, authority: str, tenant: str, client_id: str, client_secret: str) -> TokenSource:
        key = (authority, tenant, client_id, client_secret)
        if key not in cls._shared:
            cls._shared[key] = cls(tenant, client_id, client_secret, authority)
        return cls._shared[key]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TokenSource:
        """The app registration in the settings (IAG_IMAP_OAUTH_*: one registration reads and sends)."""
        return cls.for_registration(
            config.get("IMAP_OAUTH_AUTHORITY") or MICROSOFT,
            config.get("IMAP_OAUTH_TENANT") or "",
            config.get("IMAP_OAUTH_CLIENT_ID") or "",
            config.get("IMAP_OAUTH_CLIENT_SECRET") or "",
        )

    def _msal(self) -> Any:
        if self._app is None:
            import msal

            self._app = msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self.client_secret,
                authority=self.authority,
                # Microsoft's own authorities are known to MSAL; another (a national cloud's, or the
                # tests' on loopback) is found through its OpenID configuration.
                instance_discovery=self.authority.startswith(MICROSOFT),
                timeout=30,
            )
        return self._app

    def token(self) -> str:
        try:
            result = self._msal().acquire_token_for_client(scopes=self.SCOPES)
        except (OSError, ValueError) as exc:  # requests' connection errors are OSErrors
            raise ConnectionError(
                f"Could not reach the sign-in service at {self.authority} for a mailbox token: {exc}"
            ) from exc
        if "access_token" not in result:
            raise ConnectionError(
                f"Microsoft Entra ID refused a mailbox token ({result.get('error')}): "
                f"{result.get('error_description', result)}. Check the tenant ID, the client ID, and that "
                "the client secret (or certificate) has not expired."
            )
        return result["access_token"]

    def forget(self) -> None:
        self._app = None
