"""scan events keep the indexes their queries use: the look for clones reads a permit's scans
in a time window from one covering index, and the indexes another one already serves go (each
cost every stored scan an insert)

- ``ix_scan_events_device_id``: the unique (device_id, event_uid) constraint's index leads with
  ``device_id``;
- ``ix_scan_events_scanned_at``: the figures' index (0012) leads with ``scanned_at``;
- ``ix_scan_events_permit_ref``: the new sightings index leads with ``permit_ref``.

Revision ID: 0023_scan_speed
Revises: 0026_map_levels
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0023_scan_speed"
down_revision = "0026_map_levels"
branch_labels = None
depends_on = None

SIGHTINGS = ["permit_ref", "scanned_at", "checkpoint_id", "device_id", "event_uid"]
REPLACED = (
    ("ix_scan_events_device_id", ["device_id"]),
    ("ix_scan_events_scanned_at", ["scanned_at"]),
    ("ix_scan_events_permit_ref", ["permit_ref"]),
)


def upgrade() -> None:
    op.create_index("ix_scan_events_sightings", "scan_events", SIGHTINGS)
    for name, _ in REPLACED:
        op.drop_index(name, table_name="scan_events")


def downgrade() -> None:
    for name, columns in REPLACED:
        op.create_index(name, "scan_events", columns)
    op.drop_index("ix_scan_events_sightings", table_name="scan_events")
