"""Start many `iag-mail` processes quickly: a parent that has imported the poller once forks each of them.

Starting the real `iag-mail` costs about two seconds of imports before it does anything, and the crash test
starts twenty-one. The processes forked here run the same `mail_ingest.cli.main` the `iag-mail` script runs,
with the same environment, and are killed with a real SIGKILL; only the imports are done once, beforehand.
The parent is a process of its own (run as a script), not the test process, which has threads of its own.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
from pathlib import Path


def _serve() -> None:  # runs in the parent process that `Parent` starts
    """Read commands from stdin, one a line: `start ARGS...`, `poll PID`, `wait PID`. Answer each with a
    line: the new pid, or the exit code (`-` while still running)."""
    import pkgutil

    import mail_ingest.cli
    import webapp

    # What `create_app` imports as it builds the app too (blueprints, commands): all of it, once.
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        if not module.name.startswith("webapp.migrations"):
            importlib.import_module(module.name)

    for line in sys.stdin:
        command, *rest = line.split()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                code = 1
                try:
                    code = mail_ingest.cli.main(rest)
                finally:
                    os._exit(code)
            answer = str(pid)
        else:
            pid = int(rest[0])
            done, status = os.waitpid(pid, os.WNOHANG if command == "poll" else 0)
            answer = str(os.waitstatus_to_exitcode(status)) if done else "-"
        print(answer, flush=True)


class Forked:
    """One forked `iag-mail`, with the part of `subprocess.Popen` the tests use."""

    def __init__(self, parent: Parent, pid: int) -> None:
        self.parent, self.pid, self.returncode = parent, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            answer = self.parent.ask(f"poll {self.pid}")
            self.returncode = None if answer == "-" else int(answer)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = int(self.parent.ask(f"wait {self.pid}"))
        return self.returncode


class Parent:
    """The process that forks pollers, started with `env` (every poller it forks has that environment)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__],
            env={**env, "PYTHONPATH": str(Path(__file__).parents[2])},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, "the forking parent stopped"
        return answer

    def start(self, *args: str) -> Forked:
        return Forked(self, int(self.ask("start " + " ".join(args))))

    def __enter__(self) -> Parent:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


if __name__ == "__main__":
    _serve()
