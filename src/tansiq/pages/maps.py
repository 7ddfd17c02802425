"""What the pages' maps show: one GeoJSON document for static/map.js, and the legend that
names its colours. Every map (an application, the trader's form, the zone maps page) is built
from the same parts here.

Zones carry their authority's colour number (0-5, the palette of .zone-N in tansiq.css and of
map.js), so the map and the legend agree. Where zones of different authorities overlap, the
overlap is its own "contested" feature, so disputed ground is visible rather than hidden under
whichever polygon was drawn last. ``near`` keeps only what lies close to a route, so a hub with
thousands of zones still serves a small page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale
from tansiq.geo.service import list_checkpoints, zone_features
from tansiq.pages.text import name_in
from tansiq.parties.repository import PartyRepository

NEAR_DEGREES = 0.05  # about 5 km around a route's bounding box
COLOURS = 6


@dataclass(frozen=True)
class LegendEntry:
    colour: int
    authority: str
    name: str


@dataclass(frozen=True)
class MapView:
    geojson: str
    legend: list[LegendEntry]
    contested: int


def near_route(route: dict[str, Any]) -> shapely.Geometry:
    """The area around a route's bounding box whose zones and checkpoints a map shows."""
    return shapely.box(*shape(route).bounds).buffer(NEAR_DEGREES)


def zone_feature(
    geometry: dict[str, Any], authority: str, name: str, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"kind": "zone", "authority": authority, "name": name, **extra},
    }


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
                "name": name_in(locale, c.name_ar, c.name_en),
            },
        }
        for c in list_checkpoints(session)
        if near is None or near.contains(shapely.Point(c.lon, c.lat))
    ]


def route_feature(route: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": route, "properties": {"kind": "route"}}


def build_map(session: Session, locale: Locale, features: list[dict[str, Any]]) -> MapView:
    """Number the authorities' colours, add their contested overlaps, and name the colours."""
    shown = [f for f in features if f["properties"]["kind"] == "zone"]
    codes = sorted({f["properties"]["authority"] for f in shown})
    colour = {code: index % COLOURS for index, code in enumerate(codes)}
    for feature in shown:
        feature["properties"]["colour"] = colour[feature["properties"]["authority"]]
    overlaps = _contested(shown)
    names = {
        p.code: name_in(locale, p.name_ar, p.name_en)
        for p in PartyRepository(session).parties()
        if p.code in colour
    }
    legend = [LegendEntry(colour[code], code, names.get(code, code)) for code in codes]
    # Overlaps after the zones, the route and checkpoints last: each drawn above the one before.
    ordered = shown + overlaps + [f for f in features if f["properties"]["kind"] != "zone"]
    document = {"type": "FeatureCollection", "features": ordered}
    return MapView(json.dumps(document, ensure_ascii=False), legend, len(overlaps))


def _contested(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One feature per overlap of two zones held by different authorities."""
    shapes = [shape(z["geometry"]) for z in shown]
    if len(shapes) < 2:
        return []
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = shown[i]["properties"], shown[j]["properties"]
        if i >= j or a["authority"] == b["authority"]:
            continue
        overlap = shapely.intersection(shapes[i], shapes[j])
        polygons = [p for p in shapely.get_parts(overlap) if p.geom_type == "Polygon"]
        if not polygons or sum(p.area for p in polygons) <= 0:
            continue
        merged = shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
        found.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(merged)),
                "properties": {
                    "kind": "contested",
                    "authorities": sorted([a["authority"], b["authority"]]),
                },
            }
        )
    return found
