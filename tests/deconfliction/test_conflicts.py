"""Conflicts in space and time, and the exact earliest shift against a minute-by-minute search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.deconfliction.conflicts import (
    Footprint,
    conflict_between,
    earliest_shift,
    find_conflicts,
    movement_footprint,
    site_footprint,
    time_overlaps,
)
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.schedule import Window

from .strategies import EPSG, T0, X0, Y0, footprints, windows

H = timedelta(hours=1)
M = timedelta(minutes=1)


def w(start_h: float, end_h: float) -> Window:
    return Window(T0 + start_h * H, T0 + end_h * H)


def movement(nid: int, points: list[tuple[float, float]], width: float, *when: Window) -> Footprint:
    """A movement in metres from (X0, Y0)."""
    line = shapely.LineString([(X0 + x, Y0 + y) for x, y in points])
    return Footprint(nid, NotificationKind.MOVEMENT, line, width / 2, when, EPSG)


def site(nid: int, x: float, y: float, reach: float, when: Window) -> Footprint:
    return Footprint(
        nid, NotificationKind.SITE, shapely.Point(X0 + x, Y0 + y), reach, (when,), EPSG
    )


NEW = movement(1, [(0, 0), (2_000, 0)], 100, w(8, 10))


@pytest.mark.parametrize(
    ("other", "overlaps"),
    [
        (movement(2, [(1_000, -500), (1_000, 500)], 100, w(9, 11)), (w(9, 10),)),  # crossing
        (movement(2, [(1_000, -500), (1_000, 500)], 100, w(10, 11)), ()),  # back to back
        (movement(2, [(0, 99), (2_000, 99)], 100, w(7, 12)), (w(8, 10),)),  # parallel, 99 m
        (movement(2, [(0, 101), (2_000, 101)], 100, w(7, 12)), ()),  # parallel, 101 m
        (movement(2, [(0, 150), (2_000, 150)], 200, w(7, 12)), (w(8, 10),)),  # wider
        (movement(1, [(1_000, -500), (1_000, 500)], 100, w(9, 11)), ()),  # own older version
        (
            movement(2, [(1_000, -500), (1_000, 500)], 100, w(6, 8.5), w(9.5, 12)),
            (w(8, 8.5), w(9.5, 10)),
        ),
        (site(3, 1_000, 300, 250, w(0, 100)), (w(8, 10),)),  # 300 m <= 50 + 250
        (site(3, 1_000, 301, 250, w(0, 100)), ()),
        (site(3, 1_000, 0, 10, w(10, 100)), ()),  # the site counts only once active
    ],
)
def test_conflict_table(other: Footprint, overlaps: tuple[Window, ...]) -> None:
    found = find_conflicts(NEW, [other])
    if not overlaps:
        assert found == []
        return
    (conflict,) = found
    assert conflict.notification_id == other.notification_id
    assert conflict.kind is other.kind
    assert conflict.overlaps == overlaps
    assert conflict.place["type"] in {"Polygon", "Point", "LineString"}


def test_the_place_is_the_intersection_in_longitude_latitude() -> None:
    route = shapely.LineString([(40.00, 34.00), (40.02, 34.00)])
    crossing = shapely.LineString([(40.01, 33.99), (40.01, 34.01)])
    new = movement_footprint(1, route, 100, [w(8, 10)], EPSG)
    other = movement_footprint(2, crossing, 50, [w(9, 11)], EPSG)
    conflict = conflict_between(new, other)
    assert conflict is not None
    place = shapely.geometry.shape(conflict.place)
    assert place.geom_type == "Polygon"
    assert place.centroid.distance(shapely.Point(40.01, 34.00)) < 1e-5
    # about 100 m by 50 m
    assert 0.0005 < place.bounds[2] - place.bounds[0] < 0.0007
    clinic = site_footprint(3, shapely.Point(40.015, 34.001), 50, 100, w(0, 48), EPSG)
    near_clinic = conflict_between(new, clinic)
    assert near_clinic is not None
    assert shapely.geometry.shape(near_clinic.place).covers(shapely.Point(40.015, 34.0))
    with pytest.raises(ValueError, match="CRS"):
        conflict_between(new, movement_footprint(2, crossing, 50, [w(9, 11)], 32638))


def test_corridors_that_only_just_touch_are_placed_at_the_gap() -> None:
    # Round ends 100 m apart at 5 degrees: the exact corridors touch, their polygon
    # approximations do not, so the place is the midpoint between the two lines.
    dx, dy = 100 * 0.9961946980917455, 100 * 0.08715574274765817
    first = movement(1, [(-1_000, 0), (0, 0)], 100, w(8, 10))
    second = movement(2, [(dx, dy), (dx + 1_000, dy)], 100, w(8, 10))
    conflict = conflict_between(first, second)
    assert conflict is not None
    assert conflict.place["type"] == "Point"


def test_conflicts_come_earliest_first() -> None:
    later = movement(5, [(500, -500), (500, 500)], 100, w(9.5, 11))
    sooner = movement(7, [(1_500, -500), (1_500, 500)], 100, w(7, 9))
    assert [c.notification_id for c in find_conflicts(NEW, [later, sooner])] == [7, 5]


def test_time_overlaps_sweeps_both_lists() -> None:
    first = (w(0, 2), w(4, 6), w(8, 10))
    second = (w(1, 5), w(9, 20))
    assert time_overlaps(first, second) == (w(1, 2), w(4, 5), w(9, 10))
    assert time_overlaps(second, first) == (w(1, 2), w(4, 5), w(9, 10))
    assert time_overlaps((), second) == ()


@pytest.mark.parametrize(
    ("new", "blocking", "horizon", "shift"),
    [
        ((w(8, 10),), [], 48 * H, timedelta(0)),
        ((w(8, 10),), [(w(10, 12),)], 48 * H, timedelta(0)),
        ((w(8, 10),), [(w(9, 11),)], 48 * H, 3 * H),
        ((w(8, 10),), [(w(9, 11),), (w(11.5, 13),)], 48 * H, 5 * H),  # the gap is too short
        ((w(8, 10),), [(w(9, 11),), (w(13, 14),)], 48 * H, 3 * H),  # exactly fits
        ((w(8, 10),), [(w(9, 11),)], 2 * H, None),  # beyond the horizon
        ((w(8, 10),), [(w(9, 11),)], 3 * H, 3 * H),  # the horizon is inclusive
        ((w(8, 10), w(32, 34)), [(w(35, 36),)], 48 * H, timedelta(0)),
        ((w(8, 10), w(32, 34)), [(w(33, 36),)], 48 * H, 4 * H),  # the second moves it
        ((w(8, 10),), [(w(0, 100),)], 48 * H, None),
    ],
)
def test_earliest_shift_table(
    new: tuple[Window, ...],
    blocking: list[tuple[Window, ...]],
    horizon: timedelta,
    shift: timedelta | None,
) -> None:
    assert earliest_shift(new, blocking, horizon) == shift


def minute_search(
    new: Sequence[Window], blocking: Sequence[Sequence[Window]], horizon: timedelta
) -> timedelta | None:
    """The oracle: try every whole minute from 0 to the horizon."""
    for minutes in range(int(horizon / M) + 1):
        shift = minutes * M
        if not any(
            mine.shifted(shift).overlaps(other)
            for mine in new
            for windows_ in blocking
            for other in windows_
        ):
            return shift
    return None


@settings(max_examples=150, deadline=None)
@given(
    windows(),
    st.lists(windows(), max_size=6),
    st.integers(min_value=0, max_value=48 * 60),
)
def test_earliest_shift_matches_the_minute_by_minute_search(
    new: tuple[Window, ...], blocking: list[tuple[Window, ...]], horizon_min: int
) -> None:
    horizon = horizon_min * M
    assert earliest_shift(new, blocking, horizon) == minute_search(new, blocking, horizon)


@settings(max_examples=100, deadline=None)
@given(
    footprints(1, movement=True),
    st.lists(st.integers(min_value=2, max_value=40), max_size=6).flatmap(
        lambda ids: st.tuples(*[footprints(i) for i in ids])
    ),
)
def test_the_proposed_shift_clears_every_conflict(
    new: Footprint, others: tuple[Footprint, ...]
) -> None:
    blocking = [
        o.occurrences
        for o in others
        if shapely.dwithin(o.shape, new.shape, o.reach_m + new.reach_m)
    ]
    shift = earliest_shift(new.occurrences, blocking)
    if shift is None:
        return
    moved = Footprint(
        new.notification_id,
        new.kind,
        new.shape,
        new.reach_m,
        tuple(occurrence.shifted(shift) for occurrence in new.occurrences),
        new.epsg,
    )
    assert find_conflicts(moved, others) == []
    if shift:
        assert find_conflicts(new, others)
