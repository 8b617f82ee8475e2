"""`flask --app webapp ...` commands: database, deployment, staff users, the event log, mail and the demo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.serving import run_simple

from webapp import backup, migrate, outgoing
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.services import events, leases, personal_data, retention
from webapp.services import staff as accounts
from webapp.workflow import STAFF_ROLES, Role


def register(app: Flask) -> None:
    for command in (
        db_upgrade,
        db_downgrade,
        backup_command,
        restore_command,
        load_deployment,
        create_user,
        verify_events,
        send_mail,
        retention_command,
        seed_demo,
        serve_demo,
        demo_code,
        member_link,
        send_reminders,
        send_digests,
        make_secret_key,
        make_seal_certificate,
        verify_agreement,
    ):
        app.cli.add_command(command)
    from mail_ingest.check import check_mail  # the mail checks are the poller's own code

    app.cli.add_command(check_mail)


def _policy() -> accounts.Policy:
    return accounts.Policy.of(current_app.config)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.command("db-downgrade")
@click.option("--yes", is_flag=True, help="Do it without asking.")
@with_appcontext
def db_downgrade(yes: bool) -> None:
    """Undo the latest migration step (to roll back a release: run it with the new release's code, then
    install the old release). Take a backup first."""
    url = current_app.config["DATABASE_URL"]
    at, to = migrate.current(url), migrate.previous(url)
    if at is None:
        raise click.ClickException("The database has no migrations applied: nothing to undo.")
    if not yes:
        click.confirm(f"Undo migration {at} (back to {to or 'an empty database'})?", abort=True)
    migrate.downgrade(url, "-1")
    click.echo(f"Database is back at migration {to or 'base'}.")


@click.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(archive: Path) -> None:
    """Write one archive of the database, stored files, raw mail, seal and deployment file."""
    try:
        manifest = backup.backup(current_app._get_current_object(), archive)  # type: ignore[attr-defined]
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up the {manifest['database']} database (migration {manifest['revision']}) and "
        f"{len(manifest['files']) - 1} files to {archive}. It holds personal data and the seal's key: "
        "keep it encrypted."
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust-unsigned",
    is_flag=True,
    help="Restore an archive not sealed with this IAG_SECRET_KEY (you know where it came from).",
)
@with_appcontext
def restore_command(archive: Path, trust_unsigned: bool) -> None:
    """Restore an archive into this (empty) instance, checking who made it and every checksum first."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        done = backup.restore(app, archive, trust_unsigned=trust_unsigned)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored the {done.database} database (migration {done.revision}) and {done.files} files; every "
        "checksum matched."
    )
    for path in done.outside:
        click.echo(f"Restored {path}: check it is where your settings expect it.")
    click.echo("Next: flask --app webapp db-upgrade, verify-events, and iag-mail reconcile.")


@click.command("load-deployment")
@with_appcontext
def load_deployment() -> None:
    """Create or update the groups described in the deployment file."""
    with session_scope() as session:
        changes = sync_groups(session, current_app.extensions["deployment"])
    click.echo("\n".join(changes) or "Groups already match the deployment file.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([str(r) for r in STAFF_ROLES]))
@click.option("--group", "group_slug", help="The group's slug, for a role held in a group")
@click.option("--name", default=None, help="The person's name (defaults to the email address)")
def create_user(email: str, role: str, group_slug: str | None, name: str | None) -> None:
    """Create a staff user and print their one-time enrolment link."""
    try:
        with session_scope() as session:
            _user, token = accounts.create_user(
                session, email, name or email, Role(role), group_slug, _policy()
            )
    except accounts.StaffError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {email} ({role}). Send them this one-time link to set up their account:")
    click.echo(f"{current_app.config['BASE_URL'].rstrip('/')}/staff/enrol/{token}")


@click.command("verify-events")
@with_appcontext
def verify_events() -> None:
    """Check that no event in the log has been edited, removed or reordered."""
    with session_scope() as session:
        result = events.verify(session)
    if result.intact:
        click.echo(f"Event log intact: {result.checked} events checked.")
        return
    for problem in result.problems:
        click.echo(f"BROKEN: {problem}", err=True)
    click.echo(f"Event log NOT intact: {len(result.problems)} problems in {result.checked} events.", err=True)
    sys.exit(1)


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running, sending due mail every few seconds")
def send_mail(loop: bool) -> None:
    """Send the email waiting in the outbox (retries failures with back-off)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy
    if loop:
        outgoing.run_worker(app, threading.Event())
        return
    sent, failed = outgoing.send_due(app, limit=10_000)
    click.echo(f"Sent {sent}; {failed} failed attempts will be retried.")


@click.command("retention")
@with_appcontext
@click.option("--dry-run", "mode", flag_value="dry-run", help="Say what is due, change nothing")
@click.option("--apply", "mode", flag_value="apply", help="Delete or erase what is due")
def retention_command(mode: str | None) -> None:
    """Apply the retention policy: delete or anonymise personal data that is due (run daily)."""
    if mode is None:
        raise click.UsageError("Say --dry-run to see what is due, or --apply to erase it.")
    sessions = current_app.extensions["iag_sessions"]
    holder = f"retention:{os.getpid()}"
    taken_by = leases.acquire(sessions, "retention", holder, 3600)
    if taken_by is not None:
        click.echo(f"Another retention run ({taken_by}) is in progress; nothing done.")
        return
    try:
        result = retention.run(
            sessions,
            personal_data.Stores.of(current_app),
            retention.Periods.from_config(current_app.config),
            apply=mode == "apply",
        )
    finally:
        leases.release(sessions, "retention", holder)
    click.echo("Erased:" if mode == "apply" else "Due (nothing changed):")
    click.echo("\n".join(f"  {line}" for line in result.lines()))


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Remind new members who have not signed their agreement yet and members of coming meetings, and
    count the elections whose voting has closed (run daily)."""
    from webapp.services import elections, interests, joining, meetings, terms, vetting

    with session_scope() as session:
        count = joining.send_reminders(session)
        coming = meetings.send_reminders(session)
        counted = elections.count_due(session)
        expiring = vetting.send_reminders(session)
        asked = interests.send_reminders(session)
        renewals = terms.send_asks(session)
    click.echo(f"Sent {count} reminder{'' if count == 1 else 's'} to sign.")
    click.echo(f"Sent {coming} meeting reminder{'' if coming == 1 else 's'}.")
    click.echo(f"Counted {counted} election{'' if counted == 1 else 's'}.")
    click.echo(f"Reminded {expiring} member{'' if expiring == 1 else 's'} of vetting about to expire.")
    click.echo(f"Asked {asked} member{'' if asked == 1 else 's'} to confirm their register of interests.")
    click.echo(f"Sent {renewals} email{'' if renewals == 1 else 's'} about terms coming to an end.")


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Tell staff of cases older than the reply time, then send each person their daily summary (run
    daily, e.g. at 7am)."""
    from webapp.services import news

    with session_scope() as session:
        overdue = news.tell_overdue(session)
        sent = news.send_digests(session)
    cases = "case" if overdue == 1 else "cases"
    summaries = "summary" if sent == 1 else "summaries"
    click.echo(f"Told of {overdue} overdue {cases}; sent {sent} daily {summaries}.")


@click.command("make-secret-key")
def make_secret_key() -> None:
    """Print a new random secret key for IAG_SECRET_KEY (64 hex characters)."""
    import secrets

    click.echo(secrets.token_hex(32))


@click.command("make-seal-certificate")
@with_appcontext
@click.option("--force", is_flag=True, help="Replace an existing certificate")
def make_seal_certificate(force: bool) -> None:
    """Make a self-signed seal certificate for signed agreements (for trying the service)."""
    from pathlib import Path

    from webapp.pdf.seal import make_certificate
    from webapp.services.signing import seal_settings

    settings = seal_settings(current_app)
    if Path(settings.cert_path).exists() and not force:
        click.echo(f"A seal certificate already exists at {settings.cert_path}.")
        return
    make_certificate(
        Path(settings.key_path), Path(settings.cert_path), current_app.extensions["deployment"].force_name
    )
    click.echo(f"Made a self-signed seal certificate: {settings.cert_path} (key {settings.key_path}).")


@click.command("verify-agreement")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_agreement(path: str) -> None:
    """Check that a PDF is a signed agreement sealed by this service and unaltered (exit 1 if not)."""
    import hashlib
    from pathlib import Path

    from webapp.models import SigningRequest
    from webapp.pdf.seal import verify
    from webapp.services.signing import seal_settings

    data = Path(path).read_bytes()
    verdict = verify(data, seal_settings(current_app))
    click.echo(verdict.summary)
    if not verdict.sealed_here:
        sys.exit(1)
    with session_scope() as session:
        found = session.scalar(
            select(SigningRequest).where(SigningRequest.pdf_sha256 == hashlib.sha256(data).hexdigest())
        )
        if found is not None:
            click.echo(f"Signed by {found.signed_name} on {found.signed_at:%Y-%m-%d %H:%M} UTC.")


DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (printed for the local demo only)
DEMO_STAFF = (
    ("coordinator@demo.invalid", "Priya Shah", Role.POLICE_COORDINATOR, "bristol"),
    ("chair@demo.invalid", "Tom Okafor", Role.CHAIR, "bristol"),
    ("admin@demo.invalid", "Jo Williams", Role.ADMIN_TEAM, "bristol"),
    ("somerset-chair@demo.invalid", "Sam Hughes", Role.CHAIR, "somerset"),
    ("somerset-coordinator@demo.invalid", "Chris Morgan", Role.POLICE_COORDINATOR, "somerset"),
    ("strategic.chair@demo.invalid", "Morgan Lee", Role.STRATEGIC_IAG_CHAIR, None),
    ("acc@demo.invalid", "Sian Roberts", Role.ASSISTANT_CHIEF_CONSTABLE, None),
    ("sysadmin@demo.invalid", "Alex Reed", Role.SYSTEM_ADMIN, None),
)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo staff and applications (once), and print how to sign in."""
    from webapp.demo import seed

    click.get_current_context().invoke(make_seal_certificate)  # a demo member signs a sealed agreement
    with session_scope() as session:
        loaded = seed(session, current_app.extensions["deployment"], DEMO_STAFF, DEMO_PASSWORD, _policy())
    if loaded and not current_app.config.get("IMAP_HOST"):
        from webapp.demo import seed_mailbox

        count = seed_mailbox(current_app.config["MAILDIR_PATH"], current_app.extensions["deployment"].mailbox)
        click.echo(f"Put {count} demo emails in {current_app.config['MAILDIR_PATH']} for the mail poller.")
    click.echo("Loaded demo data." if loaded else "Demo data already loaded.")
    click.echo(f"\nDemo staff (password for all: {DEMO_PASSWORD}):")
    for email, name, role, group in DEMO_STAFF:
        click.echo(f"  {email:32} {name:14} {role}{' of ' + group if group else ''}")
    click.echo("Each sign-in also asks for a code: run `make demo-code EMAIL=...` in another terminal,")
    click.echo("or add the printed key to an authenticator app (`flask --app webapp demo-code EMAIL --key`).")
    click.echo("\nDemo members of the Bristol IAG sign in at /members/sign-in: kwame@example.org,")
    click.echo(
        "siobhan@example.org, yusuf@example.org. The link is emailed (instance/sent-mail/ without an SMTP"
    )
    click.echo("server), or print one with `flask --app webapp member-link EMAIL`.")


@click.command("member-link")
@click.argument("email")
@with_appcontext
def member_link(email: str) -> None:
    """Print a sign-in link (single use, 15 minutes) for a current member: for someone helping a member
    who cannot get the email, and for trying the demo."""
    from webapp.services import member_sign_in, members, wording

    with session_scope() as session:
        member = members.by_email(session, email)
        if member is None or not members.current(session, member):
            raise click.ClickException(f"{email} is not a current member of any group.")
        token = member_sign_in.issue(session, member)
        click.echo(wording.link_to("members.use_link", token=token))


@click.command("demo-code")
@with_appcontext
@click.argument("email")
@click.option("--key", is_flag=True, help="Print the authenticator key instead of the current code")
def demo_code(email: str, key: bool) -> None:
    """Print the current sign-in code of a demo staff user (demo accounts only)."""
    if not email.endswith("@demo.invalid"):
        raise click.ClickException("Only demo accounts (@demo.invalid) have codes printed here.")
    with session_scope() as session:
        user = accounts.find_by_email(session, email)
        if user is None:
            raise click.ClickException(f"No demo user {email}.")
        click.echo(user.totp_secret if key else accounts.current_code(user))


@click.command("serve-demo")
@with_appcontext
@click.option("--port", default=5000, show_default=True)
def serve_demo(port: int) -> None:
    """Migrate, load the deployment and demo data, start the outbox worker, and serve on 127.0.0.1."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy
    ctx = click.get_current_context()
    ctx.invoke(db_upgrade)
    ctx.invoke(load_deployment)
    ctx.invoke(seed_demo)
    with session_scope() as session:
        from webapp.models import Group

        groups = session.scalars(select(Group.name)).all()
    click.echo(f"\n{len(groups)} groups. Mail sent by the app is kept in {app.instance_path}/sent-mail/")
    stop = threading.Event()
    threading.Thread(target=outgoing.run_worker, args=(app, stop), daemon=True, name="outbox").start()
    # The mail poller is its own process (mail_ingest depends on webapp, never the other way round).
    poller = subprocess.Popen([sys.executable, "-m", "mail_ingest.cli", "run"])
    where = app.config["IMAP_HOST"] or app.config["MAILDIR_PATH"]
    click.echo(
        f"Mail poller started on {where}. Drop an .eml file into {app.config['MAILDIR_PATH']}/new/ "
        "to see it arrive in the staff inbox."
        if not app.config["IMAP_HOST"]
        else f"Mail poller started on {where}."
    )
    time.sleep(0.1)
    click.echo(f"Serving on http://127.0.0.1:{port}  (Ctrl+C to stop)")
    # app.run() refuses to run inside a `flask` command, so serve with Werkzeug directly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the poller is stopped with the server
    try:
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        stop.set()
        poller.terminate()
        poller.wait(10)
