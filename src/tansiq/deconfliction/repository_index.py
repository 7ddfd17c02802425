"""The occurrence index's queries: movements' occurrences as boxes in space and time (an R*Tree
on SQLite, a GiST index over ``cube`` on PostgreSQL), holding only the current versions of
active movements, and the shapes the conflict check reads by key."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tansiq.core.clock import micros
from tansiq.deconfliction.domain import NotificationKind, NotificationStatus
from tansiq.deconfliction.models import (
    OCCURRENCE_BOXES,
    NotificationVersionRecord,
    OccurrenceRecord,
)


class StoredShape(NamedTuple):
    """A current version's shape as the conflict check reads it."""

    version_id: int
    notification_id: int
    kind: NotificationKind
    width_m: float
    shape_m_wkb: bytes | None  # in the metric CRS ``shape_epsg``; None before migration 0024
    shape_epsg: int | None


class OccurrenceIndex:
    """Mixed into the deconfliction repository (which holds the session)."""

    session: Session

    def has_occurrence_boxes(self) -> bool:
        """Whether this database keeps the occurrence index (SQLite always; PostgreSQL when
        migration 0024 found the ``cube`` extension; asked once per connection)."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "sqlite":
            return True
        if dialect != "postgresql":
            return False
        info = self.session.connection().info
        if _HAS_BOXES not in info:
            info[_HAS_BOXES] = bool(
                self.session.execute(
                    text("SELECT to_regclass(:name) IS NOT NULL"), {"name": OCCURRENCE_BOXES}
                ).scalar_one()
            )
        return bool(info[_HAS_BOXES])

    def index_occurrences(
        self, version: NotificationVersionRecord, occurrences: Sequence[OccurrenceRecord]
    ) -> None:
        """Put a version's occurrences in the occurrence index, in this transaction (flushed
        first). Only a current version of an active movement belongs there: see
        :meth:`unindex_version`."""
        if not occurrences or not self.has_occurrence_boxes():
            return
        self.session.execute(
            text(_INDEX_SQLITE if _is_sqlite(self) else _INDEX_POSTGRESQL),
            [
                {
                    "id": o.id,
                    "version_id": version.id,
                    "w": version.min_lon,
                    "e": version.max_lon,
                    "s": version.min_lat,
                    "n": version.max_lat,
                    "t0": micros(o.starts_at),
                    "t1": micros(o.ends_at),
                    "s0": micros(o.starts_at) / 1e6,
                    "s1": micros(o.ends_at) / 1e6,
                }
                for o in occurrences
            ],
        )

    def unindex_notification(self, notification_id: int) -> None:
        """Take every occurrence of a notification out of the occurrence index, in this
        transaction: its version is being superseded, or it is withdrawn. The occurrences
        themselves stay (only the index entries go)."""
        if not self.has_occurrence_boxes():
            return
        self.session.execute(
            text(
                f"DELETE FROM {OCCURRENCE_BOXES} WHERE id IN "  # noqa: S608 - a constant name
                "(SELECT id FROM deconfliction_occurrences WHERE notification_id = :notification)"
            ),
            {"notification": notification_id},
        )

    def indexed_versions(self) -> set[int]:
        """Every version with an occurrence in the occurrence index (for checks and tests)."""
        if not self.has_occurrence_boxes():
            return set()
        rows = self.session.execute(
            text(f"SELECT DISTINCT version_id FROM {OCCURRENCE_BOXES}")  # noqa: S608
        )
        return {int(row[0]) for row in rows}

    def occurrences_meeting(
        self, box: tuple[float, float, float, float], spans: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int, int, float, float, float, float]]:
        """The occurrences (version id, start and end in microseconds since 1970, exact, and
        the version's box as west, east, south, north, rounded outwards) whose
        version's box meets ``box`` and whose time meets one of ``spans``: the index's answer,
        a superset in space and time (boxes and, on SQLite, times rounded outwards) holding
        only current versions of active movements."""
        query = text(_MEETING_SQLITE if _is_sqlite(self) else _MEETING_POSTGRESQL)
        west, south, east, north = box
        found: dict[int, tuple[int, int, int, float, float, float, float]] = {}
        for start, end in spans:
            rows = self.session.execute(
                query,
                {
                    "w": west,
                    "e": east,
                    "s": south,
                    "n": north,
                    "t0": start.timestamp(),
                    "t1": end.timestamp(),
                },
            ).all()
            for occurrence, version, starts_us, ends_us, *bounds in rows:
                found[occurrence] = (int(version), int(starts_us), int(ends_us), *bounds)
        return list(found.values())

    def current_shapes(self, version_ids: set[int]) -> list[StoredShape]:
        """What the conflict check needs of the given versions that are current versions of
        active notifications, read by the versions' keys (the status and the current version
        are compared here: a condition on them in SQL lets SQLite scan the notifications
        instead): their shape in metres when stored, else (filed before migration 0024) in
        longitude/latitude."""
        if not version_ids:
            return []
        # Plain text, its columns unconverted (the kind and the status compared as stored):
        # for a few hundred rows the ORM's conversions cost more than reading them.
        sqlite = _is_sqlite(self)
        rows = self.session.execute(
            _SHAPES_SQLITE if sqlite else _SHAPES_POSTGRESQL,
            {"ids": _ids_value(version_ids, sqlite)},
        ).all()
        active, kinds = NotificationStatus.ACTIVE.value, _KINDS  # looked up, not called
        return [
            StoredShape(int(version), int(notification), kinds[kind], width, wkb, epsg)
            for version, notification, kind, width, wkb, epsg, status, number, current in rows
            if status == active and number == current
        ]

    def lonlat_shapes(self, version_ids: Sequence[int]) -> dict[int, bytes]:
        """The versions' shapes as WKB in longitude/latitude."""
        if not version_ids:
            return {}
        rows = self.session.execute(
            select(NotificationVersionRecord.id, NotificationVersionRecord.shape_wkb).where(
                NotificationVersionRecord.id.in_(sorted(version_ids))
            )
        ).all()
        return {int(version): bytes(wkb) for version, wkb in rows}


_ID_ARRAY = ARRAY(BigInteger)
_KINDS = {kind.value: kind for kind in NotificationKind}  # each kind by its stored value
_HAS_BOXES = "tansiq.deconfliction.occurrence_boxes"

# Times go in as microseconds (exact, in the auxiliary columns) and as seconds (the index's
# dimension; the R*Tree rounds them outwards to 32-bit floats).
_INDEX_SQLITE = (
    f"INSERT INTO {OCCURRENCE_BOXES} "  # noqa: S608 - a constant table name
    "(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t, version_id, starts_us, ends_us) "
    "VALUES (:id, :w, :e, :s, :n, :s0, :s1, :version_id, :t0, :t1)"
)
_INDEX_POSTGRESQL = (
    f"INSERT INTO {OCCURRENCE_BOXES} "  # noqa: S608 - a constant table name
    "(id, version_id, starts_us, ends_us, extent) VALUES (:id, :version_id, :t0, :t1, "
    "cube(ARRAY[:w, :s, :s0], ARRAY[:e, :n, :s1]))"
)
_MEETING_SQLITE = (
    "SELECT id, version_id, starts_us, ends_us, min_lon, max_lon, min_lat, max_lat "  # noqa: S608 - a constant table name
    f"FROM {OCCURRENCE_BOXES} "
    "WHERE max_lon >= :w AND min_lon <= :e AND max_lat >= :s AND min_lat <= :n "
    "AND max_t >= :t0 AND min_t <= :t1"
)
_MEETING_POSTGRESQL = (
    "SELECT id, version_id, starts_us, ends_us, cube_ll_coord(extent, 1), "  # noqa: S608 - a constant table name
    "cube_ur_coord(extent, 1), cube_ll_coord(extent, 2), cube_ur_coord(extent, 2) "
    f"FROM {OCCURRENCE_BOXES} "
    "WHERE extent && cube(CAST(ARRAY[:w, :s, :t0] AS float8[]), "
    "CAST(ARRAY[:e, :n, :t1] AS float8[]))"
)


_SHAPES = (
    "SELECT v.id, n.id, n.kind, v.width_m, v.shape_m_wkb, v.shape_epsg, n.status, v.number, "
    "n.current_version FROM deconfliction_versions v "
    "JOIN deconfliction_notifications n ON n.id = v.notification_id "
)
# The ids as one parameter (see :meth:`OccurrenceIndex.among_ids`).
_SHAPES_SQLITE = text(
    _SHAPES + "WHERE v.id IN (SELECT value FROM json_each(:ids)) ORDER BY v.id"  # noqa: S608
)
_SHAPES_POSTGRESQL = text(_SHAPES + "WHERE v.id = ANY(CAST(:ids AS bigint[])) ORDER BY v.id")


def _ids_value(ids: Collection[int], sqlite: bool) -> str | list[int]:
    """Ids as one parameter: a JSON array for SQLite's ``json_each``, else a list (an array)."""
    ordered = sorted(ids)
    return json.dumps(ordered) if sqlite else ordered


def _is_sqlite(repo: OccurrenceIndex) -> bool:
    return repo.session.get_bind().dialect.name == "sqlite"
