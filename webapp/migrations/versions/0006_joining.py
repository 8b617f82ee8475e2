"""joining: versioned group documents, memberships, signing evidence

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_group_documents_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["staff_users.id"],
            name=op.f("fk_group_documents_published_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_documents")),
        sa.UniqueConstraint("group_id", "kind", "version", name=op.f("uq_group_documents_group_id")),
    )
    op.create_index(op.f("ix_group_documents_group_id"), "group_documents", ["group_id"])
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("left_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("agreement_attachment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_attachment_id"],
            ["attachments.id"],
            name=op.f("fk_memberships_agreement_attachment_id_attachments"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_memberships_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_memberships_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("application_id", name=op.f("uq_memberships_application_id")),
    )
    op.create_index(op.f("ix_memberships_group_id"), "memberships", ["group_id"])
    with op.batch_alter_table("signing_requests") as batch:
        batch.add_column(sa.Column("email_verified_at", webapp.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("last_reminded_at", webapp.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("signing_requests") as batch:
        batch.drop_column("reminders_sent")
        batch.drop_column("last_reminded_at")
        batch.drop_column("email_verified_at")
    op.drop_index(op.f("ix_memberships_group_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_group_documents_group_id"), table_name="group_documents")
    op.drop_table("group_documents")
