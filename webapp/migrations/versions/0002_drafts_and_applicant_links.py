"""drafts and applicant links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicant_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_applicant_links_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_applicant_links_token_hash")),
    )
    with op.batch_alter_table("applicant_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applicant_links_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("requirements_confirmed", sa.Boolean(), nullable=False),
        sa.Column("screening_consent", sa.Boolean(), nullable=False),
        sa.Column("resume_token_hash", sa.String(length=64), nullable=True),
        sa.Column("resume_expires_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_drafts_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_drafts_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("resume_token_hash", name=op.f("uq_drafts_resume_token_hash")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_updated_at"))

    op.drop_table("drafts")
    with op.batch_alter_table("applicant_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicant_links_application_id"))

    op.drop_table("applicant_links")
