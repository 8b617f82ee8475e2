"""Microsoft 365 IMAP with OAuth2, end to end on this machine: MSAL fetches an app-only token from the
local stand-in for Microsoft's sign-in service, the poller signs in to Dovecot with XOAUTH2, and Dovecot's
oauth2 passdb asks the provider whom the token belongs to. A revoked token is a plain error, and the next
try asks for a new token."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import harness
from tests.conftest import IMAP_PASSWORD, IMAP_USER, imap_config
from tests.identity import MicrosoftAuthority
from tests.mail_ingest import mailgen
from tests.mail_ingest.test_poller import kinds, poll
from webapp.services.mail_tokens import TokenSource

pytestmark = pytest.mark.imap


@pytest.fixture(scope="module")
def microsoft_and_dovecot():
    folder = Path(tempfile.mkdtemp(prefix="iag-oauth-"))
    with MicrosoftAuthority(folder, IMAP_USER) as authority:
        server = harness.Dovecot(
            folder / "dovecot",
            oauth2_userinfo_url=f"{authority.url}/userinfo",
            oauth2_ca_file=str(authority.cert),
        )
        server.start({IMAP_USER: IMAP_PASSWORD})  # mail is delivered with it; the poller uses only OAuth2
        try:
            yield authority, server
        finally:
            server.stop()
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def microsoft(microsoft_and_dovecot, monkeypatch):
    authority, server = microsoft_and_dovecot
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(authority.cert))  # MSAL trusts the local authority
    monkeypatch.setattr(TokenSource, "_shared", {})  # each test's process-wide tokens start empty
    monkeypatch.setattr(authority, "lifetime_seconds", 3600)
    monkeypatch.setattr(authority, "certificates", [])
    authority.issued.clear()
    server.empty_mailboxes()
    return authority, server


def test_the_poller_reads_mail_with_an_oauth2_token_and_asks_again_when_it_is_refused(app, microsoft):
    authority, server = microsoft
    app.config.update(imap_config(server, IMAP_PASSWORD="", **authority.settings()))
    mailgen.append(server, [mailgen.plain("Joining the IAG", "I would like to apply.")])
    assert poll(app).ingested == 1
    assert poll(app).ingested == 0  # a second connection: MSAL's cached token, not a new one
    assert len(authority.issued) == 1
    assert kinds(app)["needs triage"] + kinds(app)["new application"] == 1
    checked = app.test_cli_runner().invoke(args=["check-mail"]).output
    assert f"Mailbox: signed in to {server.host}:{server.port} as strategiciag (xoauth2)." in checked

    authority.revoke()  # e.g. the app's access to the mailbox was withdrawn at Microsoft
    with pytest.raises(
        ConnectionError, match="The mailbox refused the OAuth2 token for strategiciag"
    ) as refused:
        poll(app)
    assert "IMAP.AccessAsApp" in str(refused.value) and "Add-MailboxPermission" in str(refused.value)
    # The refused token is forgotten: the next try gets a fresh one and reads the mailbox again.
    mailgen.append(server, [mailgen.plain("Another question", "When do you meet?")])
    assert poll(app).ingested == 1
    assert len(authority.issued) == 2


def test_a_token_close_to_expiry_is_replaced_before_it_is_used(app, microsoft):
    authority, server = microsoft
    authority.lifetime_seconds = 120  # MSAL renews a token with less than five minutes left
    app.config.update(imap_config(server, IMAP_PASSWORD="", **authority.settings()))
    poll(app)
    poll(app)
    assert len(authority.issued) == 2


def test_a_wrong_client_secret_is_explained(app, microsoft):
    authority, server = microsoft
    app.config.update(
        imap_config(server, **{**authority.settings(), "IMAP_OAUTH_CLIENT_SECRET": "old-secret"})
    )
    with pytest.raises(
        ConnectionError, match=r"refused a mailbox token .*Invalid client secret.*has not expired"
    ):
        poll(app)
    checked = app.test_cli_runner().invoke(args=["check-mail"])
    assert checked.exit_code == 1
    assert "NOT WORKING. Microsoft Entra ID refused a mailbox token (invalid_client)" in checked.output


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for the app registration, as `openssl` or the Entra docs make one: the PEM file the
    app is given (key and certificate) and the public part uploaded to the registration."""
    cert, key = harness.self_signed(folder, name, stem=f"{name}-")
    both = folder / f"{name}.pem"
    both.write_text(key.read_text() + cert.read_text())
    return both, cert


def test_the_registration_can_prove_itself_with_a_certificate_in_pem_or_pfx(app, microsoft, tmp_path):
    authority, server = microsoft
    pem, public = _certificate(tmp_path, "iag-mail")
    authority.register_certificate(public)
    with_certificate = {
        **authority.settings(),
        "IMAP_OAUTH_CLIENT_SECRET": "",
        "IMAP_OAUTH_CLIENT_CERTIFICATE": str(pem),
    }
    app.config.update(imap_config(server, IMAP_PASSWORD="", **with_certificate))
    mailgen.append(server, [mailgen.plain("Joining the IAG", "I would like to apply.")])
    assert poll(app).ingested == 1
    checked = app.test_cli_runner().invoke(args=["check-mail"]).output
    assert "app registration iag-membership, with its certificate, which expires on" in checked
    assert "(in 1 day): RENEW IT NOW. Upload the new certificate to the app registration" in checked
    # The same certificate as a .pfx with a password, as Windows exports it.
    pfx = tmp_path / "iag-mail.pfx"
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-in", str(pem), "-out", str(pfx), "-passout", "pass:pfx-password"],
        check=True,
        capture_output=True,
    )
    app.config.update(IMAP_OAUTH_CLIENT_CERTIFICATE=str(pfx), IMAP_OAUTH_CERTIFICATE_PASSWORD="pfx-password")
    mailgen.append(server, [mailgen.plain("A question", "When do you meet?")])
    assert poll(app).ingested == 1
    assert len(authority.issued) == 2  # one token for each registration's credential


def test_a_certificate_that_cannot_be_used_is_explained(app, microsoft, tmp_path):
    authority, server = microsoft
    registered, public = _certificate(tmp_path, "registered")
    authority.register_certificate(public)
    other, _ = _certificate(tmp_path, "not-uploaded")
    settings = {**authority.settings(), "IMAP_OAUTH_CLIENT_SECRET": ""}
    app.config.update(imap_config(server, IMAP_PASSWORD="", **settings))

    def says(**change) -> str:
        app.config.update(change)
        checked = app.test_cli_runner().invoke(args=["check-mail"])
        assert checked.exit_code == 1
        return checked.output

    assert "set IAG_IMAP_OAUTH_CLIENT_CERTIFICATE (or IMAP_OAUTH_CLIENT_SECRET)" in says()
    refused = says(IMAP_OAUTH_CLIENT_CERTIFICATE=str(other))
    assert "Microsoft Entra ID refused a mailbox token (invalid_client): AADSTS700027" in refused
    assert "the certificate is the app registration's own" in refused
    only_the_key = tmp_path / "key-only.pem"
    only_the_key.write_text(registered.read_text().split("-----BEGIN CERTIFICATE-----")[0])
    assert "must hold both the private key and the certificate" in says(
        IMAP_OAUTH_CLIENT_CERTIFICATE=str(only_the_key)
    )
    assert "could not be read" in says(IMAP_OAUTH_CLIENT_CERTIFICATE=str(tmp_path / "gone.pem"))
    pfx = tmp_path / "registered.pfx"
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-in", str(registered), "-out", str(pfx), "-passout", "pass:right"],
        check=True,
        capture_output=True,
    )
    wrong = says(IMAP_OAUTH_CLIENT_CERTIFICATE=str(pfx), IMAP_OAUTH_CERTIFICATE_PASSWORD="wrong")
    assert (
        f"The certificate {pfx} could not be used" in wrong and "IAG_IMAP_OAUTH_CERTIFICATE_PASSWORD" in wrong
    )
    assert authority.issued == []
