"""The shapes a map area draws: simplified to the zoom, clipped to the area, written as GeoJSON
text rounded to what the zoom shows, and the ground two authorities both claim (no database)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely

from tansiq.geo.viewport import Bbox

CLIP_MARGIN = 0.05  # clip a little outside the area, so cut edges are never in view


def simplified(shapes: Any, tolerance: float) -> Any:
    """Douglas-Peucker within ``tolerance`` (40 times faster than keeping topology); the few
    outlines it leaves crossing themselves are mended, so overlaps can still be computed."""
    if not len(shapes):
        return np.array([], dtype=object)
    simple = shapely.simplify(shapes, tolerance, preserve_topology=False)
    broken = ~shapely.is_valid(simple)
    if broken.any():
        simple[broken] = shapely.make_valid(simple[broken])
    return simple


def clip_to(shapes: Any, box: Bbox) -> Any:
    if not len(shapes):
        return np.array([], dtype=object)
    margin = box.grown(CLIP_MARGIN)
    return shapely.clip_by_rect(shapes, margin.west, margin.south, margin.east, margin.north)


def precision_digits(tolerance: float) -> int:
    """The decimals the tolerance can tell apart (fewer bytes, nothing seen)."""
    return max(0, min(7, math.ceil(-math.log10(tolerance)) + 1))


def geojson_texts(shapes: Any, tolerance: float) -> list[str]:
    """Each shape as a GeoJSON geometry, coordinates rounded to what ``tolerance`` shows."""
    if not len(shapes):
        return []
    rounded = shapely.set_precision(shapes, 10.0 ** -precision_digits(tolerance), mode="pointwise")
    return [str(text) for text in shapely.to_geojson(rounded)]


def contested_ground(shapes: Any, codes: list[str], tolerance: float) -> list[dict[str, Any]]:
    """One feature per two authorities whose zones overlap here: the ground both claim."""
    held: dict[str, Any] = {}
    for code in sorted(set(codes)):
        mine = [shape for shape, owner in zip(shapes, codes, strict=True) if owner == code]
        held[code] = shapely.union_all(shapely.get_parts(mine, return_index=False))
    found = []
    ordered = sorted(held)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if not shapely.intersects(held[first], held[second]):
                continue
            overlap = shapely.intersection(held[first], held[second])
            polygons = [p for p in shapely.get_parts(overlap) if p.geom_type == "Polygon"]
            if not polygons or sum(p.area for p in polygons) <= 0:
                continue
            merged = shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
            [geometry] = geojson_texts(np.array([merged], dtype=object), tolerance)
            found.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"kind": "contested", "authorities": [first, second]},
                }
            )
    return found
