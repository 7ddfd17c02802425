"""the conflict check reads what it needs from one index: each version's shape in metres, and
the occurrences of current versions of active movements only, exact in time

Versions get their shape in the deployment's metric CRS (``shape_m_wkb``, ``shape_epsg``),
written by filing; those filed before stay None and are projected when read (the migration
does not know the deployment's CRS). The occurrence index is rebuilt with each occurrence's
version and its exact start and end in microseconds since 1970 (on SQLite an R*Tree with
auxiliary columns; on PostgreSQL a table with a GiST index over a 3-D cube of longitude,
latitude and time, when the ``cube`` extension is available), holding only the occurrences of
the current version of an active movement: superseded and withdrawn versions' are left out
here and deleted by filing from now on.

Revision ID: 0024_conflict_speed
Revises: 0023_scan_speed
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0024_conflict_speed"
down_revision = "0023_scan_speed"
branch_labels = None
depends_on = None

BOXES = "deconfliction_occurrence_boxes"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def upgrade() -> None:
    op.add_column("deconfliction_versions", sa.Column("shape_m_wkb", sa.LargeBinary()))
    op.add_column("deconfliction_versions", sa.Column("shape_epsg", sa.Integer()))
    bind = op.get_bind()
    op.execute(f"DROP TABLE IF EXISTS {BOXES}")
    if bind.dialect.name == "sqlite":
        # Boxes in degrees, times in seconds (both rounded outwards to 32-bit floats by the
        # R*Tree); the auxiliary columns (+) are stored as given: the exact times.
        op.execute(
            f"CREATE VIRTUAL TABLE {BOXES} USING rtree("
            "id, min_lon, max_lon, min_lat, max_lat, min_t, max_t, "
            "+version_id, +starts_us, +ends_us)"
        )
    elif bind.dialect.name == "postgresql":
        available = bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'cube'")
        ).first()
        if available is None:
            return  # no index: the check falls back on the span-and-box query
        op.execute("CREATE EXTENSION IF NOT EXISTS cube")
        op.execute(
            f"CREATE TABLE {BOXES} ("
            "id integer PRIMARY KEY REFERENCES deconfliction_occurrences (id), "
            "version_id integer NOT NULL, starts_us bigint NOT NULL, ends_us bigint NOT NULL, "
            "extent cube NOT NULL)"
        )
        # The times and the version ride in the index, so the check reads no table rows.
        op.execute(
            f"CREATE INDEX ix_{BOXES}_extent ON {BOXES} USING gist (extent) "
            "INCLUDE (version_id, starts_us, ends_us)"
        )
    else:
        return
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.text(
            "SELECT o.id, o.version_id, o.starts_at, o.ends_at, "
            "v.min_lon, v.max_lon, v.min_lat, v.max_lat "
            "FROM deconfliction_occurrences o "
            "JOIN deconfliction_versions v ON v.id = o.version_id "
            "JOIN deconfliction_notifications n ON n.id = v.notification_id "
            "WHERE n.status = 'active' AND v.number = n.current_version"
        ).columns(
            sa.column("id", sa.Integer),
            sa.column("version_id", sa.Integer),
            sa.column("starts_at", sa.DateTime),
            sa.column("ends_at", sa.DateTime),
        )
    ).all()
    if not rows:
        return
    if bind.dialect.name == "sqlite":
        statement = (
            f"INSERT INTO {BOXES} (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t, "  # noqa: S608 - a constant table name
            "version_id, starts_us, ends_us) VALUES "
            "(:id, :w, :e, :s, :n, :s0, :s1, :version_id, :t0, :t1)"
        )
    else:
        statement = (
            f"INSERT INTO {BOXES} (id, version_id, starts_us, ends_us, extent) VALUES "  # noqa: S608 - a constant table name
            "(:id, :version_id, :t0, :t1, "
            "cube(ARRAY[:w, :s, :s0], ARRAY[:e, :n, :s1]))"
        )
    bind.execute(
        sa.text(statement),
        [
            {
                "id": row.id,
                "version_id": row.version_id,
                "t0": _micros(row.starts_at),
                "t1": _micros(row.ends_at),
                "s0": _micros(row.starts_at) / 1e6,
                "s1": _micros(row.ends_at) / 1e6,
                "w": row.min_lon,
                "e": row.max_lon,
                "s": row.min_lat,
                "n": row.max_lat,
            }
            for row in rows
        ],
    )


def _micros(moment: datetime | str) -> int:
    """Microseconds since 1970 of a stored UTC time (naive on SQLite, aware on PostgreSQL)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICRO


def downgrade() -> None:
    bind = op.get_bind()
    op.execute(f"DROP TABLE IF EXISTS {BOXES}")
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {BOXES} USING rtree("
            "id, min_lon, max_lon, min_lat, max_lat, min_t, max_t)"
        )
        op.execute(
            f"INSERT INTO {BOXES} (id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) "  # noqa: S608 - a constant table name
            "SELECT o.id, v.min_lon, v.max_lon, v.min_lat, v.max_lat, "
            "(julianday(o.starts_at) - 2440587.5) * 86400.0, "
            "(julianday(o.ends_at) - 2440587.5) * 86400.0 "
            "FROM deconfliction_occurrences o JOIN deconfliction_versions v ON v.id = o.version_id"
        )
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table, and dropping the old
    # copy fails while occurrences refer to it with foreign keys on.
    for column in ("shape_epsg", "shape_m_wkb"):
        op.execute(f"ALTER TABLE deconfliction_versions DROP COLUMN {column}")
