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
from collections.abc import Callable, Sequence
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
LEVELS_KEPT = 6  # generalised zoom levels kept per process (the near ones are large)
MAX_LEVEL_ZOOM = 16  # closer in, the zone as stored (0.6 m at 34 degrees north) is as good
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

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

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


@dataclass(frozen=True)
class ZoneShown:
    zone_id: int
    authority: str
    colour: int
    name_ar: str
    name_en: str


@dataclass(frozen=True)
class Level:
    """Every zone in force, simplified once for one zoom level, with an index to find those in
    an area: what makes an area asked for the first time cheap ("pre-generalised" layers)."""

    zones: list[ZoneShown]
    shapes: Any  # numpy array of shapely geometries, as ``zones``
    tree: shapely.STRtree
    tolerance: float


class LevelCache:
    """The last generalised levels built, by what they were built from."""

    def __init__(self, size: int = LEVELS_KEPT) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._levels: OrderedDict[tuple[Any, ...], Level] = OrderedDict()

    def get(self, key: tuple[Any, ...], build: Callable[[], Level]) -> Level:
        with self._lock:  # one build at a time: a second asker waits for the first's level
            found = self._levels.get(key)
            if found is None:
                found = self._levels[key] = build()
            self._levels.move_to_end(key)
            while len(self._levels) > self.size:
                self._levels.popitem(last=False)
            return found

    def clear(self) -> None:
        with self._lock:
            self._levels.clear()


def level_cache(caches: ProcessCaches) -> LevelCache:
    return caches.get(LevelCache, LevelCache)


def _level(session: Session, map_ids: Sequence[int], zoom: int) -> Level:
    repo = GeoRepository(session)
    colours = authority_colours(session, map_ids)
    records = repo.zones_of_maps(map_ids)
    parties = PartyRepository(session).parties_by_ids({r.authority_id for r in records})
    middle = sum(r.min_lat + r.max_lat for r in records) / (2 * len(records)) if records else 0.0
    tolerance = tolerance_degrees(min(zoom, MAX_LEVEL_ZOOM), middle)
    shapes = _simplified(shapely.from_wkb([r.geometry_wkb for r in records]), tolerance)
    zones = [
        ZoneShown(
            r.id,
            parties[r.authority_id].code,
            colours.get(parties[r.authority_id].code, 0),
            r.name_ar,
            r.name_en,
        )
        for r in records
    ]
    return Level(zones, shapes, shapely.STRtree(shapes), tolerance)


def zones_in_view(
    session: Session,
    cache: AreaCache,
    *,
    box: Bbox,
    zoom: int,
    at: datetime,
    levels: LevelCache,
    without_map: int | None = None,
) -> Answer:
    """The zones in force at ``at`` that meet ``box`` (less those of ``without_map``, whose
    place a page fills with another map), simplified for ``zoom``, clipped, with the ground
    contested by each two authorities."""
    repo = GeoRepository(session)
    map_ids = [m for m in maps_in_force(session, at) if m != without_map]
    revision = repo.revision()
    key = ("zones", revision, tuple(map_ids), box.key(), zoom)
    found = cache.get(key)
    if found is not None:
        return found
    level = levels.get(
        (revision, tuple(map_ids), min(zoom, MAX_LEVEL_ZOOM)),
        lambda: _level(session, map_ids, zoom),
    )
    margin = box.grown(CLIP_MARGIN)
    hits = np.sort(
        level.tree.query(shapely.box(margin.west, margin.south, margin.east, margin.north))
    )
    clipped = _clip(level.shapes[hits], box) if len(hits) else np.array([], dtype=object)
    kept = ~shapely.is_empty(clipped) if len(clipped) else np.array([], dtype=bool)
    shapes = clipped[kept]
    zones = [level.zones[i] for i in hits[kept]]
    tolerance = level.tolerance
    labels = shapely.point_on_surface(shapes) if len(shapes) else []
    digits = _digits(tolerance)
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": "zone",
                "zone_id": zone.zone_id,
                "authority": zone.authority,
                "colour": zone.colour,
                "name_ar": zone.name_ar,
                "name_en": zone.name_en,
                "label_at": [round(label.x, digits), round(label.y, digits)],
            },
        }
        for zone, geometry, label in zip(zones, _geojson(shapes, tolerance), labels, strict=True)
    ]
    features += _contested(shapes, [z.authority for z in zones], tolerance)
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
    shapes = _clip(_simplified(shapely.from_wkb([r.geometry_wkb for r in records]), tolerance), box)
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


def _simplified(shapes: Any, tolerance: float) -> Any:
    """Douglas-Peucker within ``tolerance`` (40 times faster than keeping topology); the few
    outlines it leaves crossing themselves are mended, so overlaps can still be computed."""
    if not len(shapes):
        return np.array([], dtype=object)
    simple = shapely.simplify(shapes, tolerance, preserve_topology=False)
    broken = ~shapely.is_valid(simple)
    if broken.any():
        simple[broken] = shapely.make_valid(simple[broken])
    return simple


def _clip(shapes: Any, box: Bbox) -> Any:
    if not len(shapes):
        return np.array([], dtype=object)
    margin = box.grown(CLIP_MARGIN)
    return shapely.clip_by_rect(shapes, margin.west, margin.south, margin.east, margin.north)


def _digits(tolerance: float) -> int:
    """The decimals the tolerance can tell apart (fewer bytes, nothing seen)."""
    return max(0, min(7, math.ceil(-math.log10(tolerance)) + 1))


def _geojson(shapes: Any, tolerance: float) -> list[Any]:
    """Each shape as a GeoJSON geometry, coordinates rounded to what ``tolerance`` shows."""
    if not len(shapes):
        return []
    rounded = shapely.set_precision(shapes, 10.0 ** -_digits(tolerance), mode="pointwise")
    return [json.loads(text) for text in shapely.to_geojson(rounded)]


def _contested(shapes: Any, codes: list[str], tolerance: float) -> list[dict[str, Any]]:
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
            [geometry] = _geojson(np.array([merged], dtype=object), tolerance)
            found.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"kind": "contested", "authorities": [first, second]},
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
