"""Sending through Microsoft Graph (`sendMail`) instead of SMTP, for a tenant that has turned SMTP AUTH off.
The message goes as MIME, so it is the very message SMTP would send (headers, Message-ID, attachments, the
calendar invitation), sent as the group's mailbox with the app registration's `Mail.Send` permission."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote, urlsplit

import requests

from webapp.services.mail_tokens import TokenSource
from webapp.services.outbox import Undeliverable

GRAPH = "https://graph.microsoft.com"
# Graph takes a MIME message of up to 4 MB in one request (base64 included).
MIME_LIMIT = 4 * 1024 * 1024


@dataclass
class GraphTransport:
    mailbox: str  # the address mail is sent as (and whose Sent Items keeps a copy)
    tokens: TokenSource
    base_url: str = GRAPH
    timeout: float = 30

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or self.base_url

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 443

    @property
    def where(self) -> str:
        return f"Microsoft Graph ({self.base_url}) as {self.mailbox}"

    def _token(self) -> str:
        return self.tokens.token(scope=f"{self.base_url.rstrip('/')}/.default")

    def check(self) -> None:
        """Get a token for Graph (`check-mail`). Whether it may send as the mailbox shows only by sending."""
        self._token()

    def send(self, message: EmailMessage) -> None:
        body = base64.b64encode(message.as_bytes())
        if len(body) > MIME_LIMIT:
            raise Undeliverable(
                f"This email is {len(body) // 1024} KB once encoded; Microsoft Graph takes at most "
                f"{MIME_LIMIT // 1024} KB. Send it through SMTP, or make its attachments smaller."
            )
        url = f"{self.base_url.rstrip('/')}/v1.0/users/{quote(self.mailbox)}/sendMail"
        headers = {"Authorization": f"Bearer {self._token()}", "Content-Type": "text/plain"}
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ConnectionError(f"Could not reach Microsoft Graph at {self.base_url}: {exc}") from exc
        if answer.status_code == 202:
            return
        if answer.status_code == 401:
            self.tokens.forget()  # the next try asks for a new token
        raise ConnectionError(self._explain(answer))

    def _explain(self, answer: requests.Response) -> str:
        try:
            error = answer.json().get("error") or {}
        except ValueError:
            error = {}
        said = f"{answer.status_code} {error.get('code', '')}: {error.get('message', answer.text[:200])}"
        if answer.status_code == 401:
            return (
                f"Microsoft Graph refused the token ({said}). Check the app registration is in this tenant "
                "and its certificate or secret has not expired. A new token is asked for on the next try."
            )
        if answer.status_code == 403:
            return (
                f"Microsoft Graph would not send as {self.mailbox} ({said}). Check the app registration has "
                "the Mail.Send application permission (admin consent given) and that its application access "
                "policy (or RBAC for Applications) includes this mailbox."
            )
        if answer.status_code == 404:
            return f"Microsoft Graph has no mailbox {self.mailbox} ({said}): check IAG_GRAPH_MAILBOX."
        if answer.status_code in (429, 503, 504):
            wait = answer.headers.get("Retry-After")
            asked = f" (it asked for {wait} s)" if wait else ""
            return f"Microsoft Graph is busy ({said}); the outbox tries again later{asked}."
        return f"Microsoft Graph did not send the email ({said})."
