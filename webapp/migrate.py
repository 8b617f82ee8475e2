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


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
