"""retention and equality reporting: equality tallies, redactable event details, erased markers, a
religion column long enough for the longest answer

The event chain's hash now covers each event's detail by its SHA-256, so that a detail can be redacted
(erasure, retention) and the chain still verify. The existing chain is checked under the old rule first
(the upgrade stops if it is broken) and then re-hashed under the new one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _body(row) -> dict:
    at = row.at
    return {
        "seq": row.seq,
        "at": at.isoformat() if hasattr(at, "isoformat") else str(at),
        "actor": row.actor,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "prev_hash": row.prev_hash,
    }


def _rehash(detail_rule) -> None:
    """Check the chain under the rule it was written with, then write it again under `detail_rule`."""
    bind = op.get_bind()
    events = sa.table(
        "events",
        *(sa.column(c) for c in ("id", "seq", "actor", "action", "subject_type", "subject_id")),
        *(sa.column(c) for c in ("from_state", "to_state", "prev_hash", "hash")),
        sa.column("at", webapp.db.UTCDateTime()),
        sa.column("detail", sa.JSON()),
    )
    head = sa.table("event_chain_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    old_rule = _new_rule if detail_rule is _old_rule else _old_rule
    previous_old, previous_new = GENESIS, GENESIS
    for row in bind.execute(sa.select(events).order_by(events.c.seq)).all():
        body = _body(row)
        if row.prev_hash != previous_old or _sha(_canonical(old_rule(body, row.detail))) != row.hash:
            raise RuntimeError(f"the event log does not verify at event {row.seq}; not re-hashing it")
        body["prev_hash"] = previous_new
        new_hash = _sha(_canonical(detail_rule(body, row.detail)))
        bind.execute(
            events.update().where(events.c.id == row.id).values(prev_hash=previous_new, hash=new_hash)
        )
        previous_old, previous_new = row.hash, new_hash
    bind.execute(head.update().where(head.c.id == 1).values(hash=previous_new))


def _old_rule(body: dict, detail) -> dict:
    return {**body, "detail": detail}


def _new_rule(body: dict, detail) -> dict:
    return {**body, "detail_sha256": _sha(_canonical(detail))}


def upgrade() -> None:
    op.create_table(
        "equality_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_equality_tallies_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equality_tallies")),
        sa.UniqueConstraint(
            "year", "group_id", "stage", "question", "answer", name=op.f("uq_equality_tallies_year")
        ),
    )
    # Plain ALTER TABLE (not batch mode, which would rebuild the tables and lose their search triggers).
    op.add_column("events", sa.Column("redacted_at", webapp.db.UTCDateTime(), nullable=True))
    op.add_column("events", sa.Column("redacted_detail_sha256", sa.String(length=64), nullable=True))
    op.add_column("applications", sa.Column("erased_at", webapp.db.UTCDateTime(), nullable=True))
    op.add_column("inbound_emails", sa.Column("erased_at", webapp.db.UTCDateTime(), nullable=True))
    # The longest answer to the religion question (99 characters) did not fit: PostgreSQL refused it.
    with op.batch_alter_table("equality_responses") as batch:
        batch.alter_column("religion", type_=sa.String(length=120), existing_nullable=True)
    _rehash(_new_rule)


def downgrade() -> None:
    redacted = op.get_bind().execute(sa.text("SELECT count(*) FROM events WHERE redacted_at IS NOT NULL"))
    if redacted.scalar():
        raise RuntimeError("some event details have been redacted; the log cannot go back to the old hashing")
    _rehash(_old_rule)
    with op.batch_alter_table("equality_responses") as batch:
        batch.alter_column("religion", type_=sa.String(length=60), existing_nullable=True)
    op.drop_column("inbound_emails", "erased_at")
    op.drop_column("applications", "erased_at")
    op.drop_column("events", "redacted_detail_sha256")
    op.drop_column("events", "redacted_at")
    op.drop_table("equality_tallies")
