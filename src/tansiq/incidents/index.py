"""Which corridors an incident or advisory touches: an STRtree over route pieces, in metres.

A corridor is a permit's route, a movement's route or a watched route or area, with its reach
(half its width) and the window it counts in. Routes are cut into pieces of at most
:data:`PIECE_SEGMENTS` segments (a long winding route's one envelope covers kilometres and
would be returned for everything under it; 32-segment pieces measured 3x faster for incident
impact, DESIGN.md §4), each piece's box grown by the corridor's reach. A hazard is answered by
the tree (its box grown by the hazard's distance), then the time windows, then the exact
distance test on the pieces left. Pure: no storage; the projection is core's cached one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.projection import project, project_many

PIECE_SEGMENTS = 32


@dataclass(frozen=True)
class Corridor:
    """What a hazard may touch. ``shape`` is longitude/latitude; ``reach_m`` how far from it
    the corridor extends; ``windows`` the spans ``[start, end)`` it counts in; ``party_ids``
    the parties told when it is touched, its holder or notifier first."""

    kind: str  # "permit", "movement" or "watch"
    label: str  # how messages name it: a permit number, a movement reference, a watch name
    target_id: int
    subject_id: int
    shape: BaseGeometry
    reach_m: float
    windows: tuple[tuple[datetime, datetime], ...]
    party_ids: tuple[int, ...]


@dataclass(frozen=True)
class Hit:
    corridor: Corridor
    distance_m: float


class ImpactIndex:
    """Corridors projected once into the metric CRS ``epsg``, their pieces in an STRtree."""

    def __init__(self, corridors: Sequence[Corridor], epsg: int) -> None:
        self.epsg = epsg
        self.corridors = list(corridors)
        shapes = np.array([c.shape for c in self.corridors], dtype=object)
        projected = project_many(shapes, epsg) if len(shapes) else shapes
        pieces: list[BaseGeometry] = []
        owners: list[int] = []
        for number, shape in enumerate(projected):
            cut = split_pieces(shape)
            pieces.extend(cut)
            owners.extend([number] * len(cut))
        self._pieces = np.array(pieces, dtype=object)
        self._owner = np.array(owners, dtype=np.intp)
        self._reach = np.array([c.reach_m for c in self.corridors], dtype=float)
        self._first = np.array(
            [min(w[0] for w in c.windows).timestamp() for c in self.corridors], dtype=float
        )
        self._last = np.array(
            [max(w[1] for w in c.windows).timestamp() for c in self.corridors], dtype=float
        )
        bounds = shapely.bounds(self._pieces).reshape(-1, 4) if len(pieces) else np.empty((0, 4))
        grow = self._reach[self._owner][:, None] * np.array([-1.0, -1.0, 1.0, 1.0])
        self._tree = shapely.STRtree(shapely.box(*(bounds + grow).T) if len(pieces) else [])

    def __len__(self) -> int:
        return len(self.corridors)

    def touching(
        self, hazard: BaseGeometry, distance_m: float, start: datetime, end: datetime
    ) -> list[Hit]:
        """Every corridor that counts at some time in ``[start, end)`` and comes within
        ``distance_m`` of ``hazard`` (longitude/latitude) plus its own reach, nearest first."""
        if not self.corridors:
            return []
        shape = project(hazard, self.epsg)
        west, south, east, north = shape.bounds
        box = shapely.box(
            west - distance_m, south - distance_m, east + distance_m, north + distance_m
        )
        found = self._tree.query(box)
        owners = self._owner[found]
        when = (self._first[owners] < end.timestamp()) & (self._last[owners] > start.timestamp())
        found, owners = found[when], owners[when]
        shapely.prepare(shape)
        near = shapely.dwithin(shape, self._pieces[found], distance_m + self._reach[owners])
        found, owners = found[near], owners[near]
        if not len(found):
            return []
        gaps = shapely.distance(shape, self._pieces[found])
        best: dict[int, float] = {}
        for owner, gap in zip(owners.tolist(), gaps.tolist(), strict=True):
            best[owner] = min(gap, best.get(owner, gap))
        hits = [
            Hit(self.corridors[o], max(0.0, gap - self.corridors[o].reach_m))
            for o, gap in best.items()
            if _in_some_window(self.corridors[o], start, end)
        ]
        hits.sort(key=lambda hit: (hit.distance_m, hit.corridor.kind, hit.corridor.target_id))
        return hits


def _in_some_window(corridor: Corridor, start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in corridor.windows)


def split_pieces(shape: BaseGeometry) -> list[BaseGeometry]:
    """A line as pieces of at most :data:`PIECE_SEGMENTS` segments; any other shape whole."""
    if isinstance(shape, shapely.MultiLineString):
        return [piece for line in shape.geoms for piece in split_pieces(line)]
    if not isinstance(shape, shapely.LineString):
        return [shape]
    coords = shapely.get_coordinates(shape)
    if len(coords) <= PIECE_SEGMENTS + 1:
        return [shape]
    starts = range(0, len(coords) - 1, PIECE_SEGMENTS)
    return [shapely.LineString(coords[i : i + PIECE_SEGMENTS + 1]) for i in starts]
