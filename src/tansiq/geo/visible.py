"""What a map shows of one area: the zones in force and the base layers inside a bounding box,
clipped to it, simplified to the zoom level and written as GeoJSON once per area.

Pages no longer carry every zone of the hub: their map asks for the area it shows as it moves
(``/api/v1/map/zones`` and ``/api/v1/map/base``). Who may see zones is unchanged: every member
of the hub (``access.can_view_geography``), only maps in force at the time asked.

Answers are cached per process by area, zoom and what they were built from (the geography's
revision and the maps in force, or the base layers' uploads), so a change shows at once and an
area many people look at is built once.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import ensure_utc
from tansiq.geo.domain import BaseLayerKind, in_force_windows
from tansiq.geo.repository import Extent, GeoRepository
from tansiq.geo.viewport import PIXEL_FRACTION, Bbox, metres_per_pixel, tolerance_degrees
from tansiq.parties.repository import PartyRepository

COLOURS = 6  # the palette of .zone-N in tansiq.css and of map.js
CLIP_MARGIN = 0.05  # clip a little outside the area, so cut edges are never in view
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class Answer:
    """One area's GeoJSON, already encoded, and how many features it holds."""

    body: bytes
    features: int


class AreaCache:
    """The last answers built, by what they were built from (least recently used dropped)."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


def area_cache(caches: ProcessCaches) -> AreaCache:
    return caches.get(AreaCache, AreaCache)


def maps_in_force(session: Session, at: datetime) -> list[int]:
    """The ids of the zone maps in force at ``at``, one query."""
    at = ensure_utc(at)
    windows = in_force_windows(GeoRepository(session).map_windows_source())
    return sorted(
        map_id
        for map_id, (start, end) in windows.items()
        if start <= at and (end is None or at < end)
    )


def authority_colours(session: Session, map_ids: Sequence[int]) -> dict[str, int]:
    """Each authority holding zones in ``map_ids``, by code, with its colour number: the same
    on every answer and in the page's legend, whatever part of the map is in view."""
    ids = GeoRepository(session).authorities_of_maps(map_ids)
    codes = sorted(party.code for party in PartyRepository(session).parties_by_ids(ids).values())
    return {code: index % COLOURS for index, code in enumerate(codes)}


def extent(session: Session, at: datetime) -> Extent | None:
    """Where a map opens: the box around every zone in force and checkpoint (the ground the
    hub coordinates), or around the base layers when there is neither."""
    repo = GeoRepository(session)
    boxes = [repo.zones_extent(maps_in_force(session, at))]
    boxes += [(c.lon, c.lat, c.lon, c.lat) for c in repo.checkpoints()]
    found = [box for box in boxes if box is not None]
    if not found:
        base = repo.base_features_extent(
            [layer.id for layer in repo.current_base_layers().values()]
        )
        found = [] if base is None else [base]
    if not found:
        return None
    return (
        min(b[0] for b in found),
        min(b[1] for b in found),
        max(b[2] for b in found),
        max(b[3] for b in found),
    )


def base_layer_kinds(session: Session) -> tuple[str, ...]:
    """The kinds of base layer the deployment has, in drawing order (for the legend)."""
    current = GeoRepository(session).current_base_layers()
    return tuple(kind.value for kind in BaseLayerKind if kind in current)


def zones_in_view(
    session: Session,
    cache: AreaCache,
    *,
    box: Bbox,
    zoom: int,
    at: datetime,
    without_map: int | None = None,
) -> Answer:
    """The zones in force at ``at`` that meet ``box`` (less those of ``without_map``, whose
    place a page fills with another map), clipped, simplified for ``zoom``, with the contested
    overlaps of different authorities' zones."""
    repo = GeoRepository(session)
    map_ids = [m for m in maps_in_force(session, at) if m != without_map]
    key = ("zones", repo.revision(), tuple(map_ids), box.key(), zoom)
    found = cache.get(key)
    if found is not None:
        return found
    colours = authority_colours(session, map_ids)
    records = repo.zones_in_box(map_ids, box)
    parties = PartyRepository(session).parties_by_ids({r.authority_id for r in records})
    tolerance = tolerance_degrees(zoom, box.middle_latitude)
    clipped = _clip(shapely.from_wkb([r.geometry_wkb for r in records]), box)
    kept = [i for i, shape in enumerate(clipped) if not shapely.is_empty(shape)]
    shapes = clipped[kept] if kept else clipped[:0]
    zones = [records[i] for i in kept]
    codes = [parties[z.authority_id].code for z in zones]
    labels = shapely.point_on_surface(shapes) if len(shapes) else []
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": "zone",
                "zone_id": zone.id,
                "authority": code,
                "colour": colours.get(code, 0),
                "name_ar": zone.name_ar,
                "name_en": zone.name_en,
                "label_at": _rounded([label.x, label.y], tolerance),
            },
        }
        for zone, code, geometry, label in zip(
            zones, codes, _geojson(shapes, tolerance), labels, strict=True
        )
    ]
    features += _contested(shapes, codes, tolerance)
    answer = _answer(features, zoom, box)
    cache.put(key, answer)
    return answer


def base_in_view(session: Session, cache: AreaCache, *, box: Bbox, zoom: int) -> Answer:
    """The current base layers' features that meet ``box``, clipped and simplified."""
    repo = GeoRepository(session)
    layers = sorted(layer.id for layer in repo.current_base_layers().values())
    key = ("base", tuple(layers), box.key(), zoom)
    found = cache.get(key)
    if found is not None:
        return found
    records = repo.base_features_in_box(layers, box)
    tolerance = tolerance_degrees(zoom, box.middle_latitude)
    shapes = _clip(shapely.from_wkb([r.geometry_wkb for r in records]), box)
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": record.kind.value,
                "rank": record.rank,
                "name_ar": record.name_ar,
                "name_en": record.name_en,
            },
        }
        for record, shape, geometry in zip(
            records, shapes, _geojson(shapes, tolerance), strict=True
        )
        if not shapely.is_empty(shape)
    ]
    answer = _answer(features, zoom, box)
    cache.put(key, answer)
    return answer


def _clip(shapes: Any, box: Bbox) -> Any:
    if not len(shapes):
        return np.array([], dtype=object)
    margin = box.grown(CLIP_MARGIN)
    return shapely.clip_by_rect(shapes, margin.west, margin.south, margin.east, margin.north)


def _geojson(shapes: Any, tolerance: float) -> list[Any]:
    """Each shape simplified within ``tolerance`` degrees, coordinates rounded to match."""
    if not len(shapes):
        return []
    simple = shapely.simplify(shapes, tolerance, preserve_topology=True)
    return [_rounded(json.loads(text), tolerance) for text in shapely.to_geojson(simple)]


def _rounded(value: Any, tolerance: float) -> Any:
    """Numbers to the decimals the tolerance can tell apart (fewer bytes, nothing seen)."""
    digits = max(0, min(7, math.ceil(-math.log10(tolerance)) + 1))

    def walk(item: Any) -> Any:
        if isinstance(item, float):
            return round(item, digits)
        if isinstance(item, list):
            return [walk(member) for member in item]
        if isinstance(item, dict):
            return {name: walk(member) for name, member in item.items()}
        return item

    return walk(value)


def _contested(shapes: Any, codes: list[str], tolerance: float) -> list[dict[str, Any]]:
    """One feature per overlap of two zones held by different authorities."""
    if len(shapes) < 2:
        return []
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or codes[i] == codes[j]:
            continue
        overlap = shapely.intersection(shapes[i], shapes[j])
        polygons = [p for p in shapely.get_parts(overlap) if p.geom_type == "Polygon"]
        if not polygons or sum(p.area for p in polygons) <= 0:
            continue
        merged = shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
        [geometry] = _geojson(np.array([merged], dtype=object), tolerance)
        found.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"kind": "contested", "authorities": sorted([codes[i], codes[j]])},
            }
        )
    return found


def _answer(features: list[dict[str, Any]], zoom: int, box: Bbox) -> Answer:
    document = {
        "type": "FeatureCollection",
        "bbox": [box.west, box.south, box.east, box.north],
        "zoom": zoom,
        "tolerance_m": round(metres_per_pixel(zoom, box.middle_latitude) * PIXEL_FRACTION, 2),
        "features": features,
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Answer(body, len(features))
