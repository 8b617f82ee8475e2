"""vetting: what a group requires of its members (none, limited screening or a vetting level), and each
member's vetting as staff record it (status, level, dates; never its content)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 18:20:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_vetting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "granted",
                "refused",
                "withdrawn",
                name="vettingstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("reminded_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name=op.f("fk_member_vetting_membership_id_memberships")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff_users.id"], name=op.f("fk_member_vetting_recorded_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_vetting")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_member_vetting_membership_id")),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vetting", sa.String(length=40), server_default="none", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("vetting")

    op.drop_table("member_vetting")
