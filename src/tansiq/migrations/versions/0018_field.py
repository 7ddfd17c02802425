"""field: the driver check's outcome on the scan event the officer's decision creates

Revision ID: 0018_field
Revises: 0017_liaison_threads
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_field"
down_revision = "0017_liaison_threads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: the officer typed no ID number (and every event recorded before this column).
    with op.batch_alter_table("scan_events") as batch:
        batch.add_column(sa.Column("driver_check", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scan_events") as batch:
        batch.drop_column("driver_check")
