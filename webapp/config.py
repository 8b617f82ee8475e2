"""Settings: one home for every knob. Each comes from an `IAG_*` environment variable, then from
`instance/config.toml`, then from the default below. The README lists them all (a test checks it)."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _version() -> str:
    """The release, from pyproject.toml as installed (shown on /healthz and in the staff footer)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("iag-membership")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


VERSION = _version()
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", None, "Folder for the database, stored files and secrets (default: instance/)"),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL; default SQLite at instance/iag.sqlite3. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    ),
    Setting("SECRET_KEY", None, "Signs sessions and links; default: generated once into instance/secret_key"),
    Setting("DEPLOYMENT_FILE", None, "The force's deployment file (TOML); default instance/deployment.toml"),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public address used in emailed links"),
    Setting("COOKIE_SECURE", False, "Send cookies over HTTPS only (set true in production)", bool),
    Setting(
        "SESSION_IDLE_MINUTES", 30, "Staff and member sessions end after this long without a request", int
    ),
    Setting(
        "SESSION_MAX_HOURS",
        12,
        "Staff and member sessions end this long after sign-in, whatever happens",
        int,
    ),
    Setting("LOCKOUT_ATTEMPTS", 10, "Failed sign-in attempts before a staff account is locked", int),
    Setting("LOCKOUT_MINUTES", 15, "How long a locked staff account stays locked", int),
    Setting(
        "PASSWORD_HASHING",
        "standard",
        "argon2id cost of staff passwords: standard (RFC 9106 low-memory); test (cheapest) is for the test "
        "suite and is refused unless the app is built for testing",
    ),
    Setting("ENROLMENT_DAYS", 7, "How long a staff enrolment link works", int),
    Setting("MAIL_FROM", None, "From address of outgoing mail; default: the deployment's mailbox"),
    Setting(
        "SMTP_HOST", None, "SMTP server for outgoing mail; unset: mail is written to instance/sent-mail/"
    ),
    Setting("SMTP_PORT", 587, "SMTP port", int),
    Setting("SMTP_TLS", "starttls", "SMTP security: starttls, ssl or none"),
    Setting("SMTP_USERNAME", None, "SMTP user name (optional)"),
    Setting("SMTP_PASSWORD", None, "SMTP password (optional)"),
    Setting(
        "SMTP_AUTH",
        "password",
        "SMTP sign-in: password, or xoauth2 (Microsoft 365: the IAG_IMAP_OAUTH_* app registration's token)",
    ),
    Setting(
        "SEND_MAIL_WITH",
        "smtp",
        "smtp (IAG_SMTP_*; unset host: instance/sent-mail/), or graph: Microsoft Graph sendMail",
    ),
    Setting("GRAPH_MAILBOX", None, "Address mail is sent as through Microsoft Graph (graph)"),
    Setting(
        "GRAPH_URL", "https://graph.microsoft.com", "Microsoft Graph (graph): the global cloud's, or another"
    ),
    Setting("SIGNING_DAYS", 30, "How long a link to sign the confidentiality agreement works", int),
    Setting("REMINDER_DAYS", 5, "Days between reminders to sign, until signed, expired or cancelled", int),
    Setting(
        "SMS_SENDER",
        "",
        "Text messages for urgent call-outs: empty (none), file (written to instance/sent-sms/) or notify "
        "(GOV.UK Notify)",
    ),
    Setting("NOTIFY_API_KEY", None, "GOV.UK Notify API key (with IAG_SMS_SENDER=notify)"),
    Setting("NOTIFY_SMS_TEMPLATE_ID", None, "GOV.UK Notify SMS template whose whole text is ((message))"),
    Setting("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk", "GOV.UK Notify's API address"),
    Setting(
        "ELECTION_TIE_RULE",
        "lot",
        "How a tied election is settled: lot (drawn at random by the service when the votes are counted)",
    ),
    Setting("OFFICE_TERM_YEARS", 2, "How long a Chair or Vice Chair elected by the members serves", int),
    Setting("MILEAGE_PENCE_PER_MILE", 45, "Mileage paid on members' expenses, in pence per mile", int),
    Setting("MEETING_REMINDER_DAYS", 3, "Members are reminded of a meeting this many days before it", int),
    Setting("SEAL_CERT", None, "Seal certificate (PEM); default instance/seal/cert.pem"),
    Setting("SEAL_KEY", None, "The seal's private key (PEM); default instance/seal/key.pem"),
    Setting("SEAL_KEY_PASSWORD", None, "Password of the seal's private key, if it has one"),
    Setting("APPEAL_DAYS", 28, "Days an unsuccessful applicant has to appeal from the decision", int),
    Setting(
        "RETENTION_DRAFT_DAYS",
        30,
        "Unfinished web applications are deleted this long after last touched (their resume link "
        "lasts 30 days, so keep this at 30 or more)",
        int,
    ),
    Setting(
        "RETENTION_CLOSED_DAYS",
        365,
        "Unsuccessful, withdrawn and referred applications are erased this long after closing",
        int,
    ),
    Setting(
        "RETENTION_EMAIL_DAYS",
        365,
        "Received emails (with attachments) and sent emails are cleared this long after",
        int,
    ),
    Setting("RETENTION_MEMBER_DAYS", 365, "A former member's data is erased this long after they left", int),
    Setting("LOG_FORMAT", "text", "Log lines as text, or json (one object per line, with the request id)"),
    Setting(
        "REDIS_URL",
        None,
        "Redis for rate limits shared by every web instance (redis://host:6379/0); unset: counted in "
        "each process's memory",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies in front of the app set X-Forwarded-For/-Proto (the client address "
        "is read from them); 0: none",
        int,
    ),
    Setting(
        "RATE_LIMIT_SIGN_IN",
        "20 per 10 minutes",
        "Staff sign-in attempts (password, code or force account), per address",
    ),
    Setting("RATE_LIMIT_APPLY", "60 per hour", "Applications started and submitted per address (all groups)"),
    Setting(
        "RATE_LIMIT_EMAIL",
        "20 per hour",
        "Requests that email a link (save for later, 'send me my link') per address",
    ),
    Setting("OUTBOX_MAX_ATTEMPTS", 8, "Delivery attempts before an outgoing email is marked failed", int),
    Setting(
        "OIDC_DISCOVERY_URL",
        None,
        "Staff sign-in with the force's Microsoft Entra ID: the OpenID Connect discovery URL, "
        "https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration; unset: off",
    ),
    Setting("OIDC_CLIENT_ID", None, "The app registration's client ID (staff sign-in)"),
    Setting("OIDC_CLIENT_SECRET", None, "The app registration's client secret (staff sign-in)"),
    Setting(
        "OIDC_TENANT", None, "Only accept people of this tenant (the `tid` claim): the force's tenant ID"
    ),
    Setting("OIDC_REQUIRE_MFA", False, "Refuse a force sign-in without `mfa` in its `amr` claim", bool),
    Setting(
        "OIDC_GROUP_ROLES",
        None,
        "Roles granted from Entra group claims: `OBJECT-ID=role` or `OBJECT-ID=role@group-slug`, "
        "comma-separated; unset: roles are granted in the app only",
    ),
    Setting("OIDC_LOGOUT", True, "Signing out here also signs out at the provider (RP-initiated)", bool),
    Setting(
        "PASSWORD_SIGN_IN",
        "everyone",
        "Who may sign in with password and code: everyone, or outside-tenant (accounts never signed in "
        "with the force account, e.g. volunteer Chairs)",
    ),
    Setting("METRICS", False, "Serve Prometheus metrics at /metrics (to IAG_METRICS_ALLOWED only)", bool),
    Setting(
        "METRICS_ALLOWED",
        "127.0.0.0/8,::1/128",
        "Networks that may read /metrics, comma-separated (e.g. the monitoring server's 10.1.2.0/24)",
    ),
    Setting("IMAP_HOST", None, "IMAP server of the shared mailbox"),
    Setting("IMAP_PORT", 993, "IMAP port", int),
    Setting("IMAP_TLS", True, "Use TLS with certificate checks for IMAP", bool),
    Setting("IMAP_USERNAME", None, "IMAP user name"),
    Setting("IMAP_PASSWORD", None, "IMAP password"),
    Setting("IMAP_FOLDER", "INBOX", "Folder the poller reads"),
    Setting(
        "IMAP_PROCESSED_FOLDER", "Processed", "Folder ingested messages are moved to (created if missing)"
    ),
    Setting("IMAP_QUARANTINE_FOLDER", "Quarantine", "Folder for messages that could not be ingested"),
    Setting("IMAP_AUTH", "password", "IMAP sign-in: password, or xoauth2 (Microsoft 365 app-only)"),
    Setting("IMAP_OAUTH_TENANT", None, "Microsoft 365 tenant ID (xoauth2)"),
    Setting("IMAP_OAUTH_CLIENT_ID", None, "App registration's client ID (xoauth2)"),
    Setting("IMAP_OAUTH_CLIENT_SECRET", None, "App registration's client secret (xoauth2; or a certificate)"),
    Setting(
        "IMAP_OAUTH_CLIENT_CERTIFICATE",
        None,
        "App registration's certificate (xoauth2): PEM file with the private key and certificate, or .pfx",
    ),
    Setting("IMAP_OAUTH_CERTIFICATE_PASSWORD", None, "Password of the certificate's .pfx or private key"),
    Setting(
        "IMAP_OAUTH_AUTHORITY",
        "https://login.microsoftonline.com",
        "Where mailbox tokens come from (xoauth2): Microsoft's global cloud, or a national cloud's",
    ),
    Setting(
        "MAILDIR_PATH", None, "With no IMAP_HOST: a local Maildir to read instead; default instance/mailbox"
    ),
    Setting("MAIL_MAX_MESSAGE_MB", 25, "Larger messages are quarantined before their body is fetched", int),
    Setting("MAIL_MAX_ATTACHMENTS", 20, "More attachments than this and the message is quarantined", int),
    Setting(
        "MAIL_MAX_ATTACHMENT_MB",
        20,
        "An attachment larger than this is not kept (the message is flagged)",
        int,
    ),
    Setting(
        "MAIL_POLL_SECONDS", 60, "How often the poller looks for mail when IDLE is missing or drops", int
    ),
    Setting(
        "MAIL_LEASE_SECONDS",
        60,
        "How long a poller's lock lasts without renewal (a dead poller's expires)",
        int,
    ),
)


def _coerce(setting: Setting, raw: Any) -> Any:
    if raw is None or setting.kind is str or isinstance(raw, setting.kind):
        return raw
    if setting.kind is bool:
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"IAG_{setting.name} must be true or false, not {raw!r}")
    try:
        return setting.kind(raw)
    except ValueError as exc:
        raise ValueError(f"IAG_{setting.name} must be a whole number, not {raw!r}") from exc


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict:
    """Resolve every setting. `overrides` (used by tests and the CLI) beat the environment."""
    environ = dict(os.environ if environ is None else environ)
    overrides = overrides or {}
    instance = Path(overrides.get("INSTANCE_PATH") or environ.get("IAG_INSTANCE_PATH") or DEFAULT_INSTANCE)
    file_values: dict[str, Any] = {}
    config_file = instance / "config.toml"
    if config_file.exists():
        file_values = {k.upper(): v for k, v in tomllib.loads(config_file.read_text()).items()}
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            raw = overrides[setting.name]
        elif f"IAG_{setting.name}" in environ:
            raw = environ[f"IAG_{setting.name}"]
        else:
            raw = file_values.get(setting.name, setting.default)
        values[setting.name] = _coerce(setting, raw)
    values["INSTANCE_PATH"] = str(instance)
    instance.mkdir(parents=True, exist_ok=True)
    values["DATABASE_URL"] = values["DATABASE_URL"] or f"sqlite:///{instance / 'iag.sqlite3'}"
    values["DEPLOYMENT_FILE"] = values["DEPLOYMENT_FILE"] or str(instance / "deployment.toml")
    values["MAILDIR_PATH"] = values["MAILDIR_PATH"] or str(instance / "mailbox")
    values["SECRET_KEY"] = values["SECRET_KEY"] or _instance_secret(instance)
    _check_secret_key(values["SECRET_KEY"])
    return values


MIN_SECRET_KEY = 32
# Words of the examples and of placeholders: a key containing one was copied, not made.
PLACEHOLDER_WORDS = ("change-me", "changeme", "example", "secret-key", "your-key", "replace")


def _check_secret_key(key: str) -> None:
    """Refuse a key anyone could know: short, or the example's placeholder. Sessions and links are signed
    with it; with a known key anyone can forge a signed-in session."""
    if len(key) < MIN_SECRET_KEY:
        raise ValueError(
            f"IAG_SECRET_KEY is {len(key)} characters long: it must be at least {MIN_SECRET_KEY}. "
            "Make one with: flask --app webapp make-secret-key"
        )
    if any(word in key.lower() for word in PLACEHOLDER_WORDS):
        raise ValueError(
            "IAG_SECRET_KEY is the example's placeholder, not a secret. "
            "Make one with: flask --app webapp make-secret-key"
        )


def _instance_secret(instance: Path) -> str:
    """A secret key made on first run and kept in instance/ (git-ignored), readable by its owner only."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
