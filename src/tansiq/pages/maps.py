"""What the application page's map shows, as one GeoJSON document for the map script, and the
legend that names its colours.

Only what is near the route is sent (zones and checkpoints within :data:`NEAR_DEGREES` of its
bounding box), so a hub with thousands of zones still serves a small page. Where zones of
different authorities overlap, the overlap is its own "contested" feature, so disputed ground
is visible rather than hidden under whichever polygon was drawn last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from tansiq.clearances.schemas import ApplicationOut
from tansiq.core.i18n import Locale
from tansiq.geo.service import list_checkpoints, zone_features
from tansiq.parties.repository import PartyRepository

NEAR_DEGREES = 0.05  # about 5 km around the route's bounding box
COLOURS = 6  # .zone-0 … .zone-5 in tansiq.css and the same palette in map.js


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


def application_map(
    session: Session,
    locale: Locale,
    at: datetime,
    application: ApplicationOut,
    *,
    highlight: frozenset[int] = frozenset(),
) -> MapView:
    """Zones in force at ``at`` near the route (``highlight``: zone ids drawn heavier, the
    ones that made the reader's authority required), their contested overlaps, checkpoints
    near the route and the route itself."""
    route = shape(application.route)
    near = shapely.box(*route.bounds).buffer(NEAR_DEGREES)
    zones = [z for z in zone_features(session, at) if shape(z["geometry"]).intersects(near)]
    codes = sorted({z["properties"]["authority"] for z in zones})
    colour = {code: index % COLOURS for index, code in enumerate(codes)}
    parties = {p.code: p for p in PartyRepository(session).parties() if p.code in colour}
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": zone["geometry"],
            "properties": {
                "kind": "zone",
                "authority": zone["properties"]["authority"],
                "colour": colour[zone["properties"]["authority"]],
                "required": zone["properties"]["zone_id"] in highlight,
                "name": zone["properties"]["name_ar" if locale is Locale.AR else "name_en"],
            },
        }
        for zone in zones
    ]
    overlaps = _contested(zones)
    features += overlaps
    for checkpoint in list_checkpoints(session):
        if not near.contains(shapely.Point(checkpoint.lon, checkpoint.lat)):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [checkpoint.lon, checkpoint.lat]},
                "properties": {
                    "kind": "checkpoint",
                    "code": checkpoint.code,
                    "open": checkpoint.status == "open",
                    "name": checkpoint.name_ar if locale is Locale.AR else checkpoint.name_en,
                },
            }
        )
    features.append(
        {"type": "Feature", "geometry": application.route, "properties": {"kind": "route"}}
    )
    legend = [
        LegendEntry(
            colour=colour[code],
            authority=code,
            name=(getattr(parties[code], f"name_{locale.value}") if code in parties else code),
        )
        for code in codes
    ]
    document = {"type": "FeatureCollection", "features": features}
    return MapView(json.dumps(document, ensure_ascii=False), legend, len(overlaps))


def _contested(zones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One feature per overlap of two zones held by different authorities."""
    shapes = [shape(z["geometry"]) for z in zones]
    if len(shapes) < 2:
        return []
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = zones[i]["properties"], zones[j]["properties"]
        if i >= j or a["authority"] == b["authority"]:
            continue
        overlap = shapely.intersection(shapes[i], shapes[j])
        polygons = [p for p in shapely.get_parts(overlap) if p.geom_type == "Polygon"]
        if not polygons or sum(p.area for p in polygons) <= 0:
            continue
        overlap = shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
        found.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(overlap)),
                "properties": {
                    "kind": "contested",
                    "authorities": sorted([a["authority"], b["authority"]]),
                },
            }
        )
    return found
