"""The in-memory spatial index behind route resolution (shapely STRtree, metres).

Zones and checkpoints are projected once into one metric CRS and indexed. A route is cut into
pieces of 32 segments, so a long winding route does not drag in everything under its bounding
box; candidates are filtered by box, then by the time their map is in force, then by the exact
distance test against the route line (never a buffered polygon).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.projection import project, project_many, utm_epsg
from tansiq.geo.domain import (
    CheckpointEntry,
    CheckpointOnRoute,
    RequiredAuthority,
    RouteResolution,
    ZoneEntry,
)

PIECE_SEGMENTS = 32
_FOREVER = np.inf


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
        self._zone_shapes = project_many(zone_shapes, self.epsg)
        shapely.prepare(self._zone_shapes)
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
        pieces, piece_starts = _pieces(line)
        boxes = _expanded_boxes(pieces, half)

        zone_first = self._zones_along(pieces, piece_starts, boxes, half, at.timestamp())
        checkpoints = self._checkpoints_along(line, pieces, boxes, half)

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
            route_length_m=float(line.length),
            epsg=self.epsg,
            authorities=authorities,
            checkpoints=tuple(checkpoints),
        )

    def _zones_along(
        self,
        pieces: npt.NDArray[np.object_],
        piece_starts: npt.NDArray[np.float64],
        boxes: npt.NDArray[np.object_],
        half: float,
        moment: float,
    ) -> dict[int, float]:
        """Zone index → how far along the route the corridor first reaches it (metres)."""
        if not self.zones:
            return {}
        piece_idx, zone_idx = self._zone_tree.query(boxes)
        in_force = (self._starts[zone_idx] <= moment) & (moment < self._ends[zone_idx])
        piece_idx, zone_idx = piece_idx[in_force], zone_idx[in_force]
        touching = shapely.dwithin(self._zone_shapes[zone_idx], pieces[piece_idx], half)
        first_piece: dict[int, int] = {}
        for piece, zone in zip(
            piece_idx[touching].tolist(), zone_idx[touching].tolist(), strict=True
        ):
            if piece < first_piece.get(zone, piece + 1):
                first_piece[zone] = piece
        return {
            zone: float(piece_starts[piece])
            + _first_reach(pieces[piece], self._zone_shapes[zone], half)
            for zone, piece in first_piece.items()
        }

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
        found = np.unique(point_idx[touching])
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
    if not geometries:
        return utm_epsg(39.0, 34.0)  # UTM 37N: the region Tansiq was first built for.
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(geometries, dtype=object))
    return utm_epsg((minx + maxx) / 2.0, (miny + maxy) / 2.0)


def _pieces(
    line: BaseGeometry,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """The route cut into runs of ``PIECE_SEGMENTS`` segments, and where each run starts."""
    coords = shapely.get_coordinates(line)
    starts = list(range(0, max(len(coords) - 1, 1), PIECE_SEGMENTS))
    pieces = np.array(
        [shapely.LineString(coords[s : s + PIECE_SEGMENTS + 1]) for s in starts], dtype=object
    )
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cumulative = np.concatenate(([0.0], np.cumsum(seg)))
    return pieces, cumulative[starts]


def _expanded_boxes(pieces: npt.NDArray[np.object_], half: float) -> npt.NDArray[np.object_]:
    bounds = shapely.bounds(pieces)
    boxes: npt.NDArray[np.object_] = shapely.box(
        bounds[:, 0] - half, bounds[:, 1] - half, bounds[:, 2] + half, bounds[:, 3] + half
    )
    return boxes


def _first_reach(piece: BaseGeometry, zone: BaseGeometry, half: float) -> float:
    """Distance along ``piece`` to the start of its first segment within ``half`` of ``zone``."""
    coords = shapely.get_coordinates(piece)
    segments = shapely.linestrings(np.stack((coords[:-1], coords[1:]), axis=1))
    near = shapely.dwithin(zone, segments, half)
    first = int(np.argmax(near))
    lengths = np.hypot(*np.diff(coords[: first + 1], axis=0).T)
    return float(lengths.sum())
