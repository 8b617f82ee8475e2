def on_both_databases(run) -> None:
    """Start a private Dovecot and SMTP sink, then call `run(database, url, dovecot, sink, work)` for SQLite
    and, when it is reachable, PostgreSQL (a database made for the run and dropped after)."""
    import tempfile
    from pathlib import Path

    from tests import harness
    from tests.conftest import IMAP_PASSWORD, IMAP_USER

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = harness.Dovecot(work / "dovecot")
        server.start({IMAP_USER: IMAP_PASSWORD})
        sink = harness.SMTPSink()
        sink.start()
        try:
            run("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", server, sink, work)
            if harness.postgres_reachable():
                database = harness.PostgresDatabase()
                try:
                    run("postgresql", database.create(), server, sink, work)
                finally:
                    database.drop()
            else:
                print("postgresql  not reachable on 127.0.0.1:5432; skipped")
        finally:
            sink.stop()
            server.stop()
