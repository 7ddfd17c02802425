"""checkpoint devices and scan events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tansiq.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoint_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("revoked_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_sync_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_checkpoint_devices_checkpoint_id_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_checkpoint_devices_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_checkpoint_devices_token_hash")),
    )
    with op.batch_alter_table("checkpoint_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkpoint_devices_checkpoint_id"), ["checkpoint_id"], unique=False
        )

    op.create_table(
        "scan_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_uid", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("scanned_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("permit_ref", sa.String(length=40), nullable=False),
        sa.Column("permit_version", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=100), nullable=False),
        sa.Column("contradiction", sa.Boolean(), nullable=False),
        sa.Column("clone_suspected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_scan_events_checkpoint_id_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["checkpoint_devices.id"],
            name=op.f("fk_scan_events_device_id_checkpoint_devices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_events")),
        sa.UniqueConstraint("event_uid", name=op.f("uq_scan_events_event_uid")),
    )
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scan_events_checkpoint_id"), ["checkpoint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scan_events_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scan_events_permit_ref"), ["permit_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_scan_events_scanned_at"), ["scanned_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_events_scanned_at"))
        batch_op.drop_index(batch_op.f("ix_scan_events_permit_ref"))
        batch_op.drop_index(batch_op.f("ix_scan_events_device_id"))
        batch_op.drop_index(batch_op.f("ix_scan_events_checkpoint_id"))

    op.drop_table("scan_events")
    with op.batch_alter_table("checkpoint_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkpoint_devices_checkpoint_id"))

    op.drop_table("checkpoint_devices")
