"""stored search vectors on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

PostgreSQL: the words of each email and applicant's name are kept in a generated tsvector column, indexed
with GIN. Compared with an index over the to_tsvector() expression, a search for a common word no longer
recomputes the vector of every row it reads. SQLite keeps its FTS5 tables (0004): nothing changes there.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (index name, table, document expression, text search configuration), as in migration 0004.
SEARCHED = (
    ("search_emails", "inbound_emails", "coalesce(subject, '') || ' ' || coalesce(text_body, '')", "english"),
    ("search_applicants", "applicants", "coalesce(name, '')", "simple"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, document, config in SEARCHED:
        op.execute(f"DROP INDEX ix_{name}")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{config}', {document})) STORED"
        )
        op.execute(f"CREATE INDEX ix_{name} ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, document, config in SEARCHED:
        op.execute(f"DROP INDEX ix_{name}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(f"CREATE INDEX ix_{name} ON {table} USING gin (to_tsvector('{config}', {document}))")
