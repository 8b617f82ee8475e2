"""force account: a staff account remembers the Entra object id (`oid`) of the person who signs in to it
with the force's Microsoft Entra ID.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entra_object_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_users_entra_object_id"), ["entra_object_id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_users_entra_object_id"), type_="unique")
        batch_op.drop_column("entra_object_id")
