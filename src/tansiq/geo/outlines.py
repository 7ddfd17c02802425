"""A zone map's outline for a zoomed-out view: its zones merged into one shape and simplified
for a few zoom levels, computed once when the map is imported and stored with it.

A view with too many zones to draw one by one (thousands of zones, each a few pixels across)
shows each authority's ground as one outline instead: the same ground, no zone's name or
detail, so what it tells a reader is what the zones in force already tell every member.
Merging thousands of zones is the slow part, so it is done at import, once per map and level,
and a request only clips the stored outlines to its area. Pure: shapely in, shapely out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from tansiq.geo.viewport import tolerance_degrees

LEVELS = (6, 8, 9, 10, 11, 12, 14)  # zoom levels with a stored outline (a view: the next finer)
ROUNDING = 1e-7  # degrees (1 cm): zones merged on a grid, so shared edges meet exactly
HOLE_PIXELS = 4  # a gap between zones smaller than this many square pixels is not drawn


def level_for(zoom: int) -> int:
    """The stored level a view at ``zoom`` draws: the coarsest whose outline strays by at most
    a pixel at ``zoom`` (closer in than the last level, the last level's outline)."""
    return next((level for level in LEVELS if level >= zoom), LEVELS[-1])


def middle_latitude(shapes: Sequence[Any]) -> float:
    """The latitude the tolerance of a set of shapes is taken at: the middle of their extent."""
    if not len(shapes):
        return 0.0
    _west, south, _east, north = shapely.total_bounds(np.asarray(shapes, dtype=object))
    return float((south + north) / 2)


def merged(shapes: Sequence[Any]) -> Any:
    """The zones ``shapes`` as one shape, as stored (about a second for 200 zones of 400
    vertices: why it is done once, at import)."""
    parts = shapely.get_parts(np.asarray(shapes, dtype=object))
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    if not len(polygons):
        return shapely.MultiPolygon()
    return shapely.union_all(shapely.set_precision(polygons, ROUNDING))


def outline(whole: Any, level: int, latitude: float) -> Any:
    """The merged zones ``whole`` within a pixel at zoom ``level``, without the gaps between
    zones too small to see (under a few pixels): the outline a zoomed-out view draws."""
    tolerance = tolerance_degrees(level, latitude)
    smallest = HOLE_PIXELS * tolerance * tolerance
    kept = []
    for polygon in shapely.get_parts(shapely.simplify(whole, tolerance, preserve_topology=True)):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area > smallest]
        kept.append(shapely.Polygon(polygon.exterior, holes))
    return polygonal(shapely.MultiPolygon(kept)) if kept else shapely.MultiPolygon()


def polygonal(shape: Any) -> Any:
    """Only the polygons of ``shape`` (a cut or an overlap can leave lines and points)."""
    parts = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon" and p.area > 0]
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def map_outlines(shapes: Sequence[Any]) -> dict[int, bytes]:
    """The outline of a map's zones at every stored level, as WKB."""
    latitude = middle_latitude(shapes)
    whole = merged(shapes)
    return {level: shapely.to_wkb(outline(whole, level, latitude)) for level in LEVELS}
