"""The route as the trader's form gives it (checkpoints in order or a drawn line), checked
against the zone maps the way the clearance service judges it, for the live list of required
authorities; and the map the form draws on."""

from __future__ import annotations

from typing import Any

from tansiq.clearances.pages.form import (
    TooFewCheckpoints,
    Values,
    parse_route,
    parse_time,
    stops_of,
)
from tansiq.clearances.routing import resolve_over_window
from tansiq.core.errors import TansiqError
from tansiq.core.text import name_in
from tansiq.geo import map_layers, places
from tansiq.geo.service import CheckpointNotFound, RouteInvalid, spatial_index_cache
from tansiq.parties import directory
from tansiq.parties.deps import Viewer
from tansiq.web.maps import MapView
from tansiq.web.screen import tr


def coded(s: Viewer, error: TansiqError) -> dict[str, str]:
    return {"code": error.code, "message": error.render(s.locale)["message"]}


def check_route(s: Viewer, values: Values) -> dict[str, Any]:
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
        start = parse_time(values.valid_from, s.zone) or s.hub.clock.now()
        resolution = resolve_over_window(
            s.session,
            spatial_index_cache(s.hub.caches, s.hub.settings.metric_epsg),
            route=route,
            corridor_m=corridor,
            max_corridor_m=s.hub.settings.max_corridor_m,
            valid_from=start,
            valid_until=parse_time(values.valid_until, s.zone) or start,
        )
    except ValueError:
        found["error"] = {"code": "form.number", "message": tr(s, "Enter a number.")}
        return found
    except TansiqError as error:
        found["error"] = coded(s, error)
        return found
    ids = [a.authority_id for a in resolution.authorities]
    parties = directory.parties_by_ids(s.session, ids)
    found["authorities"] = [
        {"code": parties[i].code, "name": name_in(s.locale, parties[i].name_ar, parties[i].name_en)}
        for i in ids
    ]
    found["checkpoints"] = [
        {
            "code": hit.checkpoint.code,
            "name": name_in(s.locale, hit.checkpoint.name.ar, hit.checkpoint.name.en),
        }
        for hit in resolution.checkpoints
    ]
    return found


def route_of(s: Viewer, values: Values) -> dict[str, Any]:
    if values.route_mode == "drawn":
        route = parse_route(values.route)
        if route is None:
            raise RouteInvalid
        return route
    codes = stops_of(values)
    if len(codes) < 2:
        raise TooFewCheckpoints
    known = places.checkpoints_by_codes(s.session, codes)
    for code in codes:
        if code not in known:
            raise CheckpointNotFound(checkpoint=code[:40])
    return {"type": "LineString", "coordinates": [[known[c].lon, known[c].lat] for c in codes]}


def map_view(s: Viewer) -> MapView:
    """Every checkpoint, to choose from or draw across, and the zones in force loaded by area
    as the map moves (a hub with thousands of zones still serves a small page)."""
    return map_layers.map_of(
        s.session,
        s.locale,
        map_layers.checkpoints(s.session, s.locale),
        map_layers.live(s.session, s.hub.clock.now()),
    )
