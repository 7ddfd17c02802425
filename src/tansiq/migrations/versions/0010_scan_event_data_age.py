"""scan events carry the age of the data the officer decided on

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan_events") as batch:
        batch.add_column(sa.Column("data_age_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scan_events") as batch:
        batch.drop_column("data_age_seconds")
