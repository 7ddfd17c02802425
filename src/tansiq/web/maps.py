"""The map builder: one GeoJSON document for assets/map.js, and the legend that names its
colours. Every map (an application, the trader's form, the zone maps page) is built here from
the features its page hands in (geo's layers: zones in force, checkpoints) and the
authorities' names; the builder itself reads no database.

A map may also load what it shows as it moves (``Live``): the zones and the deployment's base
layers of the visible area, from the URLs the document names in its ``tansiq`` member (a
foreign member, which GeoJSON readers ignore), opening on ``bounds``. Its colours are then
fixed for every authority holding zones, so the legend holds whatever comes into view.

Zones carry their authority's colour number (0-5, the palette of .zone-N in tansiq.css and of
map.js), so the map and the legend agree. Where zones of different authorities overlap, the
overlap is its own "contested" feature, so disputed ground is visible rather than hidden under
whichever polygon was drawn last. ``near`` keeps only what lies close to a route, so a hub with
thousands of zones still serves a small page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape

NEAR_DEGREES = 0.05  # about 5 km around a route's bounding box
COLOURS = 6


@dataclass(frozen=True)
class LegendEntry:
    colour: int
    authority: str
    name: str


@dataclass(frozen=True)
class Live:
    """What a map loads by area as it moves: base layers always, zones unless they are inline
    (``zones_url`` None), and the box it opens on."""

    base_url: str
    zones_url: str | None = None
    bounds: tuple[float, float, float, float] | None = None
    colours: Mapping[str, int] | None = None
    base_layers: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapView:
    geojson: str
    legend: list[LegendEntry]
    contested: int
    checkpoints: bool = False
    base_layers: tuple[str, ...] = ()


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


def route_feature(route: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": route, "properties": {"kind": "route"}}


def authorities_of(features: list[dict[str, Any]]) -> set[str]:
    """The codes of the authorities whose zones ``features`` show (to ask their names)."""
    return {f["properties"]["authority"] for f in features if f["properties"]["kind"] == "zone"}


def build_map(
    features: list[dict[str, Any]], names: Mapping[str, str], live: Live | None = None
) -> MapView:
    """Number the authorities' colours, add their contested overlaps, and name the colours
    (``names``: each authority's name by code, in the reader's language); ``live``: what the
    map loads by area as it moves."""
    shown = [f for f in features if f["properties"]["kind"] == "zone"]
    if live is not None and live.colours is not None:
        colour = dict(live.colours)
        for code in sorted({f["properties"]["authority"] for f in shown} - set(colour)):
            colour[code] = len(colour) % COLOURS  # a map not yet in force, shown inline
    else:
        codes = sorted({f["properties"]["authority"] for f in shown})
        colour = {code: index % COLOURS for index, code in enumerate(codes)}
    for feature in shown:
        feature["properties"]["colour"] = colour.get(feature["properties"]["authority"], 0)
    overlaps = _contested(shown)
    legend = [LegendEntry(colour[code], code, names.get(code, code)) for code in sorted(colour)]
    # Overlaps after the zones, the route and checkpoints last: each drawn above the one before.
    ordered = shown + overlaps + [f for f in features if f["properties"]["kind"] != "zone"]
    document: dict[str, Any] = {"type": "FeatureCollection", "features": ordered}
    contested = len(overlaps)
    if live is not None:
        document["tansiq"] = {
            "base": live.base_url,
            "zones": live.zones_url,
            "bounds": None if live.bounds is None else list(live.bounds),
        }
        # Overlaps come with each area; the legend names them wherever two authorities hold.
        contested = max(contested, int(live.zones_url is not None and len(colour) > 1))
    return MapView(
        json.dumps(document, ensure_ascii=False),
        legend,
        contested,
        checkpoints=any(f["properties"]["kind"] == "checkpoint" for f in features),
        base_layers=() if live is None else live.base_layers,
    )


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
