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
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import numpy as np
import shapely
from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import ensure_utc
from tansiq.geo.domain import BaseLayerKind, in_force_windows
from tansiq.geo.drawing import (
    CLIP_MARGIN,
    clip_to,
    contested_ground,
    geojson_texts,
    precision_digits,
    simplified,
)
from tansiq.geo.outlines import LEVELS, level_for, polygonal
from tansiq.geo.repository import Extent, GeoRepository
from tansiq.geo.viewport import PIXEL_FRACTION, Bbox, metres_per_pixel, tolerance_degrees
from tansiq.parties.repository import PartyRepository

COLOURS = 6  # the palette of .zone-N in tansiq.css and of map.js
LEVELS_KEPT = 16  # footprints and overviews kept per process (a zoom sweep uses 8)
MAX_LEVEL_ZOOM = 16  # closer in, the zone as stored (0.6 m at 34 degrees north) is as good
DETAIL_ZONES = 400  # more zones in an area than this: each authority's outline instead
MOST_BYTES = 512_000  # zones one by one only in an answer smaller than this
OUTLINE_BYTES = 256_000  # outlines from coarser stored levels until the answer is smaller
# Up to this zoom, an area's contested ground comes from the authorities' stored outlines (an
# area of hundreds of zones would merge them all on each request); closer in, an area holds a
# few dozen zones and the finest outlines would cost more to overlap once than they save.
CONTESTED_FROM_OUTLINES = 12
CACHE_ENTRIES = 512

Built = TypeVar("Built")


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
class Footprints:
    """Every zone in force without its geometry, with an index of their boxes: how many zones
    an area holds and which, known before any outline is read."""

    zones: list[ZoneShown]
    tree: shapely.STRtree


@dataclass(frozen=True)
class AuthorityOutline:
    code: str
    colour: int
    name_ar: str
    name_en: str
    shape: Any


@dataclass(frozen=True)
class Overview:
    """Each authority's zones in force as one outline at one stored level, and the ground each
    two of them claim: what a view with too many zones to draw one by one shows."""

    outlines: list[AuthorityOutline]
    contested: list[tuple[str, str, Any]]


class LevelCache:
    """The last footprints and overviews built, by what they were built from."""

    def __init__(self, size: int = LEVELS_KEPT) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._levels: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, key: tuple[Any, ...], build: Callable[[], Built]) -> Built:
        with self._lock:  # one build at a time: a second asker waits for the first's
            found: Built | None = self._levels.get(key)
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


def _footprints(session: Session, map_ids: Sequence[int]) -> Footprints:
    rows = GeoRepository(session).zone_footprints_of_maps(map_ids)
    colours = authority_colours(session, map_ids)
    parties = PartyRepository(session).parties_by_ids({row[1] for row in rows})
    zones = [
        ZoneShown(
            zone_id,
            parties[authority].code,
            colours.get(parties[authority].code, 0),
            name_ar,
            name_en,
        )
        for zone_id, authority, name_ar, name_en, *_box in rows
    ]
    boxes = shapely.box(*np.array([row[4:] for row in rows], dtype=float).reshape(-1, 4).T)
    return Footprints(zones, shapely.STRtree(boxes))


def _overview(session: Session, map_ids: Sequence[int], level: int) -> Overview:
    rows = GeoRepository(session).map_outlines(map_ids, level)
    colours = authority_colours(session, map_ids)
    parties = PartyRepository(session).parties_by_ids({row[1] for row in rows})
    held: dict[int, list[Any]] = {}
    for _map_id, authority, wkb in rows:
        held.setdefault(authority, []).append(shapely.from_wkb(wkb))
    outlines = sorted(
        (
            AuthorityOutline(
                parties[authority].code,
                colours.get(parties[authority].code, 0),
                parties[authority].name_ar,
                parties[authority].name_en,
                shapes[0] if len(shapes) == 1 else polygonal(shapely.union_all(shapes)),
            )
            for authority, shapes in held.items()
        ),
        key=lambda found: found.code,
    )
    contested = []
    for i, first in enumerate(outlines):
        for second in outlines[i + 1 :]:
            if not shapely.intersects(first.shape, second.shape):
                continue
            overlap = polygonal(shapely.intersection(first.shape, second.shape))
            if not overlap.is_empty:
                contested.append((first.code, second.code, overlap))
    return Overview(outlines, contested)


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
    contested by each two authorities.

    An area holding more than ``DETAIL_ZONES`` zones, or whose zones would take more than
    ``MOST_BYTES``, shows each authority's zones as one outline instead (``"detail":
    "outlines"``), stored at import: a zoomed-out view costs what its outlines do, never what
    its thousands of zones would."""
    repo = GeoRepository(session)
    map_ids = [m for m in maps_in_force(session, at) if m != without_map]
    revision = repo.revision()
    key = ("zones", revision, tuple(map_ids), box.key(), zoom)
    found = cache.get(key)
    if found is not None:
        return found
    footprints = levels.get(
        ("footprints", revision, tuple(map_ids)), lambda: _footprints(session, map_ids)
    )
    margin = box.grown(CLIP_MARGIN)
    area = shapely.box(margin.west, margin.south, margin.east, margin.north)
    hits = np.sort(footprints.tree.query(area)) if footprints.zones else np.array([], dtype=int)
    answer = None
    if len(hits) <= DETAIL_ZONES:
        contested = None
        if zoom <= CONTESTED_FROM_OUTLINES:  # the ground two claim, from stored outlines
            level = level_for(zoom)
            overview = levels.get(
                ("outlines", revision, tuple(map_ids), level),
                partial(_overview, session, map_ids, level),
            )
            tolerance = tolerance_degrees(level, box.middle_latitude)
            contested = _overview_contested(overview, box, tolerance)
        zones = [footprints.zones[i] for i in hits]
        answer = _zones_answer(session, zones, box, zoom, contested)
        if len(answer.body) > MOST_BYTES:
            answer = None
    if answer is None:
        answer = _outlines_answer(session, levels, (revision, tuple(map_ids)), box, zoom)
    cache.put(key, answer)
    return answer


def _zones_answer(
    session: Session,
    zones: list[ZoneShown],
    box: Bbox,
    zoom: int,
    contested: list[dict[str, Any]] | None,
) -> Answer:
    """Each zone of ``zones`` that meets ``box``, simplified for ``zoom`` and clipped, with
    ``contested`` (or, closer in, the overlaps of these zones)."""
    stored = GeoRepository(session).zone_geometries([zone.zone_id for zone in zones])
    tolerance = tolerance_degrees(min(zoom, MAX_LEVEL_ZOOM), box.middle_latitude)
    shapes = shapely.from_wkb([stored[zone.zone_id] for zone in zones])
    clipped = clip_to(simplified(shapes, tolerance), box)
    kept = ~shapely.is_empty(clipped) if len(clipped) else np.array([], dtype=bool)
    shapes = clipped[kept]
    zones = [zone for zone, keep in zip(zones, kept, strict=True) if keep]
    digits = precision_digits(tolerance)
    labels = (
        np.round(shapely.get_coordinates(shapely.point_on_surface(shapes)), digits).tolist()
        if len(shapes)
        else []
    )
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
                "label_at": label,
            },
        }
        for zone, geometry, label in zip(
            zones, geojson_texts(shapes, tolerance), labels, strict=True
        )
    ]
    if contested is None:
        contested = contested_ground(shapes, [z.authority for z in zones], tolerance)
    return _answer([*features, *contested], zoom, box, detail="zones")


def _outlines_answer(
    session: Session, levels: LevelCache, source: tuple[Any, ...], box: Bbox, zoom: int
) -> Answer:
    """Each authority's outline and contested ground that meet ``box``, clipped: from the
    stored level that suits ``zoom``, or a coarser one until the answer fits in
    ``OUTLINE_BYTES``."""
    _revision, map_ids = source
    finest = level_for(zoom)
    coarser = sorted((level for level in LEVELS if level <= finest), reverse=True)
    for level in coarser:
        overview = levels.get(
            ("outlines", *source, level), partial(_overview, session, map_ids, level)
        )
        tolerance = tolerance_degrees(level, box.middle_latitude)
        answer = _overview_answer(overview, box, zoom, tolerance)
        if len(answer.body) <= OUTLINE_BYTES or level == coarser[-1]:
            break
    return answer


def _overview_answer(overview: Overview, box: Bbox, zoom: int, tolerance: float) -> Answer:
    clipped = clip_to(np.array([o.shape for o in overview.outlines], dtype=object), box)
    features = [
        {
            "geometry": geometry,
            "properties": {
                "kind": "outline",
                "authority": found.code,
                "colour": found.colour,
                "name_ar": found.name_ar,
                "name_en": found.name_en,
            },
        }
        for found, shape, geometry in zip(
            overview.outlines, clipped, geojson_texts(clipped, tolerance), strict=True
        )
        if not polygonal(shape).is_empty
    ]
    features += _overview_contested(overview, box, tolerance)
    return _answer(features, zoom, box, detail="outlines")


def _overview_contested(overview: Overview, box: Bbox, tolerance: float) -> list[dict[str, Any]]:
    """The ground each two authorities' outlines share, clipped to ``box``."""
    overlaps = clip_to(np.array([c[2] for c in overview.contested], dtype=object), box)
    return [
        {
            "geometry": geometry,
            "properties": {"kind": "contested", "authorities": [first, second]},
        }
        for (first, second, _whole), shape, geometry in zip(
            overview.contested, overlaps, geojson_texts(overlaps, tolerance), strict=True
        )
        if not polygonal(shape).is_empty
    ]


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
    shapes = clip_to(
        simplified(shapely.from_wkb([r.geometry_wkb for r in records]), tolerance), box
    )
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
            records, shapes, geojson_texts(shapes, tolerance), strict=True
        )
        if not shapely.is_empty(shape)
    ]
    answer = _answer(features, zoom, box)
    cache.put(key, answer)
    return answer


def _answer(
    features: list[dict[str, Any]], zoom: int, box: Bbox, detail: str | None = None
) -> Answer:
    """The GeoJSON document of ``features``, whose geometries are GeoJSON text already
    (written into the answer as they are: decoding and encoding them again took most of the
    time of a large area)."""
    document: dict[str, Any] = {
        "type": "FeatureCollection",
        "bbox": [box.west, box.south, box.east, box.north],
        "zoom": zoom,
        "tolerance_m": round(metres_per_pixel(zoom, box.middle_latitude) * PIXEL_FRACTION, 2),
    }
    if detail is not None:
        document["detail"] = detail
    head = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    written = ",".join(
        '{"type":"Feature","geometry":'
        + feature["geometry"]
        + ',"properties":'
        + json.dumps(feature["properties"], ensure_ascii=False, separators=(",", ":"))
        + "}"
        for feature in features
    )
    body = (head[:-1] + ',"features":[' + written + "]}").encode()
    return Answer(body, len(features))
