"""languages: the language a person chose (or wrote in), kept with the date; a draft's chosen language

Plain ADD/DROP COLUMN, not batch mode: on SQLite a batch copy of `applicants` would lose its search
triggers (0005).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:10:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "applicants", sa.Column("language", sa.String(length=2), server_default="en", nullable=False)
    )
    op.add_column("applicants", sa.Column("language_chosen_at", webapp.db.UTCDateTime(), nullable=True))
    op.add_column("drafts", sa.Column("language", sa.String(length=2), server_default="en", nullable=False))
    op.add_column("drafts", sa.Column("carried", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("drafts", "carried")
    op.drop_column("drafts", "language")
    op.drop_column("applicants", "language_chosen_at")
    op.drop_column("applicants", "language")
