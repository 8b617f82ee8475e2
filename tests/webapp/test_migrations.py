"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and unwind."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import webapp.models  # noqa: F401
from tests import harness
from webapp import migrate
from webapp.db import Base


def _fresh_url(database_url: str, tmp_path) -> tuple[str, object]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", None
    database = harness.PostgresDatabase()
    return database.create(), database


def test_migrations_build_the_models_schema_and_unwind(database_url, tmp_path):
    url, pg = _fresh_url(database_url, tmp_path)
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            differences = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_name": migrate.modelled}
                ),
                Base.metadata,
            )
        assert differences == []
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        if pg is not None:
            pg.drop()
