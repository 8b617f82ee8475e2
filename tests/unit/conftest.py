"""The unit tier: pure rules (the workflow, classification, parsing, times, settings and access), run
first and fast. A unit test that reaches for a database fails: that belongs in tests/webapp."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine


@pytest.fixture(autouse=True)
def _no_database(monkeypatch):
    """Refused where every use of a database ends up (an engine's connections), not by replacing
    `create_engine`: a module first imported during a unit test would keep the replacement for good."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a unit test may not open a database; put it beside the tests that do")

    monkeypatch.setattr(Engine, "connect", refuse)
    monkeypatch.setattr(Engine, "raw_connection", refuse)
