"""HTTP API for zones of control, checkpoints and route resolution."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from pydantic import AwareDatetime

from tansiq.core.schemas import Name
from tansiq.geo import service
from tansiq.geo.schemas import (
    CheckpointOnRouteOut,
    CheckpointOut,
    CheckpointStatusIn,
    RequiredAuthorityOut,
    RouteIn,
    RouteResolutionOut,
    ZoneMapOut,
    ZoneRef,
)
from tansiq.parties import access
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.repository import PartyRepository
from tansiq.web.deps import DbSession, Hub, reads_only

router = APIRouter(prefix="/api/v1", tags=["geography"])
GeoJSONBody = Annotated[Any, Body(description="A GeoJSON FeatureCollection (RFC 7946).")]


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
