"""Web speed in the production shape: the app under gunicorn with 2 workers (webapp/gunicorn_conf.py) on
loopback, on PostgreSQL, driven by locust: the public pages, and whole web applications with the submit
step reported on its own; beside a bare Flask "hello" served the same way (the floor), as a ratio.
The load generator runs on the same 2-core machine and takes its share of the CPU.

Run: .venv/bin/pip install -e '.[test,bench]' && .venv/bin/python -m bench.web [--seconds 20] [--users 10]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests import harness
from tests.conftest import AVON, seal_certificate

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _serve(app: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [
        BIN / "gunicorn",
        "-c",
        "webapp/gunicorn_conf.py",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen([*command, app], env=env, cwd=ROOT, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app} did not start: see {log}")


def _locust(user: str, port: int, seconds: int, users: int, folder: Path) -> dict[str, dict[str, str]]:
    prefix = folder / user
    command = [BIN / "locust", "-f", "bench/locustfile.py", user, "--headless", "-u", str(users)]
    command += ["-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}"]
    command += ["--csv", prefix, "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(
        command,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def _line(scenario: str, name: str, row: dict[str, str]) -> str:
    return (
        f"| {scenario} | {name} | {int(row['Request Count']):,} | {int(row['Failure Count'])} | "
        f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=10)
    args = parser.parse_args()
    database = harness.PostgresDatabase()
    url = database.create()
    key, cert = seal_certificate()
    folder = Path(tempfile.mkdtemp(prefix="iag-bench-web-"))
    env = os.environ | {
        "IAG_DATABASE_URL": url,
        "IAG_INSTANCE_PATH": str(folder / "instance"),
        "IAG_DEPLOYMENT_FILE": str(AVON),
        "IAG_SECRET_KEY": "bench",
        "IAG_SEAL_KEY": key,
        "IAG_SEAL_CERT": cert,
        "IAG_RATE_LIMIT_APPLY": "1000000 per minute",  # every simulated applicant has the same address
    }
    servers = []
    try:
        for command in ("db-upgrade", "load-deployment"):
            subprocess.run([BIN / "flask", "--app", "webapp", command], env=env, cwd=ROOT, check=True)
        app_port, hello_port = harness.free_port(), harness.free_port()
        servers.append(_serve("webapp:create_app()", app_port, env, folder / "app.log"))
        servers.append(_serve("bench.hello:app", hello_port, env, folder / "hello.log"))
        pages = _locust("PublicPages", app_port, args.seconds, args.users, folder)
        applying = _locust("Applicant", app_port, args.seconds, args.users, folder)
        hello = _locust("Hello", hello_port, args.seconds, args.users, folder)
    finally:
        for server in servers:
            server.terminate()
            server.wait(15)
        database.drop()
    print(f"gunicorn, 2 workers x 4 threads, PostgreSQL; locust, {args.users} users, {args.seconds} s each")
    print("| scenario | request | requests | failures | requests/s | median ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in ("home", "groups", "group start page", "Aggregated"):
        print(_line("public pages", name, pages[name]))
    for name in ("question page", "answer", "check answers", "submit", "Aggregated"):
        print(_line("applying", name, applying[name]))
    print(_line("bare Flask hello", "hello", hello["hello"]))
    floor = float(hello["hello"]["Requests/s"])
    public = float(pages["Aggregated"]["Requests/s"]) / floor
    whole = float(applying["Aggregated"]["Requests/s"]) / floor
    submitted = int(applying["submit"]["Request Count"]) - int(applying["submit"]["Failure Count"])
    print(
        f"ratio to the bare hello (requests/s): public pages {public:.2f}, applying {whole:.2f}; "
        f"applications submitted: {submitted}"
    )


if __name__ == "__main__":
    main()
