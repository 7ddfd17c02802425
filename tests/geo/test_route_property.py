"""Route resolution against a brute-force check, on random zones, checkpoints and routes.

The index (``SpatialIndex.resolve``) queries an STRtree segment by segment and tests exact
distances. The check here does the plain thing instead: project everything with pyproj,
buffer the whole route by half the corridor, and intersect every zone and checkpoint that is
in force. Both must name the same authorities, zones and checkpoints. Cases where a zone or
checkpoint lies within a few metres of the corridor's edge are assumed away: there the
buffer's polygonal arcs, not the resolver, decide.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from tansiq.core.text import BilingualText
from tansiq.geo.domain import CheckpointEntry, CheckpointStatus, ZoneEntry
from tansiq.geo.index import SpatialIndex

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# A few kilometres around the demo town's river crossing.
LON = (41.00, 41.08)
LAT = (34.37, 34.43)
MARGIN_M = 3.0  # buffer arcs are chords: within this of the edge, no verdict is asserted
EPSG = 32637  # UTM 37N, where the demo town lies
TO_METRES = Transformer.from_crs(4326, EPSG, always_xy=True)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def metres(geometry: BaseGeometry) -> BaseGeometry:
    def forward(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = TO_METRES.transform(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack((x, y))

    result: BaseGeometry = shapely.transform(geometry, forward)
    return result


lons = st.floats(*LON, allow_nan=False)
lats = st.floats(*LAT, allow_nan=False)


@st.composite
def polygons(draw: st.DrawFn) -> shapely.Polygon:
    """A small valid polygon: the convex hull of a few points, with a notch cut out of it
    sometimes so that not every zone is convex."""
    points = draw(st.lists(st.tuples(lons, lats), min_size=3, max_size=7, unique=True))
    hull = shapely.MultiPoint(points).convex_hull
    assume(isinstance(hull, shapely.Polygon) and hull.area > 1e-6)
    if draw(st.booleans()):
        x, y = hull.centroid.x, hull.centroid.y
        notch = shapely.box(x, y, x + draw(st.floats(0.001, 0.02)), y + 0.02)
        cut = hull.difference(notch)
        if isinstance(cut, shapely.Polygon) and cut.is_valid and cut.area > 1e-6:
            return cut
    return hull


@st.composite
def zones(draw: st.DrawFn) -> list[tuple[ZoneEntry, BaseGeometry]]:
    out = []
    for zone_id in range(1, draw(st.integers(1, 6)) + 1):
        starts = draw(st.sampled_from([0, 5]))
        ends = draw(st.sampled_from([None, 3, 9]))
        entry = ZoneEntry(
            zone_id=zone_id,
            map_id=zone_id,
            authority_id=draw(st.integers(1, 4)),
            name=BilingualText("", f"zone {zone_id}"),
            in_force_from=day(starts),
            in_force_until=None if ends is None else day(ends),
        )
        out.append((entry, draw(polygons())))
    return out


@st.composite
def checkpoints(draw: st.DrawFn) -> list[CheckpointEntry]:
    return [
        CheckpointEntry(
            checkpoint_id=i,
            code=f"CP-{i}",
            authority_id=draw(st.integers(1, 4)),
            name=BilingualText("", f"cp {i}"),
            status=CheckpointStatus.OPEN,
            lon=draw(lons),
            lat=draw(lats),
        )
        for i in range(draw(st.integers(0, 4)))
    ]


@st.composite
def routes(draw: st.DrawFn) -> shapely.LineString:
    """A route that runs west to east (never back over itself), two to eight points."""
    xs = sorted(draw(st.lists(lons, min_size=2, max_size=8, unique=True)))
    return shapely.LineString([(x, draw(lats)) for x in xs])


def in_force(entry: ZoneEntry, at: datetime) -> bool:
    return entry.in_force_from <= at and (entry.in_force_until is None or at < entry.in_force_until)


@hypothesis_settings(max_examples=300)
@given(
    zones=zones(),
    points=checkpoints(),
    route=routes(),
    corridor_m=st.floats(20, 3000),
    at=st.sampled_from([day(1), day(4), day(6)]),
)
def test_resolution_matches_a_brute_force_check(
    zones: list[tuple[ZoneEntry, BaseGeometry]],
    points: list[CheckpointEntry],
    route: shapely.LineString,
    corridor_m: float,
    at: datetime,
) -> None:
    half = corridor_m / 2
    line = metres(route)
    assume(line.length > 1)  # distinct longitudes can still be a few millimetres apart
    corridor = line.buffer(half, quad_segs=32)

    expected_zones: dict[int, set[int]] = {}
    for entry, polygon in zones:
        shape = metres(polygon)
        assume(abs(line.distance(shape) - half) > MARGIN_M)
        if in_force(entry, at) and corridor.intersects(shape):
            expected_zones.setdefault(entry.authority_id, set()).add(entry.zone_id)
    expected_points: dict[int, set[str]] = {}
    for point in points:
        spot = metres(shapely.Point(point.lon, point.lat))
        assume(abs(line.distance(spot) - half) > MARGIN_M)
        if corridor.intersects(spot):
            expected_points.setdefault(point.authority_id, set()).add(point.code)

    result = SpatialIndex(zones, points, epsg=EPSG).resolve(route, corridor_m, at)

    found: dict[int, Any] = {
        a.authority_id: (
            {z.zone_id for z in a.zones},
            {hit.checkpoint.code for hit in a.checkpoints},
        )
        for a in result.authorities
    }
    expected = {
        authority: (expected_zones.get(authority, set()), expected_points.get(authority, set()))
        for authority in expected_zones.keys() | expected_points.keys()
    }
    assert found == expected
    assert len(found) == len(result.authorities)  # each authority named once

    # The contract orders authorities by where the route first needs them (ties by id),
    # and no authority is needed before the route comes within the corridor of it.
    order = [(a.first_along_m, a.authority_id) for a in result.authorities]
    assert order == sorted(order)
    for authority in result.authorities:
        reach = [metres(p) for e, p in zones if e.zone_id in found[authority.authority_id][0]]
        reach += [
            metres(shapely.Point(p.lon, p.lat))
            for p in points
            if p.code in found[authority.authority_id][1]
        ]
        earliest = min(_first_within(line, shape, half) for shape in reach)
        assert authority.first_along_m >= earliest - MARGIN_M
        assert authority.first_along_m <= line.length + MARGIN_M

    # Checkpoints come in route order, each as far along as its nearest point on the route.
    along = [hit.distance_along_m for hit in result.checkpoints]
    assert along == sorted(along)
    for hit in result.checkpoints:
        spot = metres(shapely.Point(hit.checkpoint.lon, hit.checkpoint.lat))
        assert abs(hit.distance_along_m - line.project(spot)) < MARGIN_M


def _first_within(line: BaseGeometry, shape: BaseGeometry, half: float) -> float:
    """How far along ``line`` it first comes within ``half`` metres of ``shape``."""
    inside = line.intersection(shape.buffer(half, quad_segs=32))
    coordinates = shapely.get_coordinates(inside)
    return min(float(line.project(shapely.Point(x, y))) for x, y in coordinates)
