"""mail ingest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", webapp.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "mailbox_state",
        sa.Column("mailbox", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", webapp.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mailbox", name=op.f("pk_mailbox_state")),
    )
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("in_reply_to", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("references", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("folder", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("moved_at", webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.alter_column("sha256", existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_inbound_emails_duplicate_of_id_inbound_emails"),
            "inbound_emails",
            ["duplicate_of_id"],
            ["id"],
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_outbox_purpose", ["to_address", "purpose", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_purpose")
        batch_op.drop_column("purpose")

    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_inbound_emails_duplicate_of_id_inbound_emails"), type_="foreignkey"
        )
        batch_op.alter_column("sha256", existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("moved_at")
        batch_op.drop_column("folder")
        batch_op.drop_column("references")
        batch_op.drop_column("in_reply_to")
        batch_op.drop_column("flags")

    op.drop_table("mailbox_state")
    op.drop_table("leases")
