"""Microsoft 365 app-only OAuth2 tokens (client credentials through MSAL), for reading the mailbox over IMAP
and sending through SMTP: both sign in with XOAUTH2 and the same app registration. The registration proves
itself with a client secret or, as Microsoft recommends, a certificate (a PEM file with the private key and
the certificate, or a .pfx)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

MICROSOFT = "https://login.microsoftonline.com"
_PEM_BLOCK = r"-----BEGIN {0}-----[\s\S]+?-----END {0}-----"
PFX_SUFFIXES = (".pfx", ".p12")  # PKCS#12, as Windows exports a certificate with its key; else PEM


def _pem_block(text: str, kind: str) -> str | None:
    """The first PEM block of `kind` (a regular expression: "CERTIFICATE", "...PRIVATE KEY") in `text`."""
    found = re.search(_PEM_BLOCK.format(kind), text)
    return found.group(0) if found else None


def xoauth2(username: str, token: str) -> str:
    """The XOAUTH2 initial response (before base64) for SMTP AUTH (IMAPClient builds its own)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


class CertificateProblem(ConnectionError):
    """The registration's certificate file cannot be used (said in plain words)."""


@dataclass(frozen=True)
class Registration:
    """The app registration in Entra ID that reads and sends the group's mail (IAG_IMAP_OAUTH_*)."""

    tenant: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    certificate: str = ""  # path to the PEM (key and certificate) or .pfx file
    certificate_password: str = field(default="", repr=False)
    authority: str = MICROSOFT

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Registration:
        missing = [name for name in ("IMAP_OAUTH_TENANT", "IMAP_OAUTH_CLIENT_ID") if not config.get(name)]
        if not (config.get("IMAP_OAUTH_CLIENT_SECRET") or config.get("IMAP_OAUTH_CLIENT_CERTIFICATE")):
            missing.append("IMAP_OAUTH_CLIENT_CERTIFICATE (or IMAP_OAUTH_CLIENT_SECRET)")
        if missing:
            names = ", ".join(f"IAG_{m}" for m in missing)
            raise ValueError(f"Microsoft 365 OAuth2 is not configured: set {names}")
        return cls(
            tenant=config["IMAP_OAUTH_TENANT"],
            client_id=config["IMAP_OAUTH_CLIENT_ID"],
            client_secret=config.get("IMAP_OAUTH_CLIENT_SECRET") or "",
            certificate=config.get("IMAP_OAUTH_CLIENT_CERTIFICATE") or "",
            certificate_password=config.get("IMAP_OAUTH_CERTIFICATE_PASSWORD") or "",
            authority=config.get("IMAP_OAUTH_AUTHORITY") or MICROSOFT,
        )

    @property
    def proof(self) -> str:
        return "certificate" if self.certificate else "client secret"

    def credential(self) -> str | dict[str, str]:
        """What MSAL signs in with: the secret, or the certificate (MSAL signs its assertion with the key)."""
        if not self.certificate:
            return self.client_secret
        path = Path(self.certificate)
        password = {"passphrase": self.certificate_password} if self.certificate_password else {}
        if path.suffix.lower() in PFX_SUFFIXES:
            self._read(path, binary=True)  # there and readable: said plainly here, not by MSAL
            return {"private_key_pfx_path": str(path), **password}
        text = self._read(path)
        key = _pem_block(text, "(?:RSA |EC |ENCRYPTED )?PRIVATE KEY")
        certificate = _pem_block(text, "CERTIFICATE")
        if not (key and certificate):
            raise CertificateProblem(
                f"The certificate file {path} (IAG_IMAP_OAUTH_CLIENT_CERTIFICATE) must hold both the private "
                "key and the certificate, in PEM (or give a .pfx file)."
            )
        return {"private_key": key, "public_certificate": certificate, **password}

    def certificate_expires(self) -> datetime | None:
        """When the registration's certificate stops working (None with a secret: only Entra knows)."""
        if not self.certificate:
            return None
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import pkcs12

        path = Path(self.certificate)
        if path.suffix.lower() in PFX_SUFFIXES:
            password = self.certificate_password.encode() or None
            cert = pkcs12.load_key_and_certificates(self._read(path, binary=True), password)[1]
        else:
            found = _pem_block(self._read(path), "CERTIFICATE")
            cert = x509.load_pem_x509_certificate(found.encode()) if found else None
        return cert.not_valid_after_utc if cert else None

    @staticmethod
    def _read(path: Path, binary: bool = False) -> Any:
        try:
            return path.read_bytes() if binary else path.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CertificateProblem(
                f"The certificate file {path} (IAG_IMAP_OAUTH_CLIENT_CERTIFICATE) could not be read: {exc}"
            ) from exc


class TokenSource:
    """App-only OAuth2 tokens for Microsoft 365 (client credentials through MSAL). One per process and
    registration (`for_registration`), so MSAL's cache carries a token from one connection to the next and
    fetches a new one before the old expires. After the mailbox refuses a token, `forget` drops it: the
    next connection asks for a fresh one (a revoked token is not retried until it expires)."""

    OUTLOOK = "https://outlook.office365.com/.default"  # IMAP and SMTP
    _shared: dict[Registration, TokenSource] = {}

    def __init__(self, registration: Registration) -> None:
        self.registration = registration
        self.authority = f"{registration.authority.rstrip('/')}/{registration.tenant}"
        self._app: Any = None

    @classmethod
    def for_registration(cls, registration: Registration) -> TokenSource:
        if registration not in cls._shared:
            cls._shared[registration] = cls(registration)
        return cls._shared[registration]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TokenSource:
        """The app registration in the settings (IAG_IMAP_OAUTH_*: one registration reads and sends)."""
        return cls.for_registration(Registration.from_config(config))

    def _msal(self) -> Any:
        if self._app is None:
            import msal

            self._app = msal.ConfidentialClientApplication(
                self.registration.client_id,
                client_credential=self.registration.credential(),
                authority=self.authority,
                # Microsoft's own authorities are known to MSAL; another (a national cloud's, or the
                # tests' on loopback) is found through its OpenID configuration.
                instance_discovery=self.authority.startswith(MICROSOFT),
                timeout=30,
            )
        return self._app

    def token(self, scope: str = OUTLOOK) -> str:
        """A token for `scope`: Exchange Online's (IMAP, SMTP) unless told (Microsoft Graph's)."""
        proof = self.registration.proof
        try:
            result = self._msal().acquire_token_for_client(scopes=[scope])
        except CertificateProblem:
            raise
        except (OSError, ValueError) as exc:  # requests' connection errors are OSErrors
            if self.registration.certificate and not isinstance(exc, OSError):  # a wrong password, say
                raise CertificateProblem(
                    f"The certificate {self.registration.certificate} could not be used ({exc}): check the "
                    "file and IAG_IMAP_OAUTH_CERTIFICATE_PASSWORD."
                ) from exc
            raise ConnectionError(
                f"Could not reach the sign-in service at {self.authority} for a mailbox token: {exc}"
            ) from exc
        if "access_token" not in result:
            raise ConnectionError(
                f"Microsoft Entra ID refused a mailbox token ({result.get('error')}): "
                f"{result.get('error_description', result)}. Check the tenant ID, the client ID, and that "
                f"the {proof} is the app registration's own and has not expired."
            )
        return result["access_token"]

    def forget(self) -> None:
        self._app = None
