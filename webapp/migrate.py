"""Schema migrations with Alembic, driven from code so that no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Full-text search tables and indexes (migration 0004) are built by hand, outside the models.
SEARCH_PREFIXES = ("search_", "ix_search_")


def modelled(name: str | None, type_: Any, parent_names: Any) -> bool:
    """For Alembic's include_name: leave the hand-built search objects out of model comparisons."""
    return not (name or "").startswith(SEARCH_PREFIXES)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str | None:
    """The revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def previous(database_url: str) -> str | None:
    """The revision one step before the database's: where `db-downgrade` takes it."""
    from alembic.script import ScriptDirectory

    at = current(database_url)
    if at is None:
        return None
    down = ScriptDirectory.from_config(alembic_config(database_url)).get_revision(at).down_revision
    return down if isinstance(down, str) or down is None else down[0]


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
