"""the corridor revision and change log that keep each hub process's corridor cache current
(incidents' impact reads permits and movements from memory, not from the database each time)

Revision ID: 0025_impact
Revises: 0024_conflict_speed
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_impact"
down_revision = "0024_conflict_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    corridor_revision = op.create_table(
        "corridor_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corridor_revision")),
    )
    op.bulk_insert(corridor_revision, [{"id": 1, "revision": 0, "stamp": 0}])
    op.create_table(
        "corridor_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corridor_changes")),
    )
    op.create_index(
        op.f("ix_corridor_changes_revision"), "corridor_changes", ["revision"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_corridor_changes_revision"), table_name="corridor_changes")
    op.drop_table("corridor_changes")
    op.drop_table("corridor_revision")
