"""Reading checkpoints for other features' pages and services: one by id, many by code."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from tansiq.geo.models import CheckpointRecord
from tansiq.geo.repository import GeoRepository


def checkpoint(session: Session, checkpoint_id: int) -> CheckpointRecord | None:
    return GeoRepository(session).checkpoint(checkpoint_id)


def checkpoints_by_codes(session: Session, codes: Collection[str]) -> dict[str, CheckpointRecord]:
    """Many checkpoints by code in one query; unknown codes are left out."""
    return GeoRepository(session).checkpoints_by_codes(set(codes))
