"""Which corridors an incident or advisory touches: an STRtree over route pieces, in metres.

A corridor is a permit's route, a movement's route or a watched route or area, with its reach
(half its width) and the window it counts in. Routes are cut into pieces of at most
:data:`PIECE_SEGMENTS` segments (a long winding route's one envelope covers kilometres and
would be returned for everything under it; 32-segment pieces measured 3x faster for incident
impact, DESIGN.md §4), each piece's box grown by the corridor's reach. A hazard is answered by
the tree (its box grown by the hazard's distance), then the time windows, then the exact
distance test on the pieces whose box could still hold a corridor's nearest gap. The pieces
are laid out in memory by day and place, so one hazard's candidates are read in runs. Pure: no
storage; the projection is core's cached one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.arrays import GROW_BOX, Windowed, distinct, line_pieces, run_starts
from tansiq.core.clock import micros
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


class Hit(NamedTuple):
    """A corridor a hazard touches and how far from it (a tuple: a big hazard makes
    thousands, and a frozen dataclass took three times as long to make)."""

    corridor: Corridor
    distance_m: float


Near = Windowed[Corridor]  # corridors and every window of theirs


class ImpactIndex:
    """Corridors projected once into the metric CRS ``epsg``, their pieces in an STRtree."""

    def __init__(
        self, corridors: Sequence[Corridor], epsg: int, *, projected: bool = False
    ) -> None:
        """``projected``: the corridors' shapes are already in ``epsg`` (a caller that keeps
        them so, to save projecting and holding both); hazards are always longitude/latitude."""
        self.epsg = epsg
        self.corridors = list(corridors)
        self._held = np.fromiter(self.corridors, dtype=object, count=len(self.corridors))
        shapes = np.array([c.shape for c in self.corridors], dtype=object)
        if len(shapes) and not projected:
            shapes = project_many(shapes, epsg)
        pieces, owner = cut_pieces(shapes)
        self._reach = np.array([c.reach_m for c in self.corridors], dtype=float)
        self._first = np.array(
            [min(w[0] for w in c.windows).timestamp() for c in self.corridors], dtype=float
        )
        self._last = np.array(
            [max(w[1] for w in c.windows).timestamp() for c in self.corridors], dtype=float
        )
        # A corridor of one window is settled by its first/last test; others are checked whole.
        counts = np.array([len(c.windows) for c in self.corridors], dtype=np.intp)
        self._single = counts == 1
        # Every corridor's windows in exact microseconds, one corridor's after another.
        self._window_first = np.cumsum(counts) - counts
        self._window_count = counts
        self._window_starts = np.array(
            [micros(s) for c in self.corridors for s, _ in c.windows], dtype=np.int64
        )
        self._window_ends = np.array(
            [micros(e) for c in self.corridors for _, e in c.windows], dtype=np.int64
        )
        bounds = shapely.bounds(pieces).reshape(-1, 4) if len(pieces) else np.empty((0, 4))
        # Pieces near in time and place laid out near in memory: a hazard's candidates are then
        # read in runs, not one scattered object each (the distance test 3x faster at 1M).
        order = _locality(bounds, self._first[owner])
        self._pieces, self._start = _laid_out(pieces[order])
        self._owner, bounds = owner[order], bounds[order]
        self._bounds = bounds
        grow = self._reach[self._owner][:, None] * GROW_BOX
        boxes = shapely.box(*(bounds + grow).T) if len(pieces) else np.empty(0, dtype=object)
        self._slices = _time_slices(boxes, self._first[self._owner], self._last[self._owner])

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
        found = self._query(box, start.timestamp(), end.timestamp())
        owners = self._owner[found]
        when = (self._first[owners] < end.timestamp()) & (self._last[owners] > start.timestamp())
        owners, gaps = self._gaps(shape, found[when], owners[when], distance_m)
        near = gaps <= distance_m
        owners, gaps = owners[near], gaps[near]
        if not len(owners):
            return []
        # Each corridor's nearest piece, then the corridors nearest first (ties by corridor).
        first = run_starts(owners)
        best = np.minimum.reduceat(gaps, np.flatnonzero(first))
        nearest = np.argsort(best, kind="stable")
        chosen, best = owners[first][nearest], np.maximum(best[nearest], 0.0)
        keep = self._single[chosen]
        if not keep.all():  # a corridor of several windows: is one of them in [start, end)?
            several = np.flatnonzero(~keep)
            keep[several] = [
                _in_some_window(self.corridors[o], start, end) for o in chosen[several].tolist()
            ]
            chosen, best = chosen[keep], best[keep]
        # Built from lists in one map: a big hazard makes thousands (a comprehension took 3x).
        return list(map(Hit, self._held[chosen].tolist(), best.tolist()))

    def near(
        self, pieces: npt.NDArray[np.object_], reach_m: float, start: datetime, end: datetime
    ) -> Near:
        """The corridors whose windows together span some time in ``[start, end)`` (the first
        starts before ``end``, the last ends after ``start``: the caller tests each window, all
        given) and that come within ``reach_m`` plus their own reach of one of ``pieces``
        (shapes already in the index's CRS: a long line cut into short pieces, each looked up
        by its own box, so a winding route does not ask for everything under its envelope).
        Whether, not how far: each pair of pieces whose boxes meet is tested at most once."""
        if not self.corridors or not len(pieces):
            return self.windows_of(np.empty(0, dtype=np.intp))
        boxes = shapely.box(*(shapely.bounds(pieces) + (reach_m + SLACK_M) * GROW_BOX).T)
        t0, t1 = start.timestamp(), end.timestamp()
        mine: list[npt.NDArray[np.intp]] = []
        theirs: list[npt.NDArray[np.intp]] = []
        for key, (tree, ids) in self._slices.items():
            if key == LONG or (key * SLICE_S < t1 and t0 < (key + 1) * SLICE_S):
                asked, met = tree.query(boxes)
                mine.append(asked)
                theirs.append(ids[met])
        if not mine:
            return self.windows_of(np.empty(0, dtype=np.intp))
        # A pair met in several days' trees is tested once.
        pairs = np.concatenate(theirs).astype(np.int64) * len(pieces) + np.concatenate(mine)
        pairs = distinct(pairs)
        found, asked = pairs // len(pieces), pairs % len(pieces)
        owners = self._owner[found]
        when = (self._first[owners] < t1) & (self._last[owners] > t0)
        found, asked, owners = found[when], asked[when], owners[when]
        # Each corridor's pair of pieces with the nearest centres first: most corridors that
        # come within reach do so there, and their other pairs need no test (a third of the
        # tests at 100,000 movements).
        a, b = shapely.bounds(pieces)[asked], self._bounds[found]
        apart = np.hypot(
            (a[:, 0] + a[:, 2]) - (b[:, 0] + b[:, 2]), (a[:, 1] + a[:, 3]) - (b[:, 1] + b[:, 3])
        )
        order = np.lexsort((apart, owners))
        found, asked, owners = found[order], asked[order], owners[order]
        first = run_starts(owners)
        run = np.cumsum(first) - 1
        meets = np.zeros(len(found), dtype=bool)
        self._within(pieces, asked, found, owners, reach_m, np.flatnonzero(first), meets)
        settled = meets[first]
        rest = np.flatnonzero(~first & ~settled[run])
        self._within(pieces, asked, found, owners, reach_m, rest, meets)
        return self.windows_of(distinct(owners[meets]))

    def _within(
        self,
        pieces: npt.NDArray[np.object_],
        asked: npt.NDArray[np.int64],
        found: npt.NDArray[np.int64],
        owners: npt.NDArray[np.intp],
        reach_m: float,
        which: npt.NDArray[np.intp],
        meets: npt.NDArray[np.bool_],
    ) -> None:
        """``meets[which]``: whether each of those pairs of pieces comes within reach."""
        meets[which] = shapely.dwithin(
            pieces[asked[which]], self._pieces[found[which]], reach_m + self._reach[owners[which]]
        )

    def windows_of(self, numbers: npt.NDArray[np.intp]) -> Near:
        """The corridors numbered ``numbers`` and every window of theirs, in arrays."""
        counts = self._window_count[numbers]
        owner = np.repeat(np.arange(len(numbers), dtype=np.intp), counts)
        at = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = at + np.repeat(self._window_first[numbers], counts)
        return Windowed(
            self._held[numbers].tolist(),
            self._window_starts[rows],
            self._window_ends[rows],
            owner.astype(np.int64),
        )

    def _gaps(
        self,
        shape: BaseGeometry,
        found: npt.NDArray[np.intp],
        owners: npt.NDArray[np.intp],
        distance_m: float,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """The owners and gaps (distance less the corridor's reach) of the pieces that can
        settle a corridor's nearest gap, by owner. A piece is no nearer than its box, so one
        whose box is beyond ``distance_m`` is left out, and each corridor's piece with the
        nearest box is measured first, its others only where their box is nearer than that (a
        quarter fewer GEOS distances at 1M). One GEOS pass gives both the test and the gap reported:
        measured faster than a prepared dwithin first."""
        west, south, east, north = shape.bounds
        box = self._bounds[found]
        floor = (
            np.hypot(
                np.maximum(np.maximum(box[:, 0] - east, west - box[:, 2]), 0.0),
                np.maximum(np.maximum(box[:, 1] - north, south - box[:, 3]), 0.0),
            )
            - self._reach[owners]
        )
        can = floor <= distance_m + SLACK_M
        found, owners, floor = found[can], owners[can], floor[can]
        order = np.lexsort((floor, owners))
        found, owners, floor = found[order], owners[order], floor[order]
        first = run_starts(owners)
        corridor = np.cumsum(first) - 1  # each piece's corridor, counted from 0
        gaps = np.full(len(found), np.inf)
        # A piece that starts inside an areal hazard is at distance 0, the least there is: its
        # corridor is settled without GEOS (most of a big polygon's hits, half its time at 1M).
        inside = self._inside(shape, found)
        gaps[inside] = -self._reach[owners[inside]]
        settled = np.bincount(corridor[inside], minlength=corridor[-1] + 1 if len(found) else 0)
        open_ = settled[corridor] == 0
        self._measure(shape, found, owners, np.flatnonzero(first & open_), gaps)
        bound = gaps[first][corridor]  # each piece's corridor's first gap
        rest = ~first & open_ & (floor <= bound + SLACK_M)
        self._measure(shape, found, owners, np.flatnonzero(rest), gaps)
        done = inside | (first & open_) | rest
        return owners[done], gaps[done]

    def _inside(self, shape: BaseGeometry, found: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Which of the pieces ``found`` start inside ``shape`` (none unless it is areal)."""
        if shapely.get_type_id(shape) not in AREAL or not len(found):
            return np.zeros(len(found), dtype=bool)
        shapely.prepare(shape)
        start = self._start[found]
        inside: npt.NDArray[np.bool_] = shapely.contains_xy(shape, start[:, 0], start[:, 1])
        return inside

    def _measure(
        self,
        shape: BaseGeometry,
        found: npt.NDArray[np.intp],
        owners: npt.NDArray[np.intp],
        which: npt.NDArray[np.intp],
        gaps: npt.NDArray[np.float64],
    ) -> None:
        """``gaps[which]``: the gaps to pieces ``found[which]``, asked of GEOS in the pieces'
        order (their order in memory)."""
        which = which[np.argsort(found[which])]
        pieces = found[which]
        gaps[which] = shapely.distance(shape, self._pieces[pieces]) - self._reach[owners[which]]

    def _query(self, box: BaseGeometry, start: float, end: float) -> npt.NDArray[np.intp]:
        """Pieces whose grown box meets ``box``, from the slices that ``[start, end)`` meets
        (a piece in two slices is returned once)."""
        hits: list[npt.NDArray[np.intp]] = [
            ids[tree.query(box)]
            for key, (tree, ids) in self._slices.items()
            if key == LONG or (key * SLICE_S < end and start < (key + 1) * SLICE_S)
        ]
        if len(hits) == 1:
            return hits[0]
        return distinct(np.concatenate(hits)) if hits else np.empty(0, dtype=np.intp)


SLICE_S = 86_400  # one STRtree per day a piece counts in: a hazard asks only its days' trees
LONG_SLICES = 30  # a corridor counting longer than this (a watch) lives in one tree, always asked
LONG = -(10**9)  # no day: the key of the long-lived corridors' tree
AREAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
SLACK_M = 1e-6  # a box's distance is measured to rounding: never leave out a piece by less


def _time_slices(
    boxes: npt.NDArray[np.object_], first: npt.NDArray[np.float64], last: npt.NDArray[np.float64]
) -> dict[int, tuple[shapely.STRtree, npt.NDArray[np.intp]]]:
    """Day → (an STRtree over the boxes of the pieces counting that day, their piece ids).
    Filtering by time before space: most corridors are short-lived, so one day's tree holds a
    small part of the index and a hazard's few days are a few small queries."""
    if not len(boxes):
        return {}
    day0 = np.floor(first / SLICE_S).astype(np.int64)
    day1 = np.floor(np.nextafter(last, -np.inf) / SLICE_S).astype(np.int64)
    span = day1 - day0 + 1
    long = span > LONG_SLICES
    piece = np.arange(len(boxes))
    slices: dict[int, tuple[shapely.STRtree, npt.NDArray[np.intp]]] = {}
    if long.any():
        slices[LONG] = (shapely.STRtree(boxes[long]), piece[long])
    short = ~long
    if not short.any():
        return slices
    ids = np.repeat(piece[short], span[short])
    starts = np.repeat(day0[short], span[short])
    offsets = np.arange(len(ids)) - np.repeat(np.cumsum(span[short]) - span[short], span[short])
    days = starts + offsets
    order = np.argsort(days, kind="stable")
    days, ids = days[order], ids[order]
    cuts = np.flatnonzero(run_starts(days))
    keys = days[cuts]
    for key, chunk in zip(keys.tolist(), np.split(ids, cuts[1:]), strict=True):
        slices[key] = (shapely.STRtree(boxes[chunk]), chunk)
    return slices


def _locality(
    bounds: npt.NDArray[np.float64], first: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The pieces ordered by the day their corridor starts, then along a Z-order curve through
    their boxes' centres."""
    centre = np.nan_to_num((bounds[:, :2] + bounds[:, 2:]) / 2)
    low = centre.min(axis=0) if len(centre) else np.zeros(2)
    span = np.maximum(centre.max(axis=0) - low, 1e-9) if len(centre) else np.ones(2)
    cell = ((centre - low) / span * 0xFFFF).astype(np.uint64)
    key = _spread(cell[:, 0]) | (_spread(cell[:, 1]) << np.uint64(1))
    order: npt.NDArray[np.intp] = np.lexsort((key, np.floor(first / SLICE_S)))
    return order


def _spread(v: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """A 16-bit number's bits moved to the even places of 32 (one coordinate of a Z-order key)."""
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def _laid_out(
    pieces: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """The pieces made again in their order, so that GEOS allocates them one after another
    (lines from their coordinates; any other shape, rare, as it is), and each line's first
    vertex (NaN for any other shape: never found inside a hazard, always measured)."""
    made = pieces.copy()
    start = np.full((len(pieces), 2), np.nan)
    lines = np.flatnonzero(shapely.get_type_id(pieces) == shapely.GeometryType.LINESTRING)
    if len(lines):
        coords, which = shapely.get_coordinates(pieces[lines], return_index=True)
        made[lines] = shapely.linestrings(coords, indices=which)
        first = run_starts(which)
        start[lines[which[first]]] = coords[first]
    return made, start


def _in_some_window(corridor: Corridor, start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in corridor.windows)


def cut_pieces(
    shapes: npt.NDArray[np.object_], segments: int = PIECE_SEGMENTS
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
    """Every shape's pieces of at most ``segments`` segments and the number of the shape each
    came from, in one pass: simple lines are cut in numpy (the vertex shared by two pieces
    repeated), anything else (a polygon, a point, a multi-line) by :func:`split_pieces`."""
    if not len(shapes):
        return np.empty(0, dtype=object), np.empty(0, dtype=np.intp)
    is_line = shapely.get_type_id(shapes) == shapely.GeometryType.LINESTRING
    lines = np.flatnonzero(is_line)
    coords, which = shapely.get_coordinates(shapes[lines], return_index=True)
    k, last, _, numbered, per_line = line_pieces(which, len(lines), segments)
    shared = (k % segments == 0) & (k > 0) & (k < last)  # also ends the piece before
    ids = np.concatenate((numbered, numbered[shared] - 1))
    order_k = np.concatenate((k, k[shared]))
    rows = np.concatenate((np.arange(len(coords)), np.flatnonzero(shared)))
    order = np.lexsort((order_k, ids))
    made = shapely.linestrings(coords[rows[order]], indices=ids[order])
    piece_owner = np.repeat(lines, per_line)
    others = [
        (number, split_pieces(shapes[number], segments)) for number in np.flatnonzero(~is_line)
    ]
    pieces = np.concatenate((made, np.array([p for _, cut in others for p in cut], dtype=object)))
    owners = np.concatenate(
        (piece_owner, np.array([n for n, cut in others for _ in cut], dtype=np.intp))
    ).astype(np.intp)
    return pieces, owners


def split_pieces(shape: BaseGeometry, segments: int = PIECE_SEGMENTS) -> list[BaseGeometry]:
    """A line as pieces of at most ``segments`` segments; any other shape whole."""
    if isinstance(shape, shapely.MultiLineString):
        return [piece for line in shape.geoms for piece in split_pieces(line, segments)]
    if not isinstance(shape, shapely.LineString):
        return [shape]
    coords = shapely.get_coordinates(shape)
    if len(coords) <= segments + 1:
        return [shape]
    starts = range(0, len(coords) - 1, segments)
    return [shapely.LineString(coords[i : i + segments + 1]) for i in starts]
