"""members' space: the person behind memberships (signing in by emailed link, their own details),
answers to meeting invitations and attendance, papers and their downloads; a group's expected meetings

Each existing membership gets its member, one per email address (the applicant's name and contact details
carried over); a membership whose applicant was erased keeps none.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:32:05
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("contact_preference", sa.String(length=20), nullable=False),
        sa.Column("communities", sa.Text(), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("specialisms", sa.Text(), nullable=False),
        sa.Column("languages_spoken", sa.Text(), nullable=False),
        sa.Column("accessibility_needs", sa.Text(), nullable=False),
        sa.Column(
            "availability",
            sa.Enum(
                "any time",
                "working hours",
                "evenings and weekends",
                "not available",
                name="availability",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("language", sa.String(length=2), server_default="en", nullable=False),
        sa.Column("session_generation", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", webapp.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("email", name=op.f("uq_members_email")),
    )
    op.create_table(
        "member_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_sign_ins_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sign_ins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_member_sign_ins_token_hash")),
    )
    with op.batch_alter_table("member_sign_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_sign_ins_member_id"), ["member_id"], unique=False)

    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("paper", "minutes", name="paperkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_papers_group_id_groups")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_papers_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["staff_users.id"], name=op.f("fk_papers_uploaded_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_papers")),
    )
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_papers_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_papers_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "paper_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_paper_downloads_member_id_members")
        ),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name=op.f("fk_paper_downloads_paper_id_papers")),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_users.id"], name=op.f("fk_paper_downloads_staff_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_downloads")),
    )
    with op.batch_alter_table("paper_downloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_downloads_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_downloads_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "meeting_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("in person", "online", "apologies", name="meetinganswer", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column(
            "attendance",
            sa.Enum(
                "present in person",
                "present online",
                "apologies",
                "did not attend",
                name="attendance",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("attendance_recorded_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("attendance_recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendance_recorded_by_id"],
            ["staff_users.id"],
            name=op.f("fk_meeting_responses_attendance_recorded_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_responses_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["memberships.id"], name=op.f("fk_meeting_responses_membership_id_memberships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_responses")),
        sa.UniqueConstraint("meeting_id", "membership_id", name=op.f("uq_meeting_responses_meeting_id")),
    )
    with op.batch_alter_table("meeting_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_responses_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_responses_membership_id"), ["membership_id"], unique=False
        )

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_meetings", sa.Integer(), server_default="4", nullable=False))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reminded_at", webapp.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_memberships_member_id"), ["member_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_memberships_member_id_members"), "members", ["member_id"], ["id"]
        )

    _members_for_existing_memberships()


def _members_for_existing_memberships() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT memberships.id, applicants.name, applicants.email, applicants.phone, applicants.language "
            "FROM memberships JOIN applications ON applications.id = memberships.application_id "
            "JOIN applicants ON applicants.id = applications.applicant_id "
            "WHERE applicants.email IS NOT NULL ORDER BY memberships.id"
        )
    ).all()
    made: dict[str, int] = {}
    moment = datetime.now(UTC).replace(tzinfo=None)
    for membership_id, name, email, phone, language in rows:
        address = email.strip().lower()
        if address not in made:
            bind.execute(
                sa.text(
                    "INSERT INTO members (email, name, phone, contact_preference, communities, skills, "
                    "specialisms, languages_spoken, accessibility_needs, language, session_generation, "
                    "created_at, updated_at) VALUES (:email, :name, :phone, 'Email', '', '', '', '', '', "
                    ":language, 1, :now, :now)"
                ),
                {"email": address, "name": name, "phone": phone or "", "language": language, "now": moment},
            )
            made[address] = bind.execute(
                sa.text("SELECT id FROM members WHERE email = :email"), {"email": address}
            ).scalar_one()
        bind.execute(
            sa.text("UPDATE memberships SET member_id = :member WHERE id = :id"),
            {"member": made[address], "id": membership_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_memberships_member_id_members"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_memberships_member_id"))
        batch_op.drop_column("member_id")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("sequence")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("expected_meetings")

    with op.batch_alter_table("meeting_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_responses_membership_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_responses_meeting_id"))

    op.drop_table("meeting_responses")
    with op.batch_alter_table("paper_downloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_downloads_paper_id"))
        batch_op.drop_index(batch_op.f("ix_paper_downloads_member_id"))

    op.drop_table("paper_downloads")
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_papers_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_papers_group_id"))

    op.drop_table("papers")
    with op.batch_alter_table("member_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_sign_ins_member_id"))

    op.drop_table("member_sign_ins")
    op.drop_table("members")
