"""Which authorities an application's route needs over its whole validity window, and
what each is asked to review."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.clearances.content import Content
from tansiq.clearances.errors import NoAuthorityRequired
from tansiq.core.geojson import GeoJSONInvalid, parse_geometry
from tansiq.geo.domain import RouteResolution
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import RouteInvalid, SpatialIndexCache, list_zone_maps, resolve_route


def route_of(
    session: Session,
    content: Content,
    *,
    spatial_index: SpatialIndexCache,
    max_corridor_m: float,
) -> tuple[dict[str, Any], RouteResolution]:
    """The route as GeoJSON and the authorities it needs over the whole validity window:
    every zone map in force at some moment of the window counts."""
    route = content.route
    if route is None:
        known = GeoRepository(session).checkpoints_by_codes(set(content.checkpoint_codes))
        route = {
            "type": "LineString",
            "coordinates": [[known[c].lon, known[c].lat] for c in content.checkpoint_codes],
        }
    # Only the geometry is kept: extra members of the GeoJSON object are not stored.
    try:
        line = parse_geometry(route, ("LineString",))
    except GeoJSONInvalid as error:
        raise RouteInvalid(error.details) from None
    route = {"type": "LineString", "coordinates": [[x, y] for x, y, *_ in line.coords]}
    resolution = resolve_over_window(
        session,
        spatial_index,
        route=route,
        corridor_m=content.corridor_m,
        max_corridor_m=max_corridor_m,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
    )
    return route, resolution


def resolve_over_window(
    session: Session,
    spatial_index: SpatialIndexCache,
    *,
    route: dict[str, Any],
    corridor_m: float,
    max_corridor_m: float,
    valid_from: datetime,
    valid_until: datetime,
) -> RouteResolution:
    """The authorities ``route`` needs over the window ``[valid_from, valid_until)``: every
    zone map in force at some moment of it counts. :class:`NoAuthorityRequired` if none."""
    moments = {valid_from} | {
        view.in_force_from
        for view in list_zone_maps(session)
        if view.in_force_from is not None and valid_from < view.in_force_from < valid_until
    }
    resolution = _union(
        [
            resolve_route(
                session,
                spatial_index,
                route=route,
                corridor_m=corridor_m,
                max_corridor_m=max_corridor_m,
                at=moment,
            )
            for moment in sorted(moments)
        ]
    )
    if not resolution.authorities:
        raise NoAuthorityRequired
    return resolution


def _union(resolutions: list[RouteResolution]) -> RouteResolution:
    first = resolutions[0]
    if len(resolutions) == 1:
        return first
    merged: dict[int, Any] = {}
    for resolution in resolutions:
        for authority in resolution.authorities:
            known = merged.get(authority.authority_id)
            if known is None:
                merged[authority.authority_id] = authority
                continue
            zones = {z.zone_id: z for z in (*known.zones, *authority.zones)}
            checkpoints = {
                c.checkpoint.code: c for c in (*known.checkpoints, *authority.checkpoints)
            }
            merged[authority.authority_id] = type(authority)(
                authority_id=authority.authority_id,
                first_along_m=min(known.first_along_m, authority.first_along_m),
                zones=tuple(zones.values()),
                checkpoints=tuple(checkpoints.values()),
            )
    return type(first)(
        at=first.at,
        corridor_m=first.corridor_m,
        route_length_m=first.route_length_m,
        epsg=first.epsg,
        authorities=tuple(sorted(merged.values(), key=lambda a: (a.first_along_m, a.authority_id))),
        checkpoints=first.checkpoints,
    )


def required_by(authority: Any) -> dict[str, Any]:
    return {
        "zones": [
            {"id": z.zone_id, "map_id": z.map_id, "name_ar": z.name.ar, "name_en": z.name.en}
            for z in authority.zones
        ],
        "checkpoints": [c.checkpoint.code for c in authority.checkpoints],
    }
