"""two-person appeals: the proposal waiting for the panel's other decider

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:40:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("proposed_reason", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("proposed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_role", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("proposed_at", webapp.db.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_proposed_by_id_staff_users"), "staff_users", ["proposed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_appeals_proposed_by_id_staff_users"), type_="foreignkey")
        batch_op.drop_column("proposed_at")
        batch_op.drop_column("proposed_role")
        batch_op.drop_column("proposed_by_id")
        batch_op.drop_column("proposed_reason")
        batch_op.drop_column("proposed_outcome")
