"""Reading checkpoints and zone maps for pages (geo's and other features'): a checkpoint by
id or code, many by code, a zone map and its zones."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from tansiq.geo.models import CheckpointRecord, ZoneMapRecord, ZoneRecord
from tansiq.geo.repository import GeoRepository


def checkpoint(session: Session, checkpoint_id: int) -> CheckpointRecord | None:
    return GeoRepository(session).checkpoint(checkpoint_id)


def checkpoints_by_codes(session: Session, codes: Collection[str]) -> dict[str, CheckpointRecord]:
    """Many checkpoints by code in one query; unknown codes are left out."""
    return GeoRepository(session).checkpoints_by_codes(set(codes))


def checkpoint_by_code(session: Session, code: str) -> CheckpointRecord | None:
    return GeoRepository(session).checkpoint_by_code(code)


def zone_map(session: Session, map_id: int) -> ZoneMapRecord | None:
    return GeoRepository(session).zone_map(map_id)


def zones_of_map(session: Session, map_id: int) -> Sequence[ZoneRecord]:
    return GeoRepository(session).zones_of_maps([map_id])
