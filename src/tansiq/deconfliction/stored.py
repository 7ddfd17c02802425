"""The conflict check against what is stored: which active notifications could meet a new
one (on SQLite an R*Tree over every occurrence's box and time answers for movements, so only
those are read and projected; elsewhere one range query on the span and the boxes), then the
in-process index over them for the exact test, the places and the shift."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from tansiq.core.projection import project_many
from tansiq.deconfliction.conflicts import Conflict, Footprint
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.index import ConflictIndex
from tansiq.deconfliction.models import NotificationRecord
from tansiq.deconfliction.repository import Candidate, DeconflictionRepository
from tansiq.deconfliction.schedule import Window, span

if TYPE_CHECKING:
    from tansiq.deconfliction.planning import Policy


@dataclass(frozen=True)
class Found:
    """The conflicts of a new footprint with the stored active notifications."""

    conflicts: list[Conflict]
    others: dict[int, NotificationRecord]  # every notification it conflicts with, by id
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
) -> Found:
    """Check ``new`` against every active notification stored that could meet it during its
    windows (given ``box``, the new shape's box in degrees grown by its reach and the site
    margin, only those whose box meets it); then the index over what is left. Only when there
    is a conflict, and so a shift to find, are those that could meet it later within the
    shift horizon read too (each candidate is read and projected once)."""
    repo = DeconflictionRepository(session)
    whole = span(new.occurrences)
    near = _footprints(repo, new, kind, policy, _active_near(repo, new, whole, None, box, set()))
    found = ConflictIndex(list(near.values()), new.epsg).conflicts(new)
    shift = None
    if found and kind is NotificationKind.MOVEMENT:
        later = _active_near(repo, new, whole, policy.shift_horizon, box, set(near))
        near |= _footprints(repo, new, kind, policy, later)
        index = ConflictIndex(list(near.values()), new.epsg)
        shift = index.earliest_shift(new, policy.shift_horizon)
    return Found(found, repo.notifications_by_ids({c.notification_id for c in found}), shift)


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


def _active_near(
    repo: DeconflictionRepository,
    new: Footprint,
    whole: Window,
    later: timedelta | None,
    box: tuple[float, float, float, float] | None,
    known: set[int],
) -> list[Candidate]:
    """The active notifications, other than the versions ``known`` already, that could meet
    ``new`` during its windows (or, given ``later``, up to that much after each). Where the
    database keeps the occurrences' R*Tree (SQLite), movements are those with an occurrence
    meeting the box and one of those spans, so only they are read; otherwise every one active
    over the whole span whose box meets the box."""
    stretch = later or timedelta(0)
    start, end = whole.start, whole.end + stretch
    if box is None or not repo.has_occurrence_boxes():
        found = repo.candidates(start, end, box=box)
    else:
        spans = merged_spans([(w.start, w.end + stretch) for w in new.occurrences])
        movements = repo.versions_meeting(box, spans) - known
        found = [
            row
            for row in repo.candidates_by_versions(movements, start, end)
            if row.kind is NotificationKind.MOVEMENT
        ]
        found += repo.candidates(start, end, kind=NotificationKind.SITE, box=box)
    return [row for row in found if row.version_id not in known]


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
