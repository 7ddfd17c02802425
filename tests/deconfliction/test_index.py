"""The in-memory conflict index answers as the brute-force search over every footprint."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.deconfliction.conflicts import (
    Clash,
    Footprint,
    earliest_shift,
    find_clashes,
    find_conflicts,
    micros_of,
    touches,
)
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.index import ConflictIndex
from tansiq.deconfliction.schedule import Window
from tansiq.deconfliction.stored import clashes_among, with_windows

from .strategies import EPSG, T0, X0, Y0, footprints

H = timedelta(hours=1)


def many(draw_ids: list[int]) -> st.SearchStrategy[tuple[Footprint, ...]]:
    return st.tuples(*[footprints(i) for i in draw_ids])


active = st.lists(st.integers(min_value=1, max_value=60), max_size=25).flatmap(many)


@settings(max_examples=150, deadline=None)
@given(footprints(1, movement=True), active, st.integers(min_value=0, max_value=72))
def test_the_index_finds_what_brute_force_finds(
    new: Footprint, others: tuple[Footprint, ...], horizon_h: int
) -> None:
    index = ConflictIndex(others, EPSG)
    assert len(index) == len(others)
    assert index.clashes(new) == find_clashes(new, others)
    assert index.conflicts(new) == find_conflicts(new, others)
    horizon = horizon_h * H
    blocking = [
        o.occurrences
        for o in others
        if o.notification_id != new.notification_id and touches(new, o)
    ]
    assert index.earliest_shift(new, horizon) == earliest_shift(new.occurrences, blocking, horizon)


def test_a_new_site_is_checked_against_movements() -> None:
    line = shapely.LineString([(X0, Y0), (X0 + 1_000, Y0)])
    window = Window(T0, T0 + 2 * H)
    passing = Footprint(2, NotificationKind.MOVEMENT, line, 50, (window,), EPSG)
    clinic = Footprint(
        3, NotificationKind.SITE, shapely.Point(X0 + 500, Y0 + 120), 80, (window,), EPSG
    )
    index = ConflictIndex([passing], EPSG)
    assert [c.notification_id for c in index.conflicts(clinic)] == [2]


def test_an_empty_index_and_one_with_nothing_at_that_time() -> None:
    line = shapely.LineString([(X0, Y0), (X0 + 1_000, Y0)])
    new = Footprint(1, NotificationKind.MOVEMENT, line, 50, (Window(T0, T0 + H),), EPSG)
    assert ConflictIndex([], EPSG).conflicts(new) == []
    assert ConflictIndex([], EPSG).earliest_shift(new) == timedelta(0)
    later = Footprint(
        2, NotificationKind.MOVEMENT, line, 50, (Window(T0 + 5 * H, T0 + 6 * H),), EPSG
    )
    index = ConflictIndex([later], EPSG)
    assert index.conflicts(new) == []
    assert index.earliest_shift(new, horizon=4 * H) == timedelta(0)
    assert index.earliest_shift(new, horizon=5 * H) == timedelta(0)


def test_every_footprint_shares_the_index_crs() -> None:
    line = shapely.LineString([(X0, Y0), (X0 + 1_000, Y0)])
    other = Footprint(2, NotificationKind.MOVEMENT, line, 50, (Window(T0, T0 + H),), 32638)
    with pytest.raises(ValueError, match="CRS"):
        ConflictIndex([other], EPSG)


@settings(max_examples=150, deadline=None)
@given(footprints(1, movement=True), active)
def test_the_stored_checks_clashes_in_arrays_are_brute_forces(
    new: Footprint, others: tuple[Footprint, ...]
) -> None:
    # The stored check compares every window of what touches at once, in microseconds.
    touching = [o for o in others if o.notification_id != new.notification_id and touches(new, o)]
    starts, ends = micros_of(new.occurrences)
    found = clashes_among(starts, ends, with_windows(touching))
    found.sort(key=Clash.order)
    assert found == find_clashes(new, others)
