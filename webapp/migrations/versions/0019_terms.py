"""terms: a group's term length; each membership's term end, the member's wish at renewal, and the
reason for leaving. Existing memberships get a term ending the group's term (3 years) after they joined.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 19:00:00
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_years", sa.Integer(), server_default="3", nullable=False))

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("renewal_wish", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("renewal_asked_at", webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("renewal_reminded_at", webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("left_reason", sa.Text(), server_default="", nullable=False))

    rows = op.get_bind().execute(sa.text("SELECT id, joined_at FROM memberships")).all()
    for membership_id, joined_at in rows:
        joined = joined_at if not isinstance(joined_at, str) else datetime.fromisoformat(joined_at)
        day = 28 if joined.month == 2 and joined.day == 29 else joined.day
        ends = joined.date().replace(year=joined.year + 3, day=day)
        op.get_bind().execute(
            sa.text("UPDATE memberships SET term_ends_on = :ends WHERE id = :id"),
            {"ends": ends, "id": membership_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("left_reason")
        batch_op.drop_column("renewal_reminded_at")
        batch_op.drop_column("renewal_asked_at")
        batch_op.drop_column("renewal_wish")
        batch_op.drop_column("term_ends_on")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("term_years")
