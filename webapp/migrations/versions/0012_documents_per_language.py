"""documents per language: each version of a Terms of Reference or confidentiality agreement is in one
language, numbered within it (the versions so far are the English ones)

Batch mode is safe here: group_documents has no triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("group_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), server_default="en", nullable=False))
        batch_op.drop_constraint(batch_op.f("uq_group_documents_group_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_group_documents_group_id"), ["group_id", "kind", "language", "version"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM group_documents WHERE language <> 'en'")
    with op.batch_alter_table("group_documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_group_documents_group_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_group_documents_group_id"), ["group_id", "kind", "version"]
        )
        batch_op.drop_column("language")
