"""elections: a group's Chair and Vice Chair elected by its members; candidates; and the secret ballot's
roll (who voted) and box (what was voted), kept apart

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:40:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column(
            "office",
            sa.Enum("chair", "vice chair", name="office", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("nominations_open_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("nominations_close_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("voting_open_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("voting_close_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("tie_rule", sa.String(length=40), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("counted_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("winner_id", sa.Integer(), nullable=True),
        sa.Column("term_ends_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_elections_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff_users.id"], name=op.f("fk_elections_opened_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"], ["memberships.id"], name=op.f("fk_elections_winner_id_memberships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elections")),
    )
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_elections_group_id"), ["group_id"], unique=False)

    op.create_table(
        "ballot_boxes",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("ballots", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_ballot_boxes_election_id_elections")
        ),
        sa.PrimaryKeyConstraint("election_id", name=op.f("pk_ballot_boxes")),
    )
    op.create_table(
        "election_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("nominated_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("declined_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_election_candidates_election_id_elections")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_election_candidates_membership_id_memberships"),
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"],
            ["memberships.id"],
            name=op.f("fk_election_candidates_nominated_by_id_memberships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_candidates")),
        sa.UniqueConstraint("election_id", "membership_id", name=op.f("uq_election_candidates_election_id")),
    )
    with op.batch_alter_table("election_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_election_candidates_election_id"), ["election_id"], unique=False)

    op.create_table(
        "election_rolls",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("voted", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_election_rolls_election_id_elections")
        ),
        sa.PrimaryKeyConstraint("election_id", name=op.f("pk_election_rolls")),
    )


def downgrade() -> None:
    op.drop_table("election_rolls")
    with op.batch_alter_table("election_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_election_candidates_election_id"))

    op.drop_table("election_candidates")
    op.drop_table("ballot_boxes")
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elections_group_id"))

    op.drop_table("elections")
