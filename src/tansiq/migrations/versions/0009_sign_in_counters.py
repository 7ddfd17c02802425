"""sign-in counters against password guessing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tansiq.db.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_counters",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_sign_in_counters")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_counters")
