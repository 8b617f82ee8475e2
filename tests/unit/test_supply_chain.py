"""The production install is pinned with hashes: requirements.lock names every dependency pyproject.toml
does, each at one version with its hashes; and the project carries its licence and security policy."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from webapp.config import PROJECT_ROOT


def _locked() -> dict[str, tuple[str, int]]:
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    locked = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            locked[name] = (match.group(2), block.count("--hash=sha256:"))
    return locked


def test_every_dependency_is_locked_at_an_allowed_version_with_hashes():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    assert locked and all(hashes >= 1 for _, hashes in locked.values())
    for line in project["dependencies"]:
        wanted = Requirement(line)
        name = re.sub(r"[-_.]+", "-", wanted.name).lower()
        assert name in locked, f"{name} is not in requirements.lock: run make lock"
        assert wanted.specifier.contains(locked[name][0], prereleases=True), f"{name}: run make lock"


def test_the_licence_and_security_policy_are_there():
    assert (PROJECT_ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "Reporting a problem" in (PROJECT_ROOT / "SECURITY.md").read_text()
