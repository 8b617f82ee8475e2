"""review: discussion length, inbox indexes, full-text search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Full-text search lives outside the models (webapp.migrate.SEARCH_PREFIXES keeps autogenerate away from it):
on PostgreSQL, expression GIN indexes over to_tsvector; on SQLite, FTS5 tables kept in step by triggers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (FTS table / index name, source table, columns, text search configuration)
SEARCHED = (
    ("search_emails", "inbound_emails", ("subject", "text_body"), "english"),
    ("search_applicants", "applicants", ("name",), "simple"),
)


def upgrade() -> None:
    with op.batch_alter_table("discussions") as batch:
        batch.add_column(sa.Column("duration_minutes", sa.Integer(), server_default="60", nullable=False))
    op.create_index("ix_applications_queue", "applications", ["group_id", "state", "state_changed_at", "id"])
    op.create_index("ix_applications_waiting", "applications", ["state_changed_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for name, table, columns, config in SEARCHED:
            document = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
            op.execute(f"CREATE INDEX ix_{name} ON {table} USING gin (to_tsvector('{config}', {document}))")
        return
    for name, table, columns, _config in SEARCHED:
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {name} USING fts5({cols}, content='{table}', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(f"INSERT INTO {name}(rowid, {cols}) SELECT id, {cols} FROM {table}")
        op.execute(
            f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
            f"INSERT INTO {name}({name}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {name}(rowid, {cols}) VALUES (new.id, {new}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, *_ in SEARCHED:
            op.execute(f"DROP INDEX ix_{name}")
    else:
        for name, *_ in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {name}_{suffix}")
            op.execute(f"DROP TABLE {name}")
    op.drop_index("ix_applications_waiting", "applications")
    op.drop_index("ix_applications_queue", "applications")
    with op.batch_alter_table("discussions") as batch:
        batch.drop_column("duration_minutes")
