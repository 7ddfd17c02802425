"""device trust: governance key announcements, revocation snapshots, witness reports

Revision ID: 0011_device_trust
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tansiq.db.base import UTCDateTime

revision = "0011_device_trust"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trust_lists") as batch:
        batch.add_column(
            sa.Column("announces", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "revocation_snapshots",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("as_of", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_revocation_snapshots")),
    )
    op.create_table(
        "witness_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("held_size", sa.BigInteger(), nullable=False),
        sa.Column("held_root", sa.LargeBinary(), nullable=False),
        sa.Column("seen_size", sa.BigInteger(), nullable=False),
        sa.Column("seen_root", sa.LargeBinary(), nullable=False),
        sa.Column("seen_kid", sa.String(length=16), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_witness_reports_checkpoint_id_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["checkpoint_devices.id"],
            name=op.f("fk_witness_reports_device_id_checkpoint_devices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_reports")),
    )
    op.create_index(op.f("ix_witness_reports_checkpoint_id"), "witness_reports", ["checkpoint_id"])
    op.create_index(op.f("ix_witness_reports_device_id"), "witness_reports", ["device_id"])
    op.create_index(op.f("ix_witness_reports_seen_at"), "witness_reports", ["seen_at"])
    op.create_index(op.f("ix_witness_reports_reported_at"), "witness_reports", ["reported_at"])


def downgrade() -> None:
    op.drop_table("witness_reports")
    op.drop_table("revocation_snapshots")
    with op.batch_alter_table("trust_lists") as batch:
        batch.drop_column("announces")
