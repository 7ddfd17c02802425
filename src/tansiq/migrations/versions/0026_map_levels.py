"""zone maps keep their outline for zoomed-out views: the map's zones merged and simplified
for a few zoom levels (``geo.outlines``), computed at import; maps already stored get theirs
here, from their zones

Revision ID: 0026_map_levels
Revises: 0022_advisory_windows
Create Date: 2026-12-01
"""

from __future__ import annotations

import shapely
import sqlalchemy as sa
from alembic import op

from tansiq.geo.outlines import map_outlines

revision = "0026_map_levels"
down_revision = "0022_advisory_windows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zone_map_outlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("map_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["map_id"], ["zone_maps.id"], name=op.f("fk_zone_map_outlines_map_id_zone_maps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_map_outlines")),
    )
    with op.batch_alter_table("zone_map_outlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zone_map_outlines_map_id"), ["map_id"], unique=False)
    _fill_outlines(op.get_bind())


def _fill_outlines(connection: sa.Connection) -> None:
    """Each stored zone map's outlines, from its zones, as its import would have made them."""
    table = sa.table(
        "zone_map_outlines",
        sa.column("map_id", sa.Integer()),
        sa.column("level", sa.Integer()),
        sa.column("geometry_wkb", sa.LargeBinary()),
    )
    map_ids = connection.execute(sa.text("SELECT id FROM zone_maps ORDER BY id")).scalars().all()
    for map_id in map_ids:  # one map at a time: a hub's zones need not fit in memory at once
        shapes = shapely.from_wkb(
            [
                bytes(row[0])
                for row in connection.execute(
                    sa.text("SELECT geometry_wkb FROM zones WHERE map_id = :map ORDER BY id"),
                    {"map": map_id},
                )
            ]
        )
        outlines = map_outlines(shapes)
        connection.execute(
            table.insert(),
            [{"map_id": map_id, "level": k, "geometry_wkb": v} for k, v in outlines.items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("zone_map_outlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zone_map_outlines_map_id"))
    op.drop_table("zone_map_outlines")
