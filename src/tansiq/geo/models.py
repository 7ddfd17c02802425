"""Zone maps, zones and checkpoints as stored. Geometry is WGS84 WKB plus a bounding box."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.geo.domain import BaseLayerKind, CheckpointStatus


class ZoneMapRecord(Base):
    """One imported map of an authority's zones. It is in force from ``valid_from`` until the
    next map of the same authority starts, or ``valid_until`` if that comes first."""

    __tablename__ = "zone_maps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    imported_at: Mapped[datetime]
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    zone_count: Mapped[int] = mapped_column(Integer)


class ZoneRecord(Base):
    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    map_id: Mapped[int] = mapped_column(ForeignKey("zone_maps.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    feature_index: Mapped[int] = mapped_column(Integer)
    feature_ref: Mapped[str | None] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ZoneMapOutlineRecord(Base):
    """A zone map's zones merged into one outline and simplified for one zoom level
    (``geo.outlines``): what a zoomed-out view draws, computed once when the map is imported."""

    __tablename__ = "zone_map_outlines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    map_id: Mapped[int] = mapped_column(ForeignKey("zone_maps.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class CheckpointRecord(Base):
    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    status: Mapped[CheckpointStatus] = mapped_column(
        StrEnumType(CheckpointStatus, 10), default=CheckpointStatus.OPEN
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GeoRevisionRecord(Base):
    """A counter bumped in the same transaction as every change to zones or checkpoints,
    so each hub process knows when its in-memory spatial index is stale."""

    __tablename__ = "geo_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class BaseLayerRecord(Base):
    """One upload of a base layer (roads, rivers, built-up areas or place names). The newest
    upload of each kind is the one drawn; earlier ones are kept as the record of what was."""

    __tablename__ = "base_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[BaseLayerKind] = mapped_column(StrEnumType(BaseLayerKind, 20), index=True)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    feature_count: Mapped[int] = mapped_column(Integer)


class BaseFeatureRecord(Base):
    """A road, river, built-up area or named place of a base layer, with its bounding box so
    a map asks only for what it shows."""

    __tablename__ = "base_features"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("base_layers.id"), index=True)
    kind: Mapped[BaseLayerKind] = mapped_column(StrEnumType(BaseLayerKind, 20))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    rank: Mapped[int] = mapped_column(Integer, default=2)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
