"""base layers: roads, rivers, built-up areas and place names the deployment owns

Revision ID: 0014_base_layers
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tansiq.db.base

revision = "0014_base_layers"
down_revision = "0013_ledger_backfill"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "base_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("uploaded_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_base_layers_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_layers")),
    )
    with op.batch_alter_table("base_layers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_base_layers_kind"), ["kind"], unique=False)
    op.create_table(
        "base_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["layer_id"], ["base_layers.id"], name=op.f("fk_base_features_layer_id_base_layers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_base_features")),
    )
    with op.batch_alter_table("base_features", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_base_features_layer_id"), ["layer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("base_features", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_base_features_layer_id"))
    op.drop_table("base_features")
    with op.batch_alter_table("base_layers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_base_layers_kind"))
    op.drop_table("base_layers")
