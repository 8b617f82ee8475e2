import time
from bench.mail_ingest import ordinary
from mail_ingest.parse import parse
from mail_ingest.intent import intent_of, language_of
msgs = [ordinary(n) for n in range(600)]
language_of("warm up the model for the language please")
t = time.perf_counter(); ps = [parse(m) for m in msgs]; print("parse", (time.perf_counter()-t)/600*1000, "ms")
t = time.perf_counter(); [intent_of(p.subject, p.text_body) for p in ps]; print("intent", (time.perf_counter()-t)/600*1000, "ms")
t = time.perf_counter(); [language_of(p.text_body[:300]) for p in ps]; print("language", (time.perf_counter()-t)/600*1000, "ms")
