"""jobs and the notifications outbox (events, endpoints, deliveries, read marks)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tansiq.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("run_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("locked_until", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_at", ["status", "run_at"], unique=False)

    op.create_table(
        "notify_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_notify_events_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_events")),
    )
    with op.batch_alter_table("notify_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_events_party_id"), ["party_id"], unique=False)

    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["notify_events.id"],
            name=op.f("fk_notify_deliveries_event_id_notify_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_notify_deliveries_delivery_id")),
        sa.UniqueConstraint(
            "event_id", "channel", "target_id", name=op.f("uq_notify_deliveries_event_id")
        ),
    )
    op.create_table(
        "notify_email_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notify_email_addresses_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_notify_email_addresses_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_email_addresses")),
        sa.UniqueConstraint("party_id", "address", name=op.f("uq_notify_email_addresses_party_id")),
    )
    with op.batch_alter_table("notify_email_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notify_email_addresses_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "notify_reads",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["notify_events.id"], name=op.f("fk_notify_reads_event_id_notify_events")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notify_reads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_notify_reads")),
    )
    op.create_table(
        "notify_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notify_webhooks_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_notify_webhooks_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_webhooks")),
    )
    with op.batch_alter_table("notify_webhooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_webhooks_party_id"), ["party_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notify_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_webhooks_party_id"))

    op.drop_table("notify_webhooks")
    op.drop_table("notify_reads")
    with op.batch_alter_table("notify_email_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_email_addresses_party_id"))

    op.drop_table("notify_email_addresses")
    op.drop_table("notify_deliveries")
    with op.batch_alter_table("notify_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_events_party_id"))

    op.drop_table("notify_events")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_run_at")

    op.drop_table("jobs")
