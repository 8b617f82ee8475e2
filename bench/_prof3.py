import cProfile, pstats, tempfile, mailbox, time
from pathlib import Path
from tests import harness
from tests.conftest import make_app
from bench.mail_ingest import ordinary
from mail_ingest.poller import Poller, open_source
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups
tmp = Path(tempfile.mkdtemp())
url = f"sqlite:///{tmp}/p.sqlite3"
migrate.upgrade(url)
app = make_app(url, tmp / "inst", harness.free_port(), MAILDIR_PATH=str(tmp / "mb"))
with session_scope(app) as s: sync_groups(s, app.extensions["deployment"])
box = mailbox.Maildir(tmp / "mb", create=True)
for n in range(600): box.add(ordinary(n))
p = Poller(app); src = open_source(app); p.take_lease(src)
from mail_ingest import intent; intent.language_of("warm up the model for the language")
pr = cProfile.Profile(); t=time.perf_counter(); pr.enable()
r = p.poll_once(src)
pr.disable(); print(r, time.perf_counter()-t)
pstats.Stats(pr).sort_stats("cumulative").print_stats("webapp|ingest.py|inbound|news|wording", 40)
