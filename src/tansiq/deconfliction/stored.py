"""The conflict check against what is stored: which active notifications could meet a new
one, then the exact test on all of them at once, the places of the true conflicts together,
and the shift.

Movements are asked of the hub process's memory when it holds them (:class:`ActiveMovements`:
the corridor cache, which the incidents feature keeps current across processes and provides
when a hub starts serving); otherwise of the occurrence index over every current occurrence's
box and time (an R*Tree on SQLite, a GiST index over a cube on PostgreSQL). Sites, and
everything where neither is there, come from one range query on the span and the boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from tansiq.core.arrays import GROW_BOX, Windowed, joined, run_starts
from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import micros
from tansiq.core.projection import WGS84, project_many
from tansiq.deconfliction.conflicts import (
    Clash,
    Conflict,
    Footprint,
    conflicts_of,
    earliest_shift_micros,
    inverse_transformer,
    micros_of,
)
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.repository import Candidate, DeconflictionRepository, Notifier
from tansiq.deconfliction.repository_index import StoredShape
from tansiq.deconfliction.schedule import Window, span

if TYPE_CHECKING:
    from tansiq.deconfliction.planning import Policy


LONLAT = WGS84  # a footprint's CRS while its shape is in longitude/latitude


class ActiveMovements(Protocol):
    """Active movements held in a hub process's memory, kept current with what is committed."""

    def near(
        self, session: Session, new: Footprint, spans: Sequence[tuple[datetime, datetime]]
    ) -> Touching | None:
        """Every active movement other than ``new``'s own notification that comes within
        reach of ``new`` (as :class:`Footprint` reaches are) while one of its occurrences
        meets one of ``spans``, with each such occurrence; their shapes in longitude/latitude
        (CRS :data:`LONLAT`: only those that clash are projected). None when it cannot answer
        for ``session`` (not loaded yet, at another revision than ``session``'s snapshot, or
        ``session`` has changed movements it has not committed; or no ``spans``): the caller
        asks the database."""


@dataclass
class MovementsInMemory:
    """Where a hub process's :class:`ActiveMovements` are found: set by the feature that
    keeps them, when the process starts serving; None, the database answers."""

    source: ActiveMovements | None = None


def movements_in_memory(caches: ProcessCaches) -> MovementsInMemory:
    return caches.get(MovementsInMemory, MovementsInMemory)


@dataclass(frozen=True)
class Checked:
    """Who a new footprint clashes with among the stored active notifications, and when
    (earliest first; no places worked out, each footprint's shape in the CRS it was found in:
    longitude/latitude when memory answered), and the earliest shift that clears them all."""

    clashes: list[Clash]
    shift: timedelta | None


@dataclass(frozen=True)
class Found:
    """The conflicts of a new footprint with the stored active notifications."""

    conflicts: list[Conflict]
    others: dict[int, Notifier]  # every notification it conflicts with, by id
    shift: timedelta | None


def grown_box(lonlat: BaseGeometry, reach_m: float) -> tuple[float, float, float, float]:
    """The box of ``lonlat`` grown by at least ``reach_m`` on every side, in degrees. A degree
    of latitude is never shorter than 110,574 m, nor one of longitude than 111,319 m times the
    cosine of the latitude (taken farthest from the equator, where it is shortest); both are
    rounded down further, so the box is never too small."""
    west, south, east, north = lonlat.bounds
    dlat = reach_m / 110_500.0
    widest = min(max(abs(south), abs(north)) + dlat, 89.0)
    dlon = reach_m / (111_000.0 * math.cos(math.radians(widest)))
    return (west - dlon, south - dlat, east + dlon, north + dlat)


def stored_conflicts(
    session: Session,
    new: Footprint,
    kind: NotificationKind,
    policy: Policy,
    box: tuple[float, float, float, float] | None = None,
    movements: ActiveMovements | None = None,
) -> Found:
    """:func:`stored_clashes`, and where each clash is: the conflicts filing stores and
    alerts with, their places worked out together, and their notifiers."""
    checked = stored_clashes(session, new, kind, policy, box, movements)
    found = conflicts_of(new, _in_crs(checked.clashes, new.epsg))
    notifiers = DeconflictionRepository(session).notifiers_by_ids(
        {c.notification_id for c in found}
    )
    return Found(found, notifiers, checked.shift)


def stored_clashes(
    session: Session,
    new: Footprint,
    kind: NotificationKind,
    policy: Policy,
    box: tuple[float, float, float, float] | None = None,
    movements: ActiveMovements | None = None,
) -> Checked:
    """Check ``new`` against every active notification stored that could meet it during its
    windows or up to the shift horizon after each (given ``box``, the new shape's box in
    degrees grown by its reach and the site margin, only those whose box meets it; given
    ``movements``, the movements asked of them first): who it clashes with and when, and the
    shift. What a preview shows (how many, and the shift); filing adds the places
    (:func:`stored_conflicts`).

    The movements that touch it come from ``movements`` when they can answer, else from the
    occurrence index (each candidate read once, its shape in metres as filing stored it),
    else, with the sites, from one query for every kind; either way the exact test runs on
    all of them at once. The clashes are those that touch while a window overlaps; the shift
    is found over every one that touches."""
    repo = DeconflictionRepository(session)
    whole = span(new.occurrences)
    stretch = policy.shift_horizon if kind is NotificationKind.MOVEMENT else timedelta(0)
    start, end = whole.start, whole.end + stretch
    spans = merged_spans([(w.start, w.end + stretch) for w in new.occurrences])
    moving = movements.near(session, new, spans) if movements is not None else None
    if moving is None and box is not None and repo.has_occurrence_boxes():
        moving = _touching_movements(repo, new, box, spans)
    if moving is None:  # neither memory nor the occurrence index
        queried = repo.candidates(start, end, box=box)
        touching = with_windows(
            _touching(new, list(_footprints(repo, new, kind, policy, queried).values()))
        )
    elif kind is NotificationKind.MOVEMENT:  # and the sites it passes near
        sites = repo.candidates(start, end, kind=NotificationKind.SITE, box=box)
        found_sites = _footprints(repo, new, kind, policy, sites).values()
        touching = joined(with_windows(_touching(new, list(found_sites))), moving)
    else:
        touching = moving  # two sites never conflict
    starts, ends = micros_of(new.occurrences)
    clashes = clashes_among(starts, ends, touching)
    clashes.sort(key=Clash.order)
    shift = None
    if clashes and kind is NotificationKind.MOVEMENT:
        shift = earliest_shift_micros(starts, ends, touching.starts, touching.ends, stretch)
    return Checked(clashes, shift)


# The stored notifications whose shape touches the new one's: their footprints, with no
# windows yet, and every window of theirs that can matter.
Touching = Windowed[Footprint]


def with_windows(footprints: list[Footprint]) -> Touching:
    """Footprints with their windows, as :class:`Touching`."""
    starts, ends = micros_of([w for f in footprints for w in f.occurrences])
    counts = [len(f.occurrences) for f in footprints]
    owner = np.repeat(np.arange(len(footprints), dtype=np.int64), counts)
    return Windowed([replace(f, occurrences=()) for f in footprints], starts, ends, owner)


def clashes_among(
    starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64], touching: Touching
) -> list[Clash]:
    """Every touching notification with a window that overlaps one of the new windows
    (``starts``, ``ends``), with every overlap in order (as :func:`time_overlaps` finds
    them: windows of one notification never overlap one another, so neither do these), and
    its footprint with its windows. All pairs of windows are compared at once."""
    meets = (starts[:, None] < touching.ends[None, :]) & (touching.starts[None, :] < ends[:, None])
    mine, theirs = np.nonzero(meets)
    if not len(theirs):
        return []
    lower = np.maximum(starts[mine], touching.starts[theirs])
    upper = np.minimum(ends[mine], touching.ends[theirs])
    who = touching.owner[theirs]
    order = np.lexsort((lower, who))
    who, lower_us, upper_us = who[order], lower[order].tolist(), upper[order].tolist()
    firsts = np.flatnonzero(run_starts(who))
    owners = who[firsts]
    cuts = [*firsts.tolist(), len(who)]
    # Each one's own windows: ``owner`` holds them together and in order of owner.
    own_first = np.searchsorted(touching.owner, owners, side="left").tolist()
    own_last = np.searchsorted(touching.owner, owners, side="right").tolist()
    all_starts, all_ends = touching.starts.tolist(), touching.ends.tolist()
    clashes = []
    for k, other in enumerate(owners.tolist()):
        windows = _windows(
            all_starts[own_first[k] : own_last[k]], all_ends[own_first[k] : own_last[k]]
        )
        overlaps = _windows(lower_us[cuts[k] : cuts[k + 1]], upper_us[cuts[k] : cuts[k + 1]])
        was = touching.items[other]
        # Made directly: ``dataclasses.replace`` costs several times more, once per clash.
        clashes.append(
            Clash(
                Footprint(was.notification_id, was.kind, was.shape, was.reach_m, windows, was.epsg),
                overlaps,
            )
        )
    return clashes


def _in_crs(clashes: list[Clash], epsg: int) -> list[Clash]:
    """The clashes with every footprint's shape in ``epsg`` (those in another CRS projected
    together, in one pass)."""
    other = [i for i, clash in enumerate(clashes) if clash.other.epsg != epsg]
    if not other:
        return clashes
    shapes = project_many(np.array([clashes[i].other.shape for i in other], dtype=object), epsg)
    found = list(clashes)
    for i, shape in zip(other, shapes, strict=True):
        found[i] = replace(clashes[i], other=replace(clashes[i].other, shape=shape, epsg=epsg))
    return found


def _windows(starts_us: list[int], ends_us: list[int]) -> tuple[Window, ...]:
    stored, epoch, micro = Window.stored, _EPOCH, _MICROSECOND
    return tuple(
        stored(epoch + start * micro, epoch + end * micro)
        for start, end in zip(starts_us, ends_us, strict=True)
    )


def _touching(new: Footprint, candidates: list[Footprint]) -> list[Footprint]:
    """The candidates whose shape comes within reach of the new one, tested together."""
    if not candidates:
        return []
    shapes = np.array([other.shape for other in candidates], dtype=object)
    reach = np.array([other.reach_m for other in candidates], dtype=float)
    shapely.prepare(new.shape)
    meets = shapely.dwithin(new.shape, shapes, new.reach_m + reach)
    return [other for other, hit in zip(candidates, meets.tolist(), strict=True) if hit]


def _touching_movements(
    repo: DeconflictionRepository,
    new: Footprint,
    box: tuple[float, float, float, float],
    spans: list[tuple[datetime, datetime]],
) -> Touching:
    """The active movements, other than ``new``'s own, that touch it while one of their
    occurrences meets one of ``spans`` (each with only such occurrences, which are every one
    that can matter), from the occurrence index.

    The index answers for the whole box; what it returns is narrowed in arrays, exactly in
    time and to the boxes of the new route's pieces (a winding route's box is mostly empty),
    before any shape is read; then the exact test on those shapes at once."""
    found = repo.occurrences_meeting(box, spans)
    if not found:
        return with_windows([])
    table = np.array(found, dtype=np.float64)
    exact = np.array([(version, s, e) for version, s, e, *_ in found], dtype=np.int64)
    versions, starts, ends = exact[:, 0], exact[:, 1], exact[:, 2]
    keep = np.zeros(len(found), dtype=bool)
    for start, end in spans:
        keep |= (starts < micros(end)) & (ends > micros(start))
    pieces = piece_boxes(new)
    west, east, south, north = (table[:, i, None] for i in (3, 4, 5, 6))
    keep &= (
        (west <= pieces[None, :, 2])
        & (east >= pieces[None, :, 0])
        & (south <= pieces[None, :, 3])
        & (north >= pieces[None, :, 1])
    ).any(axis=1)
    rows = [
        row
        for row in repo.current_shapes(set(versions[keep].tolist()))
        if row.notification_id != new.notification_id
    ]
    if not rows:
        return with_windows([])
    shapes = np.array(_metric_shapes(repo, rows, new.epsg), dtype=object)
    reach = np.array([row.width_m / 2.0 for row in rows], dtype=float)
    shapely.prepare(new.shape)
    meets = shapely.dwithin(new.shape, shapes, new.reach_m + reach)
    hits = np.flatnonzero(meets)
    # The touching versions in order, and their kept occurrences by version and then start.
    ids = np.array([rows[i].version_id for i in hits.tolist()], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    hits, ids = hits[order], ids[order]
    kept = np.flatnonzero(keep & np.isin(versions, ids))
    kept = kept[np.lexsort((starts[kept], versions[kept]))]
    footprints = [
        Footprint(
            rows[i].notification_id, NotificationKind.MOVEMENT, shapes[i], reach[i], (), new.epsg
        )
        for i in hits.tolist()
    ]
    owner = np.searchsorted(ids, versions[kept]).astype(np.int64)
    return Windowed(footprints, starts[kept], ends[kept], owner)


PIECE_SEGMENTS = 8  # a route's pieces, each boxed on its own, are this many segments long
PIECE_MARGIN_DEG = 1e-4  # about 10 m: a metric box's corners, in degrees, bound it within this


def piece_boxes(new: Footprint) -> npt.NDArray[np.float64]:
    """Boxes in degrees (west, south, east, north), together covering ``new``'s shape grown
    by its reach: one per piece of ``PIECE_SEGMENTS`` segments of a line; one for any other
    shape. Each piece's box is grown in metres, its corners taken to longitude/latitude and
    boxed again, with a margin for the curvature of its sides."""
    coords = shapely.get_coordinates(new.shape)
    if isinstance(new.shape, shapely.LineString) and len(coords) > 2:
        cuts = list(range(0, len(coords) - 1, PIECE_SEGMENTS))
        metric = np.array(
            [
                [
                    *coords[i : i + PIECE_SEGMENTS + 1].min(axis=0),
                    *coords[i : i + PIECE_SEGMENTS + 1].max(axis=0),
                ]
                for i in cuts
            ]
        )
    else:
        metric = np.array([shapely.bounds(new.shape)])
    metric = metric + new.reach_m * GROW_BOX
    corners = np.concatenate(
        [metric[:, [0, 1]], metric[:, [0, 3]], metric[:, [2, 1]], metric[:, [2, 3]]]
    )
    lon, lat = inverse_transformer(new.epsg).transform(corners[:, 0], corners[:, 1])
    lon, lat = np.asarray(lon).reshape(4, -1), np.asarray(lat).reshape(4, -1)
    boxes: npt.NDArray[np.float64] = (
        np.column_stack((lon.min(axis=0), lat.min(axis=0), lon.max(axis=0), lat.max(axis=0)))
        + PIECE_MARGIN_DEG * GROW_BOX
    )
    return boxes


def _metric_shapes(
    repo: DeconflictionRepository, rows: list[StoredShape], epsg: int
) -> list[BaseGeometry]:
    """Each row's shape in ``epsg``: as stored when filing stored it in that CRS, else
    projected from longitude/latitude (all such in one pass)."""
    stored = [
        i for i, row in enumerate(rows) if row.shape_m_wkb is not None and row.shape_epsg == epsg
    ]
    shapes: list[BaseGeometry | None] = [None] * len(rows)
    # Read in one call: one at a time, shapely's overhead costs more than the decoding.
    decoded = shapely.from_wkb(np.array([rows[i].shape_m_wkb for i in stored], dtype=object))
    for i, shape in zip(stored, decoded.tolist(), strict=True):
        shapes[i] = shape
    missing = [i for i, shape in enumerate(shapes) if shape is None]
    if missing:
        lonlat = repo.lonlat_shapes([rows[i].version_id for i in missing])
        projected = project_many(
            shapely.from_wkb([lonlat[rows[i].version_id] for i in missing]), epsg
        )
        for i, shape in zip(missing, projected, strict=True):
            shapes[i] = shape
    return [shape for shape in shapes if shape is not None]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _footprints(
    repo: DeconflictionRepository,
    new: Footprint,
    kind: NotificationKind,
    policy: Policy,
    candidates: list[Candidate],
) -> dict[int, Footprint]:
    """The candidates' footprints by version, in the new one's metric CRS."""
    rows = [
        row
        for row in candidates
        if row.notification_id != new.notification_id
        # Two sites never conflict; a site conflicts with the movements passing near it.
        and (kind is NotificationKind.MOVEMENT or row.kind is NotificationKind.MOVEMENT)
    ]
    windows = repo.occurrence_windows(
        [row.version_id for row in rows if row.kind is NotificationKind.MOVEMENT]
    )
    # Every candidate's shape projected in one pass (one call into pyproj, not one each).
    shapes = project_many(shapely.from_wkb([row.shape_wkb for row in rows]), new.epsg)
    return {
        row.version_id: Footprint(
            row.notification_id,
            row.kind,
            projected,
            row.width_m / 2.0
            if row.kind is NotificationKind.MOVEMENT
            else row.width_m + policy.site_margin_m,
            tuple(Window.stored(s, e) for s, e in windows.get(row.version_id, []))
            if row.kind is NotificationKind.MOVEMENT
            else (Window.stored(row.active_from, row.active_until),),
            new.epsg,
        )
        for row, projected in zip(rows, shapes, strict=True)
    }


def merged_spans(
    spans: list[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Overlapping spans joined, in order (a daily movement's windows stretched by a 48-hour
    horizon are one span)."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
