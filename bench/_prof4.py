import tempfile, mailbox, time
from pathlib import Path
from tests import harness
from tests.conftest import make_app
from bench.mail_ingest import ordinary
from mail_ingest.poller import Poller, open_source
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
from webapp.services import news
calls = {"q": 0}
orig = news.holders
from sqlalchemy import event
tmp = Path(tempfile.mkdtemp())
url = f"sqlite:///{tmp}/p.sqlite3"
migrate.upgrade(url)
app = make_app(url, tmp / "inst", harness.free_port(), MAILDIR_PATH=str(tmp / "mb"))
eng = app.extensions["iag_engine"]
stmts = {}
@event.listens_for(eng, "before_cursor_execute")
def count(conn, cursor, statement, *a):
    k = statement.split()[0] + " " + (statement.split("FROM")[1].split()[0] if "FROM" in statement else statement.split()[2] if len(statement.split())>2 else "")
    stmts[k] = stmts.get(k, 0) + 1
with session_scope(app) as s: sync_groups(s, app.extensions["deployment"])
box = mailbox.Maildir(tmp / "mb", create=True)
for n in range(600): box.add(ordinary(n))
p = Poller(app); src = open_source(app); p.take_lease(src)
from mail_ingest import intent; intent.language_of("warm up the model for the language")
stmts.clear()
t=time.perf_counter(); r = p.poll_once(src); print(r, time.perf_counter()-t)
for k, v in sorted(stmts.items(), key=lambda kv: -kv[1])[:15]: print(v, k)
