"""expenses: members' claims (whole pence), their receipts, and staff decisions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 18:00:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expense_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("miles", sa.Integer(), nullable=False),
        sa.Column("pence_per_mile", sa.Integer(), nullable=False),
        sa.Column("mileage_pence", sa.Integer(), nullable=False),
        sa.Column("public_transport_pence", sa.Integer(), nullable=False),
        sa.Column("parking_pence", sa.Integer(), nullable=False),
        sa.Column("other_pence", sa.Integer(), nullable=False),
        sa.Column("other_note", sa.Text(), nullable=False),
        sa.Column("total_pence", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "queried",
                "approved",
                "rejected",
                "paid",
                name="claimstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("submitted_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff_users.id"], name=op.f("fk_expense_claims_decided_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_expense_claims_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_expense_claims_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name=op.f("fk_expense_claims_membership_id_memberships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_claims")),
    )
    with op.batch_alter_table("expense_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expense_claims_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expense_claims_membership_id"), ["membership_id"], unique=False)

    op.create_table(
        "claim_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["expense_claims.id"], name=op.f("fk_claim_receipts_claim_id_expense_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_receipts")),
    )
    with op.batch_alter_table("claim_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_receipts_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_receipts_claim_id"))

    op.drop_table("claim_receipts")
    with op.batch_alter_table("expense_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_claims_membership_id"))
        batch_op.drop_index(batch_op.f("ix_expense_claims_group_id"))

    op.drop_table("expense_claims")
