"""gunicorn settings for IAG Membership in production:

    .venv/bin/gunicorn -c webapp/gunicorn_conf.py --bind 127.0.0.1:8000 'webapp:create_app()'

Every setting here can be changed on the command line (`--workers 4`) or with GUNICORN_CMD_ARGS. The app
itself is configured by its IAG_* settings (README, "Settings"), the same for every instance.
"""

import multiprocessing

bind = "127.0.0.1:8000"  # behind a reverse proxy (nginx, a load balancer) that terminates TLS
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"  # a slow client holds a thread, not a whole worker
threads = 4
timeout = 60  # letters and agreements are rendered as PDF inside a request
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # restart a worker now and then: WeasyPrint's caches grow
max_requests_jitter = 200
# The app writes one line per request, with its request id, to the log; gunicorn's own would repeat it.
accesslog = None
errorlog = "-"
# Workers build the app themselves after the fork: no database connection is shared between processes.
preload_app = False
