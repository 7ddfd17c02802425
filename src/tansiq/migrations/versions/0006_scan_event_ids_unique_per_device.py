"""scan event ids unique per device

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scan_events_event_uid"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_scan_events_device_id"), ["device_id", "event_uid"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scan_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scan_events_device_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_scan_events_event_uid"), ["event_uid"])
