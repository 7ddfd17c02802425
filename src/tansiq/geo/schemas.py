"""API shapes for zone maps, zones, checkpoints and route resolution."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from tansiq.core.schemas import Name
from tansiq.geo.domain import BaseLayerKind, CheckpointOnRoute, CheckpointStatus
from tansiq.geo.models import BaseLayerRecord, CheckpointRecord
from tansiq.geo.service import ZoneMapView


class ZoneMapOut(BaseModel):
    id: int
    authority: str
    valid_from: datetime
    valid_until: datetime | None
    in_force_from: datetime | None = Field(
        description="Start of the time this map is (or was) in force; null if never."
    )
    in_force_until: datetime | None = Field(
        description="When a later map or its own end took over; null while open-ended."
    )
    imported_at: datetime
    source_name: str
    zone_count: int

    @classmethod
    def of(cls, view: ZoneMapView, authority_code: str) -> ZoneMapOut:
        record = view.record
        return cls(
            id=record.id,
            authority=authority_code,
            valid_from=record.valid_from,
            valid_until=record.valid_until,
            in_force_from=view.in_force_from,
            in_force_until=view.in_force_until,
            imported_at=record.imported_at,
            source_name=record.source_name,
            zone_count=record.zone_count,
        )


class CheckpointOut(BaseModel):
    id: int
    code: str
    authority: str
    name: Name
    status: CheckpointStatus
    status_reason: str
    lon: float
    lat: float

    @classmethod
    def of(cls, record: CheckpointRecord, authority_code: str) -> CheckpointOut:
        return cls(
            id=record.id,
            code=record.code,
            authority=authority_code,
            name=Name.pair(record.name_ar, record.name_en),
            status=record.status,
            status_reason=record.status_reason,
            lon=record.lon,
            lat=record.lat,
        )


class CheckpointStatusIn(BaseModel):
    status: CheckpointStatus
    reason: str = Field(default="", max_length=1000)


class RouteIn(BaseModel):
    route: dict[str, Any] = Field(
        description="A GeoJSON LineString (or a Feature holding one), WGS84 longitude/latitude."
    )
    corridor_m: float | None = Field(
        default=None, description="Full corridor width in metres; the hub's default if omitted."
    )
    at: AwareDatetime | None = Field(
        default=None, description="Judge against the zone maps in force at this time (now)."
    )


class ZoneRef(BaseModel):
    id: int
    map_id: int
    name: Name


class CheckpointOnRouteOut(BaseModel):
    id: int
    code: str
    authority: str
    name: Name
    status: CheckpointStatus
    distance_along_m: float
    offset_m: float

    @classmethod
    def of(cls, hit: CheckpointOnRoute, codes: dict[int, str]) -> CheckpointOnRouteOut:
        cp = hit.checkpoint
        return cls(
            id=cp.checkpoint_id,
            code=cp.code,
            authority=codes[cp.authority_id],
            name=Name.of(cp.name),
            status=cp.status,
            distance_along_m=round(hit.distance_along_m, 1),
            offset_m=round(hit.offset_m, 1),
        )


class RequiredAuthorityOut(BaseModel):
    authority: str
    name: Name
    first_along_m: float
    zones: list[ZoneRef]
    checkpoints: list[str] = Field(description="Codes of its checkpoints within the corridor.")


class RouteResolutionOut(BaseModel):
    at: datetime
    corridor_m: float
    route_length_m: float
    metric_crs: str
    authorities: list[RequiredAuthorityOut]
    checkpoints: list[CheckpointOnRouteOut]


class MapAreaOut(BaseModel):
    """What a map shows of one area: a GeoJSON FeatureCollection (RFC 7946) with the area
    asked, the zoom and the simplification tolerance the geometry was drawn to."""

    type: Literal["FeatureCollection"]
    bbox: list[float] = Field(description="The area asked: west, south, east, north.")
    zoom: int
    tolerance_m: float = Field(
        description="Outlines are simplified within this many metres (a pixel at the zoom)."
    )
    detail: Literal["zones", "outlines"] | None = Field(
        default=None,
        description=(
            "Zones only: `zones` when each zone is drawn, `outlines` when the area holds too "
            "many (a zoomed-out view) and each authority's zones come as one outline."
        ),
    )
    features: list[dict[str, Any]] = Field(
        description=(
            "Zones: properties kind=zone, zone_id, authority, colour (0-5), name_ar, name_en, "
            "label_at; or, when detail=outlines, kind=outline, authority, colour, name_ar, "
            "name_en (the authority's); contested overlaps: kind=contested, authorities. "
            "Base layers: kind "
            "(roads, rivers, built_up, places), rank (1 most important), name_ar, name_en."
        )
    )


class BaseLayerOut(BaseModel):
    id: int
    kind: BaseLayerKind
    uploaded_at: datetime
    source_name: str
    feature_count: int
    current: bool = Field(description="Whether maps draw this upload (the newest of its kind).")

    @classmethod
    def of(cls, record: BaseLayerRecord, current: bool) -> BaseLayerOut:
        return cls(
            id=record.id,
            kind=record.kind,
            uploaded_at=record.uploaded_at,
            source_name=record.source_name,
            feature_count=record.feature_count,
            current=current,
        )
