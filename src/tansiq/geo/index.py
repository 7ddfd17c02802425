"""The in-memory spatial index behind route resolution (shapely STRtree, metres).

Zones and checkpoints are projected once into one metric CRS and indexed. A route is queried
segment by segment (each segment's box grown by half the corridor), so a long winding route
does not drag in everything under its bounding box, and the first segment that reaches a zone
gives its order along the route; candidates are filtered by box, then by the time their map is
in force, then by the exact distance test against the segment (never a buffered polygon).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from tansiq.core.arrays import distinct
from tansiq.core.projection import project, project_many, utm_epsg
from tansiq.geo.domain import (
    CheckpointEntry,
    CheckpointOnRoute,
    RequiredAuthority,
    RouteResolution,
    ZoneEntry,
)

_FOREVER = np.inf
DENSIFY_DEG = 0.01  # about 1 km
_GEOD = Geod(ellps="WGS84")


class SpatialIndex:
    """Zones (with the time their map is in force) and checkpoints, ready to query."""

    def __init__(
        self,
        zones: Sequence[tuple[ZoneEntry, BaseGeometry]],
        checkpoints: Sequence[CheckpointEntry],
        *,
        epsg: int | None = None,
    ) -> None:
        self.zones = [entry for entry, _ in zones]
        self.checkpoints = list(checkpoints)
        lonlat = [geometry for _, geometry in zones]
        lonlat += [shapely.Point(cp.lon, cp.lat) for cp in checkpoints]
        self.epsg = epsg or _epsg_for(lonlat)
        zone_shapes = np.array([geometry for _, geometry in zones], dtype=object)
        # Long straight edges are densified before projecting (a straight line in degrees is
        # curved in metres), and anything projection made invalid is repaired, so one odd
        # zone can never break the resolution of every route near it.
        zone_shapes = shapely.segmentize(zone_shapes, DENSIFY_DEG) if len(zones) else zone_shapes
        projected = project_many(zone_shapes, self.epsg)
        invalid = ~shapely.is_valid(projected)
        projected[invalid] = shapely.make_valid(projected[invalid])
        self._zone_shapes = projected
        shapely.prepare(self._zone_shapes)
        # GEOS builds a prepared geometry's own indexes on its first use and is not safe to use
        # from two threads at once (libgeos/geos#825): two route checks at once crashed the hub
        # process. The index is shared by every request of a process, so its prepared zones are
        # used by one thread at a time.
        self._prepared_in_use = threading.Lock()
        self._zone_tree = shapely.STRtree(self._zone_shapes)
        self._starts = np.array([e.in_force_from.timestamp() for e in self.zones], dtype=float)
        self._ends = np.array(
            [
                _FOREVER if e.in_force_until is None else e.in_force_until.timestamp()
                for e in self.zones
            ],
            dtype=float,
        )
        points = np.array(lonlat[len(self.zones) :], dtype=object)
        self._checkpoint_points = project_many(points, self.epsg)
        self._checkpoint_tree = shapely.STRtree(self._checkpoint_points)

    def resolve(
        self, route: shapely.LineString, corridor_m: float, at: datetime
    ) -> RouteResolution:
        """Every authority whose zone in force at ``at`` lies within the corridor, and every
        checkpoint within it in route order. ``route`` is WGS84; ``corridor_m`` its full width."""
        line = project(route, self.epsg)
        half = corridor_m / 2.0
        segments, segment_starts = _segments(line)
        boxes = _expanded_boxes(segments, half)

        zone_first = self._zones_along(segments, segment_starts, boxes, half, at.timestamp())
        checkpoints = self._checkpoints_along(line, segments, boxes, half)

        firsts: dict[int, float] = {}
        zones_of: dict[int, list[ZoneEntry]] = {}
        for zone_index, along in sorted(zone_first.items(), key=lambda item: item[1]):
            entry = self.zones[zone_index]
            zones_of.setdefault(entry.authority_id, []).append(entry)
            firsts.setdefault(entry.authority_id, along)
        checkpoints_of: dict[int, list[CheckpointOnRoute]] = {}
        for hit in checkpoints:
            authority = hit.checkpoint.authority_id
            checkpoints_of.setdefault(authority, []).append(hit)
            firsts[authority] = min(
                firsts.get(authority, hit.distance_along_m), hit.distance_along_m
            )
        authorities = tuple(
            RequiredAuthority(
                authority_id=authority,
                first_along_m=along,
                zones=tuple(zones_of.get(authority, ())),
                checkpoints=tuple(checkpoints_of.get(authority, ())),
            )
            for authority, along in sorted(firsts.items(), key=lambda item: (item[1], item[0]))
        )
        return RouteResolution(
            at=at,
            corridor_m=corridor_m,
            route_length_m=float(_GEOD.geometry_length(route)),
            epsg=self.epsg,
            authorities=authorities,
            checkpoints=tuple(checkpoints),
        )

    def _zones_along(
        self,
        segments: npt.NDArray[np.object_],
        segment_starts: npt.NDArray[np.float64],
        boxes: npt.NDArray[np.object_],
        half: float,
        moment: float,
    ) -> dict[int, float]:
        """Zone index → distance along the route to the start of the first segment whose
        corridor reaches it (metres)."""
        if not self.zones:
            return {}
        segment_idx, zone_idx = self._zone_tree.query(boxes)
        in_force = (self._starts[zone_idx] <= moment) & (moment < self._ends[zone_idx])
        segment_idx, zone_idx = segment_idx[in_force], zone_idx[in_force]
        touching = self._touching(segment_idx, zone_idx, segments, half)
        segment_idx, zone_idx = segment_idx[touching], zone_idx[touching]
        # Pairs come ordered by segment, so the first occurrence of a zone is its first reach.
        zones, first = np.unique(zone_idx, return_index=True)
        first_segments = segment_idx[first]
        along = segment_starts[first_segments] + _reach_within(
            segments[first_segments], self._zone_shapes[zones]
        )
        return dict(zip(zones.tolist(), along.tolist(), strict=True))

    def _touching(
        self,
        segment_idx: npt.NDArray[np.intp],
        zone_idx: npt.NDArray[np.intp],
        segments: npt.NDArray[np.object_],
        half: float,
    ) -> npt.NDArray[np.bool_]:
        """Which (segment, zone) pairs, ordered by segment, can be a zone's first reach: every
        pair that crosses its zone (a prepared intersects, many times cheaper than a distance),
        and those within ``half`` of it among the pairs before their zone's first crossing.
        A zone's first pair within reach is the same as if every pair were measured: a
        crossing pair is within reach, and no pair after a crossing can come first."""
        zones = self._zone_shapes[zone_idx]
        with self._prepared_in_use:
            crossing: npt.NDArray[np.bool_] = shapely.intersects(zones, segments[segment_idx])
        # Each pair's zone's first crossing segment (none: past the last segment).
        first_cross = np.full(len(self._zone_shapes), np.iinfo(np.intp).max, dtype=np.intp)
        np.minimum.at(first_cross, zone_idx[crossing], segment_idx[crossing])
        before = segment_idx < first_cross[zone_idx]
        with self._prepared_in_use:
            crossing[before] = shapely.dwithin(zones[before], segments[segment_idx[before]], half)
        return crossing

    def _checkpoints_along(
        self,
        line: BaseGeometry,
        pieces: npt.NDArray[np.object_],
        boxes: npt.NDArray[np.object_],
        half: float,
    ) -> list[CheckpointOnRoute]:
        if not self.checkpoints:
            return []
        piece_idx, point_idx = self._checkpoint_tree.query(boxes)
        touching = shapely.dwithin(self._checkpoint_points[point_idx], pieces[piece_idx], half)
        found = distinct(point_idx[touching])
        points = self._checkpoint_points[found]
        along = shapely.line_locate_point(line, points)
        offset = shapely.distance(line, points)
        hits = [
            CheckpointOnRoute(self.checkpoints[int(i)], float(a), float(o))
            for i, a, o in zip(found.tolist(), along.tolist(), offset.tolist(), strict=True)
        ]
        hits.sort(key=lambda hit: (hit.distance_along_m, hit.checkpoint.code))
        return hits


def _epsg_for(geometries: Sequence[BaseGeometry]) -> int:
    """The UTM zone at the median centre of the data: one stray feature far away does not
    move the projection everyone's distances are measured in."""
    if not geometries:
        return utm_epsg(39.0, 34.0)  # UTM 37N: the region Tansiq was first built for.
    centres = shapely.get_coordinates(shapely.centroid(np.array(geometries, dtype=object)))
    lon, lat = np.median(centres, axis=0)
    return utm_epsg(float(lon), float(lat))


def _segments(
    line: BaseGeometry,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """The route's segments, and how far along the route each one starts."""
    coords = shapely.get_coordinates(line)
    segments: npt.NDArray[np.object_] = shapely.linestrings(
        np.stack((coords[:-1], coords[1:]), axis=1)
    )
    lengths = np.hypot(*np.diff(coords, axis=0).T)
    starts = np.concatenate(([0.0], np.cumsum(lengths)[:-1]))
    return segments, starts


def _expanded_boxes(pieces: npt.NDArray[np.object_], half: float) -> npt.NDArray[np.object_]:
    bounds = shapely.bounds(pieces)
    boxes: npt.NDArray[np.object_] = shapely.box(
        bounds[:, 0] - half, bounds[:, 1] - half, bounds[:, 2] + half, bounds[:, 3] + half
    )
    return boxes


def _reach_within(
    segments: npt.NDArray[np.object_], zones: npt.NDArray[np.object_]
) -> npt.NDArray[np.float64]:
    """How far along each segment it first meets its zone (entering it), or else comes
    nearest to it (passing within the corridor)."""
    reach = np.zeros(len(segments))
    if not len(segments):
        return reach
    crossing = shapely.intersection(segments, zones)
    enters = ~shapely.is_empty(crossing)
    if enters.any():
        points, owner = shapely.get_coordinates(crossing[enters], return_index=True)
        entering = np.flatnonzero(enters)[owner]
        located = shapely.line_locate_point(segments[entering], shapely.points(points))
        first = np.full(len(segments), np.inf)
        np.minimum.at(first, entering, located)
        reach[enters] = first[enters]
    passes = ~enters
    if passes.any():
        nearest = shapely.get_point(shapely.shortest_line(segments[passes], zones[passes]), 0)
        reach[passes] = shapely.line_locate_point(segments[passes], nearest)
    return reach
