"""The in-memory index for checking one new notification against many active ones.

Time first, then space, then the exact test, each on what the step before let through:

1. every occurrence of every indexed footprint, sorted by start: the occurrences overlapping
   one of the new windows are one binary search away (an occurrence that ends after ``s``
   starts after ``s`` minus the longest occurrence), so time costs the number of hits;
2. an STRtree over each footprint's envelope grown by its reach, queried with the envelope
   of each segment of the new route grown by the new reach (a winding route does not drag in
   everything under its bounding box);
3. the exact distance test (``dwithin``, shapes within the sum of reaches) on the survivors.

Pure: no storage. The database-backed path (an R*Tree over space and time) comes with the
feature's repository; this index is what it is measured against.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import numpy.typing as npt
import shapely

from tansiq.deconfliction.conflicts import (
    DEFAULT_SHIFT_HORIZON,
    Conflict,
    Footprint,
    conflict_between,
    earliest_shift,
)
from tansiq.deconfliction.schedule import Window


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
        self._tree = shapely.STRtree(_grown_boxes(self._shapes, self._reach))
        counts = [len(f.occurrences) for f in self.footprints]
        owner = np.repeat(np.arange(len(self.footprints)), counts)
        starts = np.array(
            [w.start.timestamp() for f in self.footprints for w in f.occurrences], dtype=float
        )
        ends = np.array(
            [w.end.timestamp() for f in self.footprints for w in f.occurrences], dtype=float
        )
        order = np.argsort(starts, kind="stable")
        self._starts, self._ends, self._owner = starts[order], ends[order], owner[order]
        self._longest = float((ends - starts).max()) if len(starts) else 0.0

    def __len__(self) -> int:
        return len(self.footprints)

    def candidates(self, new: Footprint, later_by: timedelta = timedelta(0)) -> list[Footprint]:
        """Every footprint (other than ``new``'s own notification) that touches ``new`` in
        space while overlapping one of its windows, each window stretched ``later_by`` later."""
        if not self.footprints:
            return []
        in_time = self._in_time(new.occurrences, later_by.total_seconds())
        if not in_time.any():
            return []
        near = self._near(new)
        near = near[in_time[near]]
        near = near[self._ids[near] != new.notification_id]
        touching = shapely.dwithin(self._shapes[near], new.shape, new.reach_m + self._reach[near])
        return [self.footprints[i] for i in near[touching].tolist()]

    def conflicts(self, new: Footprint) -> list[Conflict]:
        """As :func:`~tansiq.deconfliction.conflicts.find_conflicts` over every footprint."""
        found = [
            conflict
            for other in self.candidates(new)
            if (conflict := conflict_between(new, other)) is not None
        ]
        found.sort(key=lambda c: (c.overlaps[0].start, c.notification_id))
        return found

    def earliest_shift(
        self, new: Footprint, horizon: timedelta = DEFAULT_SHIFT_HORIZON
    ) -> timedelta | None:
        """As :func:`~tansiq.deconfliction.conflicts.earliest_shift`, against every footprint
        that touches ``new`` in space and could overlap it once shifted up to ``horizon``."""
        blocking = [other.occurrences for other in self.candidates(new, later_by=horizon)]
        return earliest_shift(new.occurrences, blocking, horizon)

    def _in_time(self, windows: Sequence[Window], later_by: float) -> npt.NDArray[np.bool_]:
        mask = np.zeros(len(self.footprints), dtype=bool)
        for window in windows:
            start, end = window.start.timestamp(), window.end.timestamp() + later_by
            first = np.searchsorted(self._starts, start - self._longest, side="right")
            last = np.searchsorted(self._starts, end, side="left")
            hits = slice(first, last)
            mask[self._owner[hits][self._ends[hits] > start]] = True
        return mask

    def _near(self, new: Footprint) -> npt.NDArray[np.intp]:
        pieces = _pieces(new.shape)
        boxes = _grown_boxes(pieces, np.full(len(pieces), new.reach_m))
        found: npt.NDArray[np.intp] = np.unique(self._tree.query(boxes)[1])
        return found


def _pieces(shape: shapely.geometry.base.BaseGeometry) -> npt.NDArray[np.object_]:
    """A line's segments (queried one by one); any other shape whole."""
    if not isinstance(shape, shapely.LineString):
        return np.array([shape], dtype=object)
    coords = shapely.get_coordinates(shape)
    segments: npt.NDArray[np.object_] = shapely.linestrings(
        np.stack((coords[:-1], coords[1:]), axis=1)
    )
    return segments


def _grown_boxes(
    shapes: npt.NDArray[np.object_], reach: npt.NDArray[np.float64]
) -> npt.NDArray[np.object_]:
    bounds = shapely.bounds(shapes).reshape(-1, 4)
    boxes: npt.NDArray[np.object_] = shapely.box(
        bounds[:, 0] - reach, bounds[:, 1] - reach, bounds[:, 2] + reach, bounds[:, 3] + reach
    )
    return boxes
