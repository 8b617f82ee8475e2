"""declarations of interest: each member's register of interests and when they last confirmed it, and
what a member declared for a meeting's agenda

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:40:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_interests_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_interests")),
    )
    with op.batch_alter_table("member_interests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_interests_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("meeting_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interest", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interests_confirmed_at", webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("interests_reminded_at", webapp.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("interests_reminded_at")
        batch_op.drop_column("interests_confirmed_at")

    with op.batch_alter_table("meeting_responses", schema=None) as batch_op:
        batch_op.drop_column("interest")

    with op.batch_alter_table("member_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_interests_member_id"))

    op.drop_table("member_interests")
