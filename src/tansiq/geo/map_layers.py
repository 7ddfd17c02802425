"""The layers geo gives every page's map: the zones in force at a time and the checkpoints, as
GeoJSON features with names in the reader's language; ``live``, what a map loads by area as it
moves (the deployment's base layers, and the zones where a page would otherwise carry all of
them); and ``map_of``, which hands them with the authorities' names to the shell's map
builder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import shapely
from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale
from tansiq.core.text import name_in
from tansiq.geo import visible
from tansiq.geo.service import list_checkpoints, zone_features
from tansiq.parties.directory import names_by_code
from tansiq.web.maps import Live, MapView, authorities_of, build_map, zone_feature

# The page twins of the API's /api/v1/map/zones and /map/base, for the signed-in reader.
ZONES_URL = "/map/zones.json"
BASE_URL = "/map/base.json"


def zones(
    session: Session,
    locale: Locale,
    at: datetime,
    *,
    near: shapely.Geometry | None = None,
    highlight: frozenset[int] = frozenset(),
    leave_out_map: int | None = None,
) -> list[dict[str, Any]]:
    """Zones in force at ``at`` (``highlight``: zone ids drawn heavier; ``leave_out_map``: a
    map whose zones another layer shows instead)."""
    return [
        zone_feature(
            zone["geometry"],
            zone["properties"]["authority"],
            name_in(locale, zone["properties"]["name_ar"], zone["properties"]["name_en"]),
            required=zone["properties"]["zone_id"] in highlight,
        )
        for zone in zone_features(session, at, near=near)
        if zone["properties"]["map_id"] != leave_out_map
    ]


def checkpoints(
    session: Session, locale: Locale, *, near: shapely.Geometry | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "kind": "checkpoint",
                "code": c.code,
                "open": c.status == "open",
                "status": c.status.value,
                "name_ar": c.name_ar,
                "name_en": c.name_en,
                "name": name_in(locale, c.name_ar, c.name_en),
            },
        }
        for c in list_checkpoints(session)
        if near is None or near.contains(shapely.Point(c.lon, c.lat))
    ]


def live(
    session: Session, at: datetime, *, zones: bool = True, without_map: int | None = None
) -> Live:
    """What a page's map loads by area as it moves: the base layers, and (``zones``) the zones
    in force at ``at`` but those of ``without_map``; it opens on everything there is."""
    in_force = [m for m in visible.maps_in_force(session, at) if m != without_map]
    query = "" if without_map is None else f"?without_map={without_map}"
    return Live(
        base_url=BASE_URL,
        zones_url=f"{ZONES_URL}{query}" if zones else None,
        bounds=visible.extent(session, at) if zones else None,
        colours=visible.authority_colours(session, in_force) if zones else None,
        base_layers=visible.base_layer_kinds(session),
    )


def map_of(
    session: Session, locale: Locale, features: list[dict[str, Any]], area: Live | None = None
) -> MapView:
    """The map of ``features`` (and of what it loads by ``area``), its legend naming the
    authorities whose zones it shows."""
    codes = authorities_of(features) | set(area.colours or {} if area else {})
    return build_map(features, names_by_code(session, codes, locale), area)
