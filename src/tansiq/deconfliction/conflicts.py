"""Conflicts in space and time, and the earliest shift of a new movement that clears them.

Everything is measured in one metric CRS (``epsg``, a UTM zone). A notification's *footprint*
is a shape and a reach: a movement's route line and half its corridor width; a site's point
and its radius, or its polygon, plus the configured extra distance. Two footprints touch when
their shapes come within the sum of their reaches — exactly the corridors (round-ended
buffers) intersecting, tested on the lines, never on a polygon approximation. They conflict
when they touch while an occurrence of one overlaps an occurrence (or the active window) of
the other. Windows are half-open, so back-to-back is no conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from tansiq.core.arrays import GROW_BOX, line_pieces, run_starts
from tansiq.core.clock import micros
from tansiq.core.projection import WGS84, project
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.schedule import Window

DEFAULT_SHIFT_HORIZON = timedelta(hours=48)
CUT_MARGIN_M = 0.01  # the new corridor is cut this much outside the box where both can be


@dataclass(frozen=True)
class Footprint:
    """Where and when a notification counts, in the metric CRS ``epsg`` (or, while it is
    found among many and not yet projected, in longitude/latitude: ``stored.LONLAT``)."""

    notification_id: int
    kind: NotificationKind
    shape: BaseGeometry
    reach_m: float
    occurrences: tuple[Window, ...]  # in order, not overlapping one another
    epsg: int


def movement_footprint(
    notification_id: int,
    route: shapely.LineString,
    width_m: float,
    occurrences: Sequence[Window],
    epsg: int,
) -> Footprint:
    """A movement along ``route`` (longitude, latitude) with a corridor ``width_m`` wide."""
    return Footprint(
        notification_id,
        NotificationKind.MOVEMENT,
        project(route, epsg),
        width_m / 2.0,
        tuple(sorted(occurrences)),
        epsg,
    )


def site_footprint(
    notification_id: int,
    geometry: BaseGeometry,
    radius_m: float,
    margin_m: float,
    active: Window,
    epsg: int,
) -> Footprint:
    """A site: a point with ``radius_m``, or a polygon (``radius_m`` 0), kept clear by a
    further ``margin_m``, while ``active``."""
    return Footprint(
        notification_id,
        NotificationKind.SITE,
        project(geometry, epsg),
        radius_m + margin_m,
        (active,),
        epsg,
    )


@dataclass(frozen=True)
class Conflict:
    """Another notification the new one clashes with: where (GeoJSON, longitude/latitude) and
    every span of time both count there."""

    notification_id: int
    kind: NotificationKind
    place: dict[str, Any]
    overlaps: tuple[Window, ...]


@dataclass(frozen=True)
class Clash:
    """Another notification's footprint that the new one meets, and every span of time both
    count. Where they meet is worked out only for a :class:`Conflict` (about a millisecond a
    clash): who clashes and when is what decides the parties to alert and the shift."""

    other: Footprint
    overlaps: tuple[Window, ...]

    def order(self) -> tuple[datetime, int]:
        return self.overlaps[0].start, self.other.notification_id


def time_overlaps(first: Sequence[Window], second: Sequence[Window]) -> tuple[Window, ...]:
    """Every overlap between two ordered lists of non-overlapping windows (one sweep)."""
    found: list[Window] = []
    i = j = 0
    while i < len(first) and j < len(second):
        shared = first[i].overlap(second[j])
        if shared is not None:
            found.append(shared)
        if first[i].end <= second[j].end:
            i += 1
        else:
            j += 1
    return tuple(found)


def touches(new: Footprint, other: Footprint) -> bool:
    """The two footprints meet in space (at any time)."""
    return bool(shapely.dwithin(new.shape, other.shape, new.reach_m + other.reach_m))


def clash_between(new: Footprint, other: Footprint) -> Clash | None:
    if new.epsg != other.epsg:
        raise ValueError("footprints must share one metric CRS")
    overlaps = time_overlaps(new.occurrences, other.occurrences)
    if not overlaps or not touches(new, other):
        return None
    return Clash(other, overlaps)


def find_clashes(new: Footprint, others: Iterable[Footprint]) -> list[Clash]:
    """Every clash of ``new`` with ``others`` (its own earlier versions left out), earliest
    first, by brute force: the oracle the index is tested against."""
    found = [
        clash
        for other in others
        if other.notification_id != new.notification_id
        and (clash := clash_between(new, other)) is not None
    ]
    found.sort(key=Clash.order)
    return found


def conflict(new: Footprint, clash: Clash) -> Conflict:
    """The clash with its place, as notifiers are alerted with it."""
    other = clash.other
    return Conflict(other.notification_id, other.kind, conflict_place(new, other), clash.overlaps)


def conflict_between(new: Footprint, other: Footprint) -> Conflict | None:
    clash = clash_between(new, other)
    return None if clash is None else conflict(new, clash)


def find_conflicts(new: Footprint, others: Iterable[Footprint]) -> list[Conflict]:
    """Every conflict of ``new`` with ``others``, earliest first, each with its place."""
    return conflicts_of(new, find_clashes(new, others))


def conflicts_of(new: Footprint, clashes: Sequence[Clash]) -> list[Conflict]:
    """The clashes with their places (worked out together), in the same order."""
    places = conflict_places(new, [clash.other for clash in clashes])
    return [
        Conflict(clash.other.notification_id, clash.other.kind, place, clash.overlaps)
        for clash, place in zip(clashes, places, strict=True)
    ]


def conflict_place(new: Footprint, other: Footprint) -> dict[str, Any]:
    """Where two touching footprints meet, as GeoJSON in longitude/latitude (see
    :func:`conflict_places`)."""
    return conflict_places(new, [other])[0]


def conflict_places(new: Footprint, others: Sequence[Footprint]) -> list[dict[str, Any]]:
    """Where ``new`` meets each of ``others`` (all touching it), as GeoJSON in
    longitude/latitude, worked out for all of them at once (in arrays, one pass through pyproj).

    Only the parts of each shape near the other matter: each is clipped to the box where both
    corridors can be (:func:`meeting_boxes`, grown again by its own reach), which
    leaves the intersection of the corridors unchanged and keeps long routes cheap. The buffers
    are polygons, so two corridors that only just touch may share no area; then the place is
    the midpoint of the gap between the two shapes."""
    if not others:
        return []
    shapes = np.array([other.shape for other in others], dtype=object)
    reach = np.array([other.reach_m for other in others], dtype=float)
    box = meeting_boxes(new, shapes, reach)
    # The new corridor is made once, whole, and cut to each box (a little larger: corridors
    # that meet only along an edge have a box of no width): a route's pieces cut out and made
    # into corridors one box at a time cost a union of overlapping parts in each.
    corridor = shapely.buffer(new.shape, new.reach_m)
    cut = (
        np.column_stack((box[:, :2], np.maximum(box[:, 2:], box[:, :2]))) + CUT_MARGIN_M * GROW_BOX
    )
    mine_near = np.array([shapely.clip_by_rect(corridor, *edges) for edges in cut], dtype=object)
    shared = shapely.intersection(mine_near, shapely.buffer(_clipped(shapes, reach, box), reach))
    gaps = np.flatnonzero(shapely.is_empty(shared))
    if len(gaps):
        shared[gaps] = shapely.line_interpolate_point(
            shapely.shortest_line(new.shape, shapes[gaps]), 0.5, normalized=True
        )
    return geojson_many(_to_lonlat(shared, new.epsg))


_POLYGON, _MULTIPOLYGON = shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON


def geojson_many(geometries: npt.NDArray[np.object_]) -> list[dict[str, Any]]:
    """Each geometry as GeoJSON, exactly what ``json.loads(shapely.to_geojson(g))`` gives
    (GEOS writes every coordinate in full, so they are the same floats), without writing and
    parsing text (which cost most of a place, 0.08 ms each): the polygons and multipolygons
    that places almost always are, from their coordinates read in one pass; anything else
    (a point, a line, a collection, something empty or in 3-D) through the text."""
    found: list[dict[str, Any] | None] = [None] * len(geometries)
    types = shapely.get_type_id(geometries)
    plain = (
        ((types == _POLYGON) | (types == _MULTIPOLYGON))
        & ~shapely.is_empty(geometries)
        & ~shapely.has_z(geometries)
    )
    which = np.flatnonzero(plain)
    polygons, polygon_owner = shapely.get_parts(geometries[which], return_index=True)
    # An empty part is written as one empty ring, which a ring count cannot tell.
    uneven = polygon_owner[shapely.is_empty(polygons)]
    plain[which[uneven]] = False
    rings, ring_owner = shapely.get_rings(polygons, return_index=True)
    points = shapely.get_coordinates(rings).tolist()
    ring_cuts = np.concatenate(([0], np.cumsum(shapely.get_num_coordinates(rings)))).tolist()
    polygon_cuts = np.searchsorted(ring_owner, np.arange(len(polygons) + 1)).tolist()
    geometry_cuts = np.searchsorted(polygon_owner, np.arange(len(which) + 1)).tolist()
    for k, i in enumerate(which.tolist()):
        if not plain[i]:
            continue
        parts = [
            [
                points[ring_cuts[r] : ring_cuts[r + 1]]
                for r in range(polygon_cuts[p], polygon_cuts[p + 1])
            ]
            for p in range(geometry_cuts[k], geometry_cuts[k + 1])
        ]
        found[i] = (
            {"type": "Polygon", "coordinates": parts[0]}
            if types[i] == _POLYGON
            else {"type": "MultiPolygon", "coordinates": parts}
        )
    rest = np.flatnonzero(~plain)
    for i, text in zip(rest.tolist(), shapely.to_geojson(geometries[rest]).tolist(), strict=True):
        found[i] = json.loads(text)
    return [place for place in found if place is not None]


PIECE_SEGMENTS = 8  # a line's pieces, each boxed on its own to find where two corridors meet


def meeting_boxes(
    new: Footprint, shapes: npt.NDArray[np.object_], reach: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """For each of ``shapes`` (with its ``reach``), a box (min x, min y, max x, max y) holding
    every point where its corridor and ``new``'s can both be: a point in both is within reach
    of a piece of each line (``PIECE_SEGMENTS`` segments; any other shape is one piece), so
    in the overlap of those two pieces' boxes, each grown by its reach; the box bounds every
    such overlap. Far smaller than the overlap of the two whole envelopes grown (a winding
    route's envelope covers tens of km², where two corridors meet a fraction of one), which
    is what the place is worked out within. That overlap where no two pieces' boxes meet (two
    shapes found touching always have such pieces; kept should rounding say otherwise)."""
    theirs = shapely.bounds(shapes).reshape(-1, 4) + np.outer(reach, GROW_BOX)
    mine = grown_bounds(new.shape, new.reach_m)
    whole = np.column_stack(
        (
            np.maximum(mine[0], theirs[:, 0]),
            np.maximum(mine[1], theirs[:, 1]),
            np.minimum(mine[2], theirs[:, 2]),
            np.minimum(mine[3], theirs[:, 3]),
        )
    )
    mine_p, _ = piece_bounds(np.array([new.shape], dtype=object), np.array([new.reach_m]))
    theirs_p, owner = piece_bounds(shapes, reach)
    # Every pair of pieces (theirs by row, mine by column): the overlap of their boxes.
    west = np.maximum(theirs_p[:, 0, None], mine_p[None, :, 0])
    south = np.maximum(theirs_p[:, 1, None], mine_p[None, :, 1])
    east = np.minimum(theirs_p[:, 2, None], mine_p[None, :, 2])
    north = np.minimum(theirs_p[:, 3, None], mine_p[None, :, 3])
    meet = (west <= east) & (south <= north)
    bounds = np.column_stack(
        (
            np.where(meet, west, np.inf).min(axis=1),
            np.where(meet, south, np.inf).min(axis=1),
            np.where(meet, east, -np.inf).max(axis=1),
            np.where(meet, north, -np.inf).max(axis=1),
        )
    )
    # Each shape's pieces are together, in order of shape.
    firsts = np.searchsorted(owner, np.arange(len(shapes)))
    box = np.column_stack(
        (
            np.minimum.reduceat(bounds[:, :2], firsts, axis=0),
            np.maximum.reduceat(bounds[:, 2:], firsts, axis=0),
        )
    )
    found = np.isfinite(box).all(axis=1)
    box[~found] = whole[~found]
    return box


def piece_bounds(
    shapes: npt.NDArray[np.object_], reach: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """The boxes of every shape's pieces, each grown by its shape's reach, and the number of
    the shape each came from (in order): a line's pieces of ``PIECE_SEGMENTS`` segments (a
    vertex shared by two pieces in both), any other shape whole. In arrays, no geometry made."""
    is_line = (shapely.get_type_id(shapes) == shapely.GeometryType.LINESTRING) & ~shapely.is_empty(
        shapes
    )
    lines = np.flatnonzero(is_line)
    coords, which = shapely.get_coordinates(shapes[lines], return_index=True)
    # In order: lines in order, pieces in order along each.
    numbered = line_pieces(which, len(lines), PIECE_SEGMENTS)
    ids, per_line = numbered.ids, numbered.per_line
    starts = np.flatnonzero(run_starts(ids))
    x, y = coords[:, 0], coords[:, 1]
    line_boxes = np.empty((len(starts), 4))
    if len(starts):
        line_boxes[:, 0] = np.minimum.reduceat(x, starts)
        line_boxes[:, 1] = np.minimum.reduceat(y, starts)
        line_boxes[:, 2] = np.maximum.reduceat(x, starts)
        line_boxes[:, 3] = np.maximum.reduceat(y, starts)
        # A piece also ends at the next one's first vertex, when that is on the same line.
        follows = np.flatnonzero(which[starts[1:]] == which[starts[:-1]])
        after = starts[follows + 1]
        line_boxes[follows, 0] = np.minimum(line_boxes[follows, 0], x[after])
        line_boxes[follows, 1] = np.minimum(line_boxes[follows, 1], y[after])
        line_boxes[follows, 2] = np.maximum(line_boxes[follows, 2], x[after])
        line_boxes[follows, 3] = np.maximum(line_boxes[follows, 3], y[after])
    owner = np.concatenate((np.repeat(lines, per_line), np.flatnonzero(~is_line)))
    boxes = np.concatenate((line_boxes, shapely.bounds(shapes[~is_line]).reshape(-1, 4)))
    boxes = boxes + np.outer(reach[owner], GROW_BOX)
    order = np.argsort(owner, kind="stable")
    return boxes[order], owner[order].astype(np.intp)


def grown_bounds(shape: BaseGeometry, reach: float) -> npt.NDArray[np.float64]:
    """The envelope of ``shape`` grown by ``reach`` on every side: (min x, min y, max x, max y)."""
    bounds: npt.NDArray[np.float64] = np.asarray(shape.bounds) + reach * GROW_BOX
    return bounds


def _clipped(
    shapes: npt.NDArray[np.object_], reach: npt.NDArray[np.float64], box: npt.NDArray[np.float64]
) -> npt.NDArray[np.object_]:
    near: npt.NDArray[np.object_] = shapely.intersection(
        shapes,
        shapely.box(box[:, 0] - reach, box[:, 1] - reach, box[:, 2] + reach, box[:, 3] + reach),
    )
    return near


def inverse_transformer(epsg: int) -> Transformer:
    """From the metric CRS ``epsg`` back to longitude/latitude (cached)."""
    return _inverse(epsg)


@lru_cache(maxsize=16)
def _inverse(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, WGS84, always_xy=True)


def _to_lonlat(geometries: npt.NDArray[np.object_], epsg: int) -> npt.NDArray[np.object_]:
    inverse = _inverse(epsg)

    def backward(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lon, lat = inverse.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((lon, lat))

    result: npt.NDArray[np.object_] = shapely.transform(geometries, backward)
    return result


def earliest_shift(
    new: Sequence[Window],
    blocking: Iterable[Sequence[Window]],
    horizon: timedelta = DEFAULT_SHIFT_HORIZON,
) -> timedelta | None:
    """The smallest shift ``d >= 0`` (at most ``horizon``) of every window in ``new`` together
    after which none overlaps any window in ``blocking`` (the windows of every notification
    whose footprint touches the new one's, wherever they fall in time), or None.

    Exact, in whole microseconds: a window ``[s, e)`` shifted by ``d`` overlaps ``[t, u)``
    exactly when ``t - e < d < u - s``, an open interval. The answer is 0 or the upper end of
    one of those intervals: taken in order of their lower ends, each interval that holds the
    shift so far pushes it to its upper end, and the first that starts at or after the shift
    so far ends the search. Before interval ``k`` the shift is the largest upper end of those
    before it (or 0), so the sweep is a running maximum and one comparison, in arrays."""
    starts, ends = micros_of(new)
    theirs = [window for windows in blocking for window in windows]
    their_starts, their_ends = micros_of(theirs)
    return earliest_shift_micros(starts, ends, their_starts, their_ends, horizon)


def earliest_shift_micros(
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    their_starts: npt.NDArray[np.int64],
    their_ends: npt.NDArray[np.int64],
    horizon: timedelta,
) -> timedelta | None:
    """:func:`earliest_shift` over windows given as starts and ends in microseconds since
    1970 (the new ones, then every blocking one)."""
    limit = horizon // _MICROSECOND
    lower = (their_starts[None, :] - ends[:, None]).ravel()
    upper = (their_ends[None, :] - starts[:, None]).ravel()
    # An interval ending at or before 0, or starting at or after the horizon, holds no shift
    # that could be the answer.
    matters = (upper > 0) & (lower < limit)
    lower, upper = lower[matters], upper[matters]
    order = np.argsort(lower, kind="stable")
    lower, upper = lower[order], upper[order]
    before = np.maximum.accumulate(np.concatenate(([0], upper)))
    stops = np.flatnonzero(lower >= before[:-1])
    shift = int(before[stops[0]] if len(stops) else before[-1])
    return timedelta(microseconds=shift) if shift <= limit else None


_MICROSECOND = timedelta(microseconds=1)


def micros_of(windows: Sequence[Window]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Starts and ends in whole microseconds since 1970, exactly."""
    starts = np.array([micros(w.start) for w in windows], dtype=np.int64)
    ends = np.array([micros(w.end) for w in windows], dtype=np.int64)
    return starts, ends
