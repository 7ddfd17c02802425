"""Random footprints on a minute grid, in metres around a point of UTM 37N, for property tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import shapely
from hypothesis import strategies as st

from tansiq.deconfliction.conflicts import Footprint
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.schedule import Window

EPSG = 32637
T0 = datetime(2026, 6, 1, tzinfo=UTC)
X0, Y0 = 400_000.0, 3_760_000.0
SIDE = 5_000  # metres


@st.composite
def windows(draw: st.DrawFn, most: int = 3) -> tuple[Window, ...]:
    """Ordered, non-overlapping windows on a minute grid over about three days."""
    count = draw(st.integers(min_value=1, max_value=most))
    found: list[Window] = []
    at = draw(st.integers(min_value=0, max_value=24 * 60))
    for _ in range(count):
        length = draw(st.integers(min_value=1, max_value=8 * 60))
        found.append(Window(T0 + timedelta(minutes=at), T0 + timedelta(minutes=at + length)))
        at += length + draw(st.integers(min_value=0, max_value=16 * 60))
    return tuple(found)


def _point(draw: st.DrawFn) -> tuple[float, float]:
    coordinate = st.integers(min_value=0, max_value=SIDE)
    return X0 + draw(coordinate), Y0 + draw(coordinate)


@st.composite
def footprints(draw: st.DrawFn, notification_id: int, movement: bool | None = None) -> Footprint:
    is_movement = draw(st.booleans()) if movement is None else movement
    if is_movement:
        points = [_point(draw) for _ in range(draw(st.integers(min_value=2, max_value=5)))]
        if len(set(points)) < 2:
            points = [points[0], (points[0][0] + 10.0, points[0][1])]
        return Footprint(
            notification_id,
            NotificationKind.MOVEMENT,
            shapely.LineString(points),
            draw(st.integers(min_value=25, max_value=250)),
            draw(windows()),
            EPSG,
        )
    return Footprint(
        notification_id,
        NotificationKind.SITE,
        shapely.Point(_point(draw)),
        draw(st.integers(min_value=1, max_value=600)),
        draw(windows(most=1)),
        EPSG,
    )
