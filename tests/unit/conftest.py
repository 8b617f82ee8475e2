"""The unit tier: pure rules (the workflow, classification, parsing, times, settings and access), run
first and fast. A unit test that reaches for a database fails: that belongs in tests/webapp."""

from __future__ import annotations

import pytest
import sqlalchemy


@pytest.fixture(autouse=True)
def _no_database(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a unit test may not open a database; put it beside the tests that do")

    monkeypatch.setattr(sqlalchemy, "create_engine", refuse)
    monkeypatch.setattr("webapp.db.create_engine", refuse)
