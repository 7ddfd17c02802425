"""Every query about zone maps, zones and checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from tansiq.db.repository import Repository
from tansiq.geo.domain import BaseLayerKind
from tansiq.geo.models import (
    BaseFeatureRecord,
    BaseLayerRecord,
    CheckpointRecord,
    GeoRevisionRecord,
    ZoneMapOutlineRecord,
    ZoneMapRecord,
    ZoneRecord,
)
from tansiq.geo.viewport import Bbox

Extent = tuple[float, float, float, float]


class GeoRepository(
    Repository[
        ZoneMapRecord
        | ZoneRecord
        | ZoneMapOutlineRecord
        | CheckpointRecord
        | BaseLayerRecord
        | BaseFeatureRecord
    ]
):
    def revision(self) -> int:
        value = self.session.scalar(
            select(GeoRevisionRecord.revision).where(GeoRevisionRecord.id == 1)
        )
        return int(value or 0)

    def bump_revision(self) -> None:
        """Mark zones/checkpoints changed; commits with the change that caused it."""
        self.session.execute(
            update(GeoRevisionRecord)
            .where(GeoRevisionRecord.id == 1)
            .values(revision=GeoRevisionRecord.revision + 1)
        )

    def zone_maps(self, authority_id: int | None = None) -> Sequence[ZoneMapRecord]:
        query = select(ZoneMapRecord).order_by(
            ZoneMapRecord.authority_id, ZoneMapRecord.valid_from, ZoneMapRecord.id
        )
        if authority_id is not None:
            query = query.where(ZoneMapRecord.authority_id == authority_id)
        return self.session.scalars(query).all()

    def zone_map(self, map_id: int) -> ZoneMapRecord | None:
        return self.session.get(ZoneMapRecord, map_id)

    def map_windows_source(
        self,
    ) -> list[tuple[int, int, datetime, datetime | None, datetime]]:
        rows = self.session.execute(
            select(
                ZoneMapRecord.id,
                ZoneMapRecord.authority_id,
                ZoneMapRecord.valid_from,
                ZoneMapRecord.valid_until,
                ZoneMapRecord.imported_at,
            )
        ).all()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def zones_of_maps(self, map_ids: Sequence[int]) -> Sequence[ZoneRecord]:
        if not map_ids:
            return []
        return self.session.scalars(
            select(ZoneRecord).where(ZoneRecord.map_id.in_(map_ids)).order_by(ZoneRecord.id)
        ).all()

    def zone_footprints_of_maps(
        self, map_ids: Sequence[int]
    ) -> list[tuple[int, int, str, str, float, float, float, float]]:
        """Each zone of ``map_ids`` without its geometry: id, authority, names and box."""
        if not map_ids:
            return []
        rows = self.session.execute(
            select(
                ZoneRecord.id,
                ZoneRecord.authority_id,
                ZoneRecord.name_ar,
                ZoneRecord.name_en,
                ZoneRecord.min_lon,
                ZoneRecord.min_lat,
                ZoneRecord.max_lon,
                ZoneRecord.max_lat,
            )
            .where(ZoneRecord.map_id.in_(map_ids))
            .order_by(ZoneRecord.id)
        ).all()
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]

    def zone_geometries(self, zone_ids: Sequence[int]) -> dict[int, bytes]:
        """The stored geometry (WKB) of each zone of ``zone_ids``."""
        if not zone_ids:
            return {}
        rows = self.session.execute(
            select(ZoneRecord.id, ZoneRecord.geometry_wkb).where(ZoneRecord.id.in_(zone_ids))
        ).all()
        return {r[0]: r[1] for r in rows}

    def map_outlines(self, map_ids: Sequence[int], level: int) -> list[tuple[int, int, bytes]]:
        """The stored outline at ``level`` of each map of ``map_ids``: map, authority, WKB."""
        if not map_ids:
            return []
        rows = self.session.execute(
            select(ZoneMapRecord.id, ZoneMapRecord.authority_id, ZoneMapOutlineRecord.geometry_wkb)
            .join(ZoneMapOutlineRecord, ZoneMapOutlineRecord.map_id == ZoneMapRecord.id)
            .where(ZoneMapRecord.id.in_(map_ids), ZoneMapOutlineRecord.level == level)
            .order_by(ZoneMapRecord.id)
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def checkpoints(self, authority_id: int | None = None) -> Sequence[CheckpointRecord]:
        query = select(CheckpointRecord).order_by(CheckpointRecord.code)
        if authority_id is not None:
            query = query.where(CheckpointRecord.authority_id == authority_id)
        return self.session.scalars(query).all()

    def checkpoint_by_code(self, code: str) -> CheckpointRecord | None:
        return self.session.scalars(
            select(CheckpointRecord).where(CheckpointRecord.code == code)
        ).first()

    def checkpoints_by_codes(self, codes: set[str]) -> dict[str, CheckpointRecord]:
        if not codes:
            return {}
        rows = self.session.scalars(
            select(CheckpointRecord).where(CheckpointRecord.code.in_(codes))
        )
        return {row.code: row for row in rows}

    def checkpoint(self, checkpoint_id: int) -> CheckpointRecord | None:
        return self.session.get(CheckpointRecord, checkpoint_id)

    def zones_in_box(self, map_ids: Sequence[int], box: Bbox) -> Sequence[ZoneRecord]:
        """The zones of ``map_ids`` whose bounding box meets ``box``."""
        if not map_ids:
            return []
        return self.session.scalars(
            select(ZoneRecord)
            .where(ZoneRecord.map_id.in_(map_ids), _meets(ZoneRecord, box))
            .order_by(ZoneRecord.id)
        ).all()

    def zones_extent(self, map_ids: Sequence[int]) -> Extent | None:
        if not map_ids:
            return None
        return _extent(
            self.session.execute(
                select(
                    func.min(ZoneRecord.min_lon),
                    func.min(ZoneRecord.min_lat),
                    func.max(ZoneRecord.max_lon),
                    func.max(ZoneRecord.max_lat),
                ).where(ZoneRecord.map_id.in_(map_ids))
            ).one()
        )

    def authorities_of_maps(self, map_ids: Sequence[int]) -> set[int]:
        if not map_ids:
            return set()
        return set(
            self.session.scalars(
                select(ZoneMapRecord.authority_id).where(ZoneMapRecord.id.in_(map_ids))
            )
        )

    def base_layers(self) -> Sequence[BaseLayerRecord]:
        return self.session.scalars(
            select(BaseLayerRecord).order_by(BaseLayerRecord.kind, BaseLayerRecord.id.desc())
        ).all()

    def current_base_layers(self) -> dict[BaseLayerKind, BaseLayerRecord]:
        """The newest upload of each kind: the one every map draws."""
        current: dict[BaseLayerKind, BaseLayerRecord] = {}
        for record in self.base_layers():
            current.setdefault(record.kind, record)
        return current

    def base_features_in_box(
        self, layer_ids: Sequence[int], box: Bbox
    ) -> Sequence[BaseFeatureRecord]:
        if not layer_ids:
            return []
        return self.session.scalars(
            select(BaseFeatureRecord)
            .where(BaseFeatureRecord.layer_id.in_(layer_ids), _meets(BaseFeatureRecord, box))
            .order_by(BaseFeatureRecord.id)
        ).all()

    def base_features_extent(self, layer_ids: Sequence[int]) -> Extent | None:
        if not layer_ids:
            return None
        return _extent(
            self.session.execute(
                select(
                    func.min(BaseFeatureRecord.min_lon),
                    func.min(BaseFeatureRecord.min_lat),
                    func.max(BaseFeatureRecord.max_lon),
                    func.max(BaseFeatureRecord.max_lat),
                ).where(BaseFeatureRecord.layer_id.in_(layer_ids))
            ).one()
        )


def _meets(record: type[ZoneRecord] | type[BaseFeatureRecord], box: Bbox) -> ColumnElement[bool]:
    return (
        (record.max_lon >= box.west)
        & (record.min_lon <= box.east)
        & (record.max_lat >= box.south)
        & (record.min_lat <= box.north)
    )


def _extent(row: Any) -> Extent | None:
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
