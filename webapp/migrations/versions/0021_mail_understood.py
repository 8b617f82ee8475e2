"""mail understood: an email in triage says what it is (a subject access request, a member's email, what may
be an application ...) and, for a request with a legal clock, the day it is due. (New email kinds and the
outbox's "bounced" are values of existing VARCHAR columns: no change.)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


# Plain ADD and DROP COLUMN, not a batch: on SQLite a batch copies the table, which would lose the
# search triggers migration 0004 put on it.
def upgrade() -> None:
    op.add_column("inbound_emails", sa.Column("mark", sa.String(length=40), nullable=True))
    op.add_column("inbound_emails", sa.Column("due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("inbound_emails", "due_on")
    op.drop_column("inbound_emails", "mark")
