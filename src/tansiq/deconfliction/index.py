"""The in-memory index for checking one new notification against many active ones.

Each kind is filtered first on the dimension where it is rare:

* movements are many, short-lived and long (a winding route's envelope covers kilometres, so
  an envelope tree returns most of the map): their occurrences are kept sorted by start, and
  those overlapping a new window are one binary search away (an occurrence that ends after
  ``s`` starts after ``s`` minus the longest occurrence), so time costs the number of hits;
  the few that remain are filtered by envelope, in arrays;
* sites are small and active for weeks: an STRtree over their envelopes grown by their reach,
  queried with the new route's segments (each grown by the new reach), then their windows.

Then the exact test (``dwithin``: the shapes within the sum of the reaches, the new shape
prepared) on what is left. Pure: no storage. The database-backed path comes with the
feature's repository; this index is what it will be measured against.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.arrays import GROW_BOX, distinct
from tansiq.deconfliction.conflicts import (
    DEFAULT_SHIFT_HORIZON,
    Clash,
    Conflict,
    Footprint,
    conflicts_of,
    earliest_shift,
    grown_bounds,
    time_overlaps,
)
from tansiq.deconfliction.domain import NotificationKind

Mask = npt.NDArray[np.bool_]


class ConflictIndex:
    """Active footprints, all in one metric CRS ``epsg``, ready to query."""

    def __init__(self, footprints: Sequence[Footprint], epsg: int) -> None:
        self.epsg = epsg
        self.footprints = list(footprints)
        if any(f.epsg != epsg for f in self.footprints):
            raise ValueError("footprints must share the index's metric CRS")
        self._shapes = np.array([f.shape for f in self.footprints], dtype=object)
        self._reach = np.array([f.reach_m for f in self.footprints], dtype=float)
        self._ids = np.array([f.notification_id for f in self.footprints], dtype=np.int64)
        bounds = shapely.bounds(self._shapes).reshape(-1, 4)
        self._grown = bounds + np.outer(self._reach, GROW_BOX)
        starts = [[w.start.timestamp() for w in f.occurrences] for f in self.footprints]
        ends = [[w.end.timestamp() for w in f.occurrences] for f in self.footprints]
        self._first = np.array([min(s) for s in starts], dtype=float)
        self._last = np.array([max(e) for e in ends], dtype=float)
        is_site = np.array([f.kind is NotificationKind.SITE for f in self.footprints], dtype=bool)
        self._sites = np.flatnonzero(is_site)
        self._site_tree = shapely.STRtree(shapely.box(*self._grown[self._sites].T))
        movements = np.flatnonzero(~is_site)
        counts = [len(starts[i]) for i in movements]
        owner = np.repeat(movements, counts)
        occ_starts = np.array([t for i in movements for t in starts[i]], dtype=float)
        occ_ends = np.array([t for i in movements for t in ends[i]], dtype=float)
        order = np.argsort(occ_starts, kind="stable")
        self._starts, self._ends, self._owner = occ_starts[order], occ_ends[order], owner[order]
        self._longest = float((occ_ends - occ_starts).max()) if len(occ_starts) else 0.0

    def __len__(self) -> int:
        return len(self.footprints)

    def candidates(self, new: Footprint, later_by: timedelta = timedelta(0)) -> list[Footprint]:
        """Every footprint (other than ``new``'s own notification) that touches ``new`` in space
        and is active at some time between the start of one of its windows and that window's
        end plus ``later_by`` (so a shift of up to ``later_by`` cannot meet anything else)."""
        spans = [
            (w.start.timestamp(), w.end.timestamp() + later_by.total_seconds())
            for w in new.occurrences
        ]
        near = np.concatenate(
            (self._movements_near(new, spans), self._sites_near(new, spans))
        ).astype(np.intp)
        near = near[self._ids[near] != new.notification_id]
        shapely.prepare(new.shape)
        touching = shapely.dwithin(new.shape, self._shapes[near], new.reach_m + self._reach[near])
        return [self.footprints[i] for i in np.sort(near[touching]).tolist()]

    def clashes(self, new: Footprint) -> list[Clash]:
        """As :func:`~tansiq.deconfliction.conflicts.find_clashes` over every footprint."""
        found = [
            Clash(other, overlaps)
            for other in self.candidates(new)
            if (overlaps := time_overlaps(new.occurrences, other.occurrences))
        ]
        found.sort(key=Clash.order)
        return found

    def conflicts(self, new: Footprint) -> list[Conflict]:
        """Every clash with its place, earliest first."""
        return conflicts_of(new, self.clashes(new))

    def earliest_shift(
        self, new: Footprint, horizon: timedelta = DEFAULT_SHIFT_HORIZON
    ) -> timedelta | None:
        """As :func:`~tansiq.deconfliction.conflicts.earliest_shift`, against every footprint
        that touches ``new`` in space and could overlap it once shifted up to ``horizon``."""
        blocking = [other.occurrences for other in self.candidates(new, later_by=horizon)]
        return earliest_shift(new.occurrences, blocking, horizon)

    def _movements_near(
        self, new: Footprint, spans: list[tuple[float, float]]
    ) -> npt.NDArray[np.intp]:
        hits = []
        for start, end in spans:
            first = np.searchsorted(self._starts, start - self._longest, side="right")
            last = np.searchsorted(self._starts, end, side="left")
            window = slice(first, last)
            hits.append(self._owner[window][self._ends[window] > start])
        found: npt.NDArray[np.intp] = distinct(np.concatenate(hits))
        return found[_boxes_meet(self._grown[found], grown_bounds(new.shape, new.reach_m))]

    def _sites_near(self, new: Footprint, spans: list[tuple[float, float]]) -> npt.NDArray[np.intp]:
        pieces = _pieces(new.shape)
        reach = np.full((len(pieces), 1), new.reach_m)
        boxes = shapely.box(*(shapely.bounds(pieces) + reach * GROW_BOX).T)
        found: npt.NDArray[np.intp] = self._sites[distinct(self._site_tree.query(boxes)[1])]
        active = np.zeros(len(found), dtype=bool)
        for start, end in spans:
            active |= (self._first[found] < end) & (self._last[found] > start)
        return found[active]


def _boxes_meet(boxes: npt.NDArray[np.float64], box: npt.NDArray[np.float64]) -> Mask:
    meet: Mask = (
        (boxes[:, 0] <= box[2])
        & (boxes[:, 2] >= box[0])
        & (boxes[:, 1] <= box[3])
        & (boxes[:, 3] >= box[1])
    )
    return meet


def _pieces(shape: BaseGeometry) -> npt.NDArray[np.object_]:
    """A line's segments (queried one by one); any other shape whole."""
    if not isinstance(shape, shapely.LineString):
        return np.array([shape], dtype=object)
    coords = shapely.get_coordinates(shape)
    segments: npt.NDArray[np.object_] = shapely.linestrings(
        np.stack((coords[:-1], coords[1:]), axis=1)
    )
    return segments
