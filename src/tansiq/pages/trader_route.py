"""The route as the trader's form gives it (checkpoints in order or a drawn line), checked
against the zone maps the way the clearance service judges it, for the live list of required
authorities; and the map the form draws on."""

from __future__ import annotations

from typing import Any

from tansiq.clearances import service
from tansiq.core.errors import TansiqError
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import (
    CheckpointNotFound,
    RouteInvalid,
    list_zone_maps,
    resolve_route,
)
from tansiq.pages import maps
from tansiq.pages.maps import name_in
from tansiq.pages.screen import Screen, tr
from tansiq.pages.trader_form import TooFewCheckpoints, Values, parse_route, parse_time, stops_of
from tansiq.parties.repository import PartyRepository


def coded(s: Screen, error: TansiqError) -> dict[str, str]:
    return {"code": error.code, "message": error.render(s.locale)["message"]}


def check_route(s: Screen, values: Values) -> dict[str, Any]:
    """What the hub would route to, over the whole window as the service judges it."""
    found: dict[str, Any] = {"authorities": [], "checkpoints": [], "route": None, "error": None}
    try:
        route = route_of(s, values)
        found["route"] = route
        corridor = (
            float(values.corridor_m)
            if values.corridor_m.strip()
            else s.hub.settings.default_corridor_m
        )
        start = parse_time(values.valid_from) or s.hub.clock.now()
        end = parse_time(values.valid_until) or start
        moments = {start} | {
            view.in_force_from
            for view in list_zone_maps(s.session)
            if view.in_force_from is not None and start < view.in_force_from < end
        }
        authorities: dict[int, None] = {}
        stops: dict[str, Any] = {}
        for moment in sorted(moments):
            resolution = resolve_route(
                s.session,
                s.hub.spatial_index,
                route=route,
                corridor_m=corridor,
                max_corridor_m=s.hub.settings.max_corridor_m,
                at=moment,
            )
            authorities.update(dict.fromkeys(a.authority_id for a in resolution.authorities))
            for hit in resolution.checkpoints:
                stops.setdefault(hit.checkpoint.code, hit.checkpoint)
        if not authorities:
            raise service.NoAuthorityRequired
    except ValueError:
        found["error"] = {"code": "form.number", "message": tr(s, "Enter a number.")}
        return found
    except TansiqError as error:
        found["error"] = coded(s, error)
        return found
    parties = PartyRepository(s.session).parties_by_ids(set(authorities))
    found["authorities"] = [
        {"code": parties[i].code, "name": name_in(s.locale, parties[i].name_ar, parties[i].name_en)}
        for i in authorities
    ]
    found["checkpoints"] = [
        {"code": cp.code, "name": name_in(s.locale, cp.name.ar, cp.name.en)}
        for cp in stops.values()
    ]
    return found


def route_of(s: Screen, values: Values) -> dict[str, Any]:
    if values.route_mode == "drawn":
        route = parse_route(values.route)
        if route is None:
            raise RouteInvalid
        return route
    codes = stops_of(values)
    if len(codes) < 2:
        raise TooFewCheckpoints
    known = GeoRepository(s.session).checkpoints_by_codes(set(codes))
    for code in codes:
        if code not in known:
            raise CheckpointNotFound(checkpoint=code[:40])
    return {"type": "LineString", "coordinates": [[known[c].lon, known[c].lat] for c in codes]}


def map_view(s: Screen) -> maps.MapView:
    """Every zone in force and every checkpoint, to choose from or draw across."""
    return maps.build_map(
        s.session,
        s.locale,
        maps.zones(s.session, s.locale, s.hub.clock.now()) + maps.checkpoints(s.session, s.locale),
    )
