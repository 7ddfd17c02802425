"""Every query about zone maps, zones and checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from tansiq.db.repository import Repository
from tansiq.geo.models import CheckpointRecord, GeoRevisionRecord, ZoneMapRecord, ZoneRecord


class GeoRepository(Repository[ZoneMapRecord | ZoneRecord | CheckpointRecord]):
    def add_all(self, records: Sequence[ZoneRecord]) -> None:
        self.session.add_all(records)

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
