"""The README's nginx example, run by Debian's nginx on loopback with a self-signed certificate in front of
gunicorn: TLS and HSTS, the client address the app sees (not one a client makes up), body limits that
match the app's, and static files served by nginx, cached and compressed."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
from pathlib import Path

import requests

from tests import harness
from tests.conftest import AVON, make_app, seal_certificate
from tests.helpers import csrf_token
from webapp import migrate
from webapp.db import session_scope
from webapp.deployment import sync_groups

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
EXAMPLES = ROOT / "instance" / "examples" / "production"
CLIENT = "127.0.0.7"  # the "client" connects from its own loopback address


def _nginx_config(tmp: Path, http_port: int, https_port: int, app_port: int, cert: Path, key: Path) -> Path:
    """The example as a force would install it, with this test's ports and paths."""
    site = (EXAMPLES / "nginx.conf").read_text()
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace("/etc/ssl/iag/fullchain.pem", str(cert)).replace("/etc/ssl/iag/privkey.pem", str(key))
    site = site.replace("/srv/iag/webapp/static/", f"{ROOT}/webapp/static/")
    site = site.replace("/etc/nginx/iag_proxy_params", str(EXAMPLES / "iag_proxy_params"))
    site = site.replace("iag.force.example", "127.0.0.1")
    main = tmp / "nginx.conf"
    main.write_text(
        f"user root;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log {tmp}/access.log;\n"
        f" client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f" fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;\n"
        f"{site}\n}}\n"
    )
    return main


class Client:
    """A browser at CLIENT: cookies kept by hand, every request over TLS to nginx."""

    def __init__(self, port: int, cert: Path) -> None:
        self.port, self.cookies = port, {}
        self.context = ssl.create_default_context(cafile=str(cert))

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, source_address=(CLIENT, 0), timeout=30
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        data = answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return answer, data


def test_nginx_in_front_of_gunicorn(tmp_path, smtp_sink):
    if shutil.which("nginx") is None:
        harness.unavailable("nginx (apt-get install nginx)")
    seal_key, seal_cert = seal_certificate()
    app_port, http_port, https_port = harness.free_port(), harness.free_port(), harness.free_port()
    database = tmp_path / "iag.sqlite3"
    env = os.environ | {
        "IAG_DATABASE_URL": f"sqlite:///{database}",
        "IAG_INSTANCE_PATH": str(tmp_path / "instance"),
        "IAG_DEPLOYMENT_FILE": str(AVON),
        "IAG_SECRET_KEY": "proxy-test-secret-0123456789abcdef0123",
        "IAG_SMTP_HOST": "127.0.0.1",
        "IAG_SMTP_PORT": str(smtp_sink.port),
        "IAG_SMTP_TLS": "none",
        "IAG_SEAL_KEY": seal_key,
        "IAG_SEAL_CERT": seal_cert,
        "IAG_TRUSTED_PROXIES": "1",
        "IAG_COOKIE_SECURE": "true",
    }
    # The database as `db-upgrade` and `load-deployment` leave it (in this process: faster than two CLIs).
    migrate.upgrade(env["IAG_DATABASE_URL"])
    made = make_app(env["IAG_DATABASE_URL"], tmp_path / "instance", smtp_sink.port)
    with session_scope(made) as session:
        sync_groups(session, made.extensions["deployment"])
    made.extensions["iag_engine"].dispose()
    cert, key = harness.self_signed(tmp_path)
    config = _nginx_config(tmp_path, http_port, https_port, app_port, cert, key)
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "-c", "webapp/gunicorn_conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{app_port}", "webapp:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    nginx = subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        browser = Client(https_port, cert)
        harness.wait_until(lambda: _answers(browser), 30, "nginx and gunicorn to answer /healthz")

        # TLS, HSTS, and the request id nginx made reaching the app and coming back.
        answer, body = browser.request("GET", "/healthz")
        assert answer.status == 200 and b'"version"' in body
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])
        plain = requests.get(f"http://127.0.0.1:{http_port}/staff/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/staff/"

        # The address the app sees is the client's, not the proxy's, and not one the client made up.
        answer, page = browser.request("GET", "/staff/sign-in")
        assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]
        token = csrf_token(page.decode())
        form = f"email=nobody%40force.example&password=wrong-password-here&csrf_token={token}"
        answer, _ = browser.request(
            "POST",
            "/staff/sign-in",
            form.encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "https://127.0.0.1/staff/sign-in",  # Flask-WTF checks it on HTTPS
                "X-Forwarded-For": "203.0.113.66",
            },
        )
        assert answer.status == 200
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT ip_address FROM login_attempts").fetchall() == [(CLIENT,)]

        # Bodies: a form larger than the app's 256 KB is refused by nginx; an upload may be 30 MB.
        big = b"x" * (300 * 1024)
        answer, _ = browser.request(
            "POST", "/staff/sign-in", big, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert answer.status == 413 and answer.headers["Server"] == "nginx"
        answer, _ = browser.request(
            "POST", "/verify", big, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert answer.status != 413 and "X-Request-Id" in answer.headers  # it reached the app

        # Static files: from nginx's disk (no request id: the app never saw it), cached, compressed.
        answer, css = browser.request("GET", "/static/app.css", headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200 and "X-Request-Id" not in answer.headers
        assert (
            answer.headers["Content-Encoding"] == "gzip"
            and "max-age=604800" in answer.headers["Cache-Control"]
        )
        assert len(css) < (ROOT / "webapp" / "static" / "app.css").stat().st_size
        # Metrics are not served to the outside.
        assert browser.request("GET", "/metrics")[0].status == 404
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(10)
        gunicorn.wait(10)


def _answers(browser: Client) -> bool:
    try:
        return browser.request("GET", "/healthz")[0].status == 200
    except OSError:
        return False
