"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
    )
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applicants_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_applicants_phone"), ["phone"], unique=False)

    op.create_table(
        "event_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_chain_head")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_events_seq")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("open_to_applicants", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("screening_may_apply", sa.Boolean(), nullable=False),
        sa.Column("meeting_place", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("slug", name=op.f("uq_groups_slug")),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("enrolment_token_hash", sa.String(length=64), nullable=True),
        sa.Column("enrolment_expires_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("enrolled_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_users_enrolment_token_hash"), ["enrolment_token_hash"], unique=False
        )

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("referred_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("state_changed_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_applications_applicant_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["staff_users.id"], name=op.f("fk_applications_assigned_to_id_staff_users")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_applications_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["referred_from_id"],
            ["applications.id"],
            name=op.f("fk_applications_referred_from_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_applications_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_applications_reference")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_applicant_id"), ["applicant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_assigned_to_id"), ["assigned_to_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_applications_group_state", ["group_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_submitted_at"), ["submitted_at"], unique=False)

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_login_attempts_user_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempts_at"), ["at"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("online_link", sa.Text(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_meetings_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "staff_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_staff_roles_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_roles_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_roles")),
        sa.UniqueConstraint("user_id", "group_id", "role", name=op.f("uq_staff_roles_user_id")),
    )
    with op.batch_alter_table("staff_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_roles_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_roles_user_id"), ["user_id"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("lodged_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("letter", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_appeals_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff_users.id"], name=op.f("fk_appeals_decided_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_application_id"), ["application_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("referred_group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_role", sa.String(length=40), nullable=False),
        sa.Column("proposed_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_role", sa.String(length=40), nullable=True),
        sa.Column("confirmed_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_decisions_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["staff_users.id"], name=op.f("fk_decisions_confirmed_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["staff_users.id"], name=op.f("fk_decisions_proposed_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["referred_group_id"], ["groups.id"], name=op.f("fk_decisions_referred_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_application_id"), ["application_id"], unique=False)

    op.create_table(
        "discussions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("online_link", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_discussions_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_discussions_created_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussions")),
    )
    with op.batch_alter_table("discussions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_discussions_application_id"), ["application_id"], unique=False)

    op.create_table(
        "equality_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=40), nullable=True),
        sa.Column("sex", sa.String(length=40), nullable=True),
        sa.Column("gender_identity", sa.String(length=40), nullable=True),
        sa.Column("sexual_orientation", sa.String(length=60), nullable=True),
        sa.Column("ethnic_group", sa.String(length=120), nullable=True),
        sa.Column("religion", sa.String(length=60), nullable=True),
        sa.Column("disability", sa.String(length=60), nullable=True),
        sa.Column("submitted_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_equality_responses_application_id_applications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_equality_responses_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equality_responses")),
        sa.UniqueConstraint("application_id", name=op.f("uq_equality_responses_application_id")),
    )
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_inbound_emails_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_emails")),
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name=op.f("uq_inbound_emails_mailbox")),
    )
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_emails_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inbound_emails_from_address"), ["from_address"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_emails_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_emails_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_emails_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_emails_sha256"), ["sha256"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_notes_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_notes_author_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_application_id"), ["application_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_outbox_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_application_id"), ["application_id"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_application_id", sa.Integer(), nullable=False),
        sa.Column("to_group_id", sa.Integer(), nullable=False),
        sa.Column("to_application_id", sa.Integer(), nullable=True),
        sa.Column("consent_given_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("consent_refused_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_application_id"],
            ["applications.id"],
            name=op.f("fk_referrals_from_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["to_application_id"],
            ["applications.id"],
            name=op.f("fk_referrals_to_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(["to_group_id"], ["groups.id"], name=op.f("fk_referrals_to_group_id_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referrals_from_application_id"), ["from_application_id"], unique=False
        )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_name", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_attachments_application_id_applications")
        ),
        sa.ForeignKeyConstraint(
            ["email_id"], ["inbound_emails.id"], name=op.f("fk_attachments_email_id_inbound_emails")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_email_id"), ["email_id"], unique=False)

    op.create_table(
        "signing_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("first_opened_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("signed_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("signed_name", sa.String(length=200), nullable=True),
        sa.Column("document_versions", sa.Text(), nullable=False),
        sa.Column("shown_text_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_attachment_id", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_signing_requests_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["pdf_attachment_id"],
            ["attachments.id"],
            name=op.f("fk_signing_requests_pdf_attachment_id_attachments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_requests")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signing_requests_token_hash")),
    )
    with op.batch_alter_table("signing_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signing_requests_application_id"), ["application_id"], unique=False
        )

    # The event log's chain starts from a fixed genesis hash.
    chain_head = sa.table(
        "event_chain_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(chain_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table("signing_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_requests_application_id"))

    op.drop_table("signing_requests")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_email_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_application_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_from_application_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_application_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_application_id"))

    op.drop_table("notes")
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_emails_sha256"))
        batch_op.drop_index(batch_op.f("ix_inbound_emails_received_at"))
        batch_op.drop_index(batch_op.f("ix_inbound_emails_message_id"))
        batch_op.drop_index(batch_op.f("ix_inbound_emails_kind"))
        batch_op.drop_index(batch_op.f("ix_inbound_emails_from_address"))
        batch_op.drop_index(batch_op.f("ix_inbound_emails_application_id"))

    op.drop_table("inbound_emails")
    op.drop_table("equality_responses")
    with op.batch_alter_table("discussions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discussions_application_id"))

    op.drop_table("discussions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_application_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_application_id"))

    op.drop_table("appeals")
    with op.batch_alter_table("staff_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_roles_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_roles_group_id"))

    op.drop_table("staff_roles")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meetings_group_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempts_at"))

    op.drop_table("login_attempts")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_submitted_at"))
        batch_op.drop_index("ix_applications_group_state")
        batch_op.drop_index(batch_op.f("ix_applications_group_id"))
        batch_op.drop_index(batch_op.f("ix_applications_assigned_to_id"))
        batch_op.drop_index(batch_op.f("ix_applications_applicant_id"))

    op.drop_table("applications")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_enrolment_token_hash"))

    op.drop_table("staff_users")
    op.drop_table("groups")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_subject_id"))
        batch_op.drop_index(batch_op.f("ix_events_action"))

    op.drop_table("events")
    op.drop_table("event_chain_head")
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicants_phone"))
        batch_op.drop_index(batch_op.f("ix_applicants_email"))

    op.drop_table("applicants")
