"""HTTP API for zones of control, checkpoints and route resolution."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import AwareDatetime

from tansiq.core.schemas import Name
from tansiq.geo import base_layers, service, visible
from tansiq.geo.schemas import (
    BaseLayerOut,
    CheckpointOnRouteOut,
    CheckpointOut,
    CheckpointStatusIn,
    MapAreaOut,
    RequiredAuthorityOut,
    RouteIn,
    RouteResolutionOut,
    ZoneMapOut,
    ZoneRef,
)
from tansiq.geo.viewport import MAX_SPAN_DEGREES, MAX_ZOOM, parse_bbox
from tansiq.parties import access
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.repository import PartyRepository
from tansiq.web.deps import DbSession, Hub, reads_only

router = APIRouter(prefix="/api/v1", tags=["geography"])
GeoJSONBody = Annotated[Any, Body(description="A GeoJSON FeatureCollection (RFC 7946).")]
BboxParam = Annotated[
    str,
    Query(
        max_length=200,
        description=(
            "The area the map shows: west,south,east,north in WGS84 degrees, at most "
            f"{MAX_SPAN_DEGREES:g} degrees each way."
        ),
        examples=["41.03,34.36,41.17,34.44"],
    ),
]
ZoomParam = Annotated[
    int,
    Query(ge=0, le=MAX_ZOOM, description="The map's zoom level; outlines are simplified to it."),
]
BBOX_ERRORS = """

A bad area is answered 422 with one of these codes: `map.bbox_invalid` (not four numbers),
`map.bbox_not_finite` (NaN or infinity), `map.bbox_out_of_range` (outside -180..180,
-90..90), `map.bbox_swapped` (west not less than east, or south not less than north),
`map.bbox_too_large` (more degrees than the limit); a zoom out of range is `request.invalid`
naming `query.zoom`."""
MAP_AREA: dict[int | str, dict[str, Any]] = {
    200: {"model": MapAreaOut, "description": "A GeoJSON FeatureCollection."}
}


@router.post("/authorities/{code}/zone-maps", status_code=status.HTTP_201_CREATED)
def import_zone_map(
    code: str,
    document: GeoJSONBody,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    valid_from: AwareDatetime | None = None,
    valid_until: AwareDatetime | None = None,
    rewind: Annotated[bool, Query(description="Turn wrongly wound rings around.")] = False,
    source_name: Annotated[str, Query(max_length=200)] = "",
) -> ZoneMapOut:
    """Import a new zone map for an authority; it supersedes the previous one from its start."""
    record = service.import_zone_map(
        session,
        me,
        authority=code,
        document=document,
        valid_from=valid_from,
        valid_until=valid_until,
        clock=hub.clock,
        rewind=rewind,
        source_name=source_name,
    )
    view = next(v for v in service.list_zone_maps(session, code) if v.record.id == record.id)
    return ZoneMapOut.of(view, code)


@router.get("/zone-maps")
def list_zone_maps(
    session: DbSession, me: CurrentPrincipal, authority: str | None = None
) -> list[ZoneMapOut]:
    access.require(access.can_view_geography(me))
    views = service.list_zone_maps(session, authority)
    codes = _party_codes(session, {v.record.authority_id for v in views})
    return [ZoneMapOut.of(v, codes[v.record.authority_id]) for v in views]


@router.get("/zones")
def zones_in_force(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    at: AwareDatetime | None = None,
    authority: str | None = None,
) -> dict[str, Any]:
    """The zones in force at ``at`` (now by default) as a GeoJSON FeatureCollection."""
    access.require(access.can_view_geography(me))
    features = service.zone_features(session, at or hub.clock.now(), authority)
    return {"type": "FeatureCollection", "features": features}


@router.get(
    "/map/zones",
    response_model=None,
    responses=MAP_AREA,
    description=(
        "The zones in force at `at` (now by default) inside an area, clipped to it and "
        "simplified to the zoom level, with contested overlaps: what a map fetches as it "
        "moves. Every member of the hub may see the zones in force, as with `/zones`." + BBOX_ERRORS
    ),
)
def zones_in_view(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    bbox: BboxParam,
    zoom: ZoomParam,
    at: AwareDatetime | None = None,
    without_map: Annotated[
        int | None,
        Query(ge=1, description="Leave out one map's zones (a page shows another in place)."),
    ] = None,
) -> Response:
    """The zones in force at ``at`` (now by default) inside an area, clipped to it and
    simplified to the zoom level, with contested overlaps: what a map fetches as it moves.
    Every member of the hub may see the zones in force, as with ``/zones``."""
    access.require(access.can_view_geography(me))
    answer = visible.zones_in_view(
        session,
        visible.area_cache(hub.caches),
        box=parse_bbox(bbox),
        zoom=zoom,
        at=at or hub.clock.now(),
        levels=visible.level_cache(hub.caches),
        without_map=without_map,
    )
    return _area(answer)


@router.get(
    "/map/base",
    response_model=None,
    responses=MAP_AREA,
    description=(
        "The deployment's base layers (roads, rivers, built-up areas, place names) inside an "
        "area, clipped to it and simplified to the zoom level." + BBOX_ERRORS
    ),
)
def base_in_view(
    session: DbSession, hub: Hub, me: CurrentPrincipal, bbox: BboxParam, zoom: ZoomParam
) -> Response:
    """The deployment's base layers (roads, rivers, built-up areas, place names) inside an
    area, clipped to it and simplified to the zoom level."""
    access.require(access.can_view_geography(me))
    answer = visible.base_in_view(
        session, visible.area_cache(hub.caches), box=parse_bbox(bbox), zoom=zoom
    )
    return _area(answer)


def _area(answer: visible.Answer) -> Response:
    # private: the answer depends on who asks (members only); a minute spares the pans back.
    return Response(
        answer.body,
        media_type="application/json",
        headers={"Cache-Control": "private, max-age=60"},
    )


@router.get("/base-layers")
def list_base_layers(session: DbSession, me: CurrentPrincipal) -> list[BaseLayerOut]:
    access.require(access.can_view_geography(me))
    return [BaseLayerOut.of(r, current) for r, current in base_layers.list_base_layers(session)]


@router.post("/base-layers/{kind}", status_code=status.HTTP_201_CREATED)
def import_base_layer(
    kind: str,
    document: GeoJSONBody,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    source_name: Annotated[str, Query(max_length=200)] = "",
) -> BaseLayerOut:
    """Upload a base layer (``roads``, ``rivers``, ``built_up`` or ``places``) for the hub's
    admins; it replaces the layer of that kind on every map. Features carry ``name_ar``,
    ``name_en`` and an optional ``rank`` (1 to 3, 1 the most important); places may say
    ``place`` (town, village, quarter, landmark) instead of a rank."""
    record = base_layers.import_base_layer(
        session,
        me,
        kind=base_layers.layer_kind(kind),
        document=document,
        clock=hub.clock,
        source_name=source_name,
    )
    return BaseLayerOut.of(record, True)


@router.get("/checkpoints")
def list_checkpoints(
    session: DbSession, me: CurrentPrincipal, authority: str | None = None
) -> list[CheckpointOut]:
    access.require(access.can_view_geography(me))
    records = service.list_checkpoints(session, authority)
    codes = _party_codes(session, {r.authority_id for r in records})
    return [CheckpointOut.of(r, codes[r.authority_id]) for r in records]


@router.post("/checkpoints", status_code=status.HTTP_201_CREATED)
def import_checkpoints(
    document: GeoJSONBody,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    authority: str | None = None,
) -> list[CheckpointOut]:
    """Create or update checkpoints from a FeatureCollection of Points (matched by code)."""
    records = service.import_checkpoints(
        session, me, document=document, clock=hub.clock, authority=authority
    )
    codes = _party_codes(session, {r.authority_id for r in records})
    return [CheckpointOut.of(r, codes[r.authority_id]) for r in records]


@router.put("/checkpoints/{code}/status")
def set_checkpoint_status(
    code: str, body: CheckpointStatusIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> CheckpointOut:
    record = service.set_checkpoint_status(
        session, me, checkpoint=code, status=body.status, reason=body.reason, clock=hub.clock
    )
    return CheckpointOut.of(
        record, _party_codes(session, {record.authority_id})[record.authority_id]
    )


@router.post("/routes/resolve")
@reads_only
def resolve_route(
    body: RouteIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> RouteResolutionOut:
    """Which authorities must decide on this route, and which checkpoints it passes, in order."""
    access.require(access.can_view_geography(me))
    resolution = service.resolve_route(
        session,
        service.spatial_index_cache(hub.caches, hub.settings.metric_epsg),
        route=body.route,
        corridor_m=hub.settings.default_corridor_m if body.corridor_m is None else body.corridor_m,
        max_corridor_m=hub.settings.max_corridor_m,
        at=body.at or hub.clock.now(),
    )
    parties = PartyRepository(session).parties_by_ids(
        {a.authority_id for a in resolution.authorities}
    )
    codes = {pid: party.code for pid, party in parties.items()}
    return RouteResolutionOut(
        at=resolution.at,
        corridor_m=resolution.corridor_m,
        route_length_m=round(resolution.route_length_m, 1),
        metric_crs=f"EPSG:{resolution.epsg}",
        authorities=[
            RequiredAuthorityOut(
                authority=codes[a.authority_id],
                name=Name.pair(parties[a.authority_id].name_ar, parties[a.authority_id].name_en),
                first_along_m=round(a.first_along_m, 1),
                zones=[
                    ZoneRef(id=z.zone_id, map_id=z.map_id, name=Name.of(z.name)) for z in a.zones
                ],
                checkpoints=[hit.checkpoint.code for hit in a.checkpoints],
            )
            for a in resolution.authorities
        ],
        checkpoints=[CheckpointOnRouteOut.of(hit, codes) for hit in resolution.checkpoints],
    )


def _party_codes(session: DbSession, ids: set[int]) -> dict[int, str]:
    return {pid: party.code for pid, party in PartyRepository(session).parties_by_ids(ids).items()}
