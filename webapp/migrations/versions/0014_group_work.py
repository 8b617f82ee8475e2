"""group work: critical-incident call-outs and their answers, the advice log, messages to members (each
copy an outbox message carrying the message and member; replies in member_replies), and the SMS outbox

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="outboxstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", webapp.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
        sa.UniqueConstraint("reference", name=op.f("uq_sms_outbox_reference")),
    )
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_sms_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "call_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Text(), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum("within hours", "today", "this week", name="urgency", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("answer_by", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("closed_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["staff_users.id"], name=op.f("fk_call_outs_closed_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_call_outs_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff_users.id"], name=op.f("fk_call_outs_opened_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_outs")),
    )
    with op.batch_alter_table("call_outs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_outs_group_id"), ["group_id"], unique=False)

    op.create_table(
        "advice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("meeting", "call-out", "email", name="advicesource", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("call_out_id", sa.Integer(), nullable=True),
        sa.Column("given_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting a response",
                "considered",
                "acted on",
                "not taken forward",
                name="advicestatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_out_id"], ["call_outs.id"], name=op.f("fk_advice_call_out_id_call_outs")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_advice_group_id_groups")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_advice_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff_users.id"], name=op.f("fk_advice_recorded_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice")),
    )
    with op.batch_alter_table("advice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advice_group_id"), ["group_id"], unique=False)

    op.create_table(
        "member_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_member_messages_group_id_groups")),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name=op.f("fk_member_messages_paper_id_papers")),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["staff_users.id"], name=op.f("fk_member_messages_sent_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_messages")),
    )
    with op.batch_alter_table("member_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_messages_group_id"), ["group_id"], unique=False)

    op.create_table(
        "member_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("member_message_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("received_at", webapp.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"], ["inbound_emails.id"], name=op.f("fk_member_replies_email_id_inbound_emails")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_replies_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_message_id"],
            ["member_messages.id"],
            name=op.f("fk_member_replies_member_message_id_member_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_replies")),
        sa.UniqueConstraint("email_id", name=op.f("uq_member_replies_email_id")),
    )
    with op.batch_alter_table("member_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_replies_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_member_replies_member_message_id"), ["member_message_id"], unique=False
        )

    op.create_table(
        "call_out_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_out_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("texted", sa.Boolean(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "available", "not available", "advice", name="calloutanswer", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("answered_at", webapp.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_out_id"], ["call_outs.id"], name=op.f("fk_call_out_recipients_call_out_id_call_outs")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_call_out_recipients_membership_id_memberships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_out_recipients")),
        sa.UniqueConstraint("call_out_id", "membership_id", name=op.f("uq_call_out_recipients_call_out_id")),
    )
    with op.batch_alter_table("call_out_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_out_recipients_call_out_id"), ["call_out_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_call_out_recipients_membership_id"), ["membership_id"], unique=False
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("path", sa.String(length=300), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_message_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_member_message_id"), ["member_message_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_member_id_members"), "members", ["member_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_member_message_id_member_messages"),
            "member_messages",
            ["member_message_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("path")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_member_message_id_member_messages"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_outbox_member_id_members"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_member_message_id"))
        batch_op.drop_column("member_id")
        batch_op.drop_column("member_message_id")

    with op.batch_alter_table("call_out_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_out_recipients_membership_id"))
        batch_op.drop_index(batch_op.f("ix_call_out_recipients_call_out_id"))

    op.drop_table("call_out_recipients")
    with op.batch_alter_table("member_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_replies_member_message_id"))
        batch_op.drop_index(batch_op.f("ix_member_replies_member_id"))

    op.drop_table("member_replies")
    with op.batch_alter_table("member_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_messages_group_id"))

    op.drop_table("member_messages")
    with op.batch_alter_table("advice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advice_group_id"))

    op.drop_table("advice")
    with op.batch_alter_table("call_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_outs_group_id"))

    op.drop_table("call_outs")
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_outbox_due")

    op.drop_table("sms_outbox")
