"""Pure geography rules and the spatial index, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely

from tansiq.core.text import BilingualText
from tansiq.geo.domain import (
    BadCorridor,
    CheckpointEntry,
    CheckpointStatus,
    ZoneEntry,
    check_corridor,
    in_force_windows,
)
from tansiq.geo.index import SpatialIndex

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.mark.parametrize(
    ("maps", "expected"),
    [
        ([(1, 7, day(0), None, day(0))], {1: (day(0), None)}),
        (
            [(1, 7, day(0), None, day(0)), (2, 7, day(10), None, day(1))],
            {1: (day(0), day(10)), 2: (day(10), None)},
        ),
        (
            [(1, 7, day(0), day(5), day(0)), (2, 7, day(10), None, day(1))],
            {1: (day(0), day(5)), 2: (day(10), None)},
        ),
        # Another authority's map does not supersede this one.
        (
            [(1, 7, day(0), None, day(0)), (2, 8, day(10), None, day(1))],
            {1: (day(0), None), 2: (day(10), None)},
        ),
        # Same start: the later import wins, the earlier is never in force.
        ([(1, 7, day(0), None, day(0)), (2, 7, day(0), None, day(1))], {2: (day(0), None)}),
        # Imported later but starting earlier: it fills the gap before the existing map.
        (
            [(1, 7, day(10), None, day(0)), (2, 7, day(0), None, day(1))],
            {2: (day(0), day(10)), 1: (day(10), None)},
        ),
        ([], {}),
    ],
)
def test_in_force_windows(
    maps: list[tuple[int, int, datetime, datetime | None, datetime]],
    expected: dict[int, tuple[datetime, datetime | None]],
) -> None:
    assert in_force_windows(maps) == expected


def test_zone_entry_in_force_at() -> None:
    entry = ZoneEntry(1, 1, 1, BilingualText("", "z"), day(0), day(10))
    assert not entry.in_force_at(day(-1))
    assert entry.in_force_at(day(0))
    assert not entry.in_force_at(day(10))
    assert ZoneEntry(1, 1, 1, BilingualText("", "z"), day(0), None).in_force_at(day(999))


def test_corridor_limits() -> None:
    assert check_corridor(200, 1000) == 200
    for bad in (0, -5, 1001, float("nan")):
        with pytest.raises(BadCorridor):
            check_corridor(bad, 1000)


def square(lon: float, lat: float, size: float) -> shapely.Polygon:
    return shapely.box(lon, lat, lon + size, lat + size)


def test_empty_index_resolves_to_nothing() -> None:
    index = SpatialIndex([], [])
    result = index.resolve(shapely.LineString([(41.0, 34.0), (41.1, 34.0)]), 200, T0)
    assert result.authorities == ()
    assert result.checkpoints == ()
    assert result.route_length_m == pytest.approx(9190, rel=0.01)


def test_index_orders_authorities_by_first_encounter_and_respects_time() -> None:
    zones = [
        (ZoneEntry(1, 1, 100, BilingualText("", "west"), day(0), None), square(41.00, 34.0, 0.05)),
        (ZoneEntry(2, 2, 200, BilingualText("", "east"), day(0), None), square(41.05, 34.0, 0.05)),
        (
            ZoneEntry(3, 3, 300, BilingualText("", "future"), day(100), None),
            square(41.00, 34.0, 0.10),
        ),
    ]
    checkpoints = [
        CheckpointEntry(
            9, "CP-E", 300, BilingualText("", "e"), CheckpointStatus.OPEN, 41.08, 34.02
        ),
    ]
    index = SpatialIndex(zones, checkpoints, epsg=32637)
    east_to_west = shapely.LineString([(41.09, 34.02), (41.01, 34.02)])

    now = index.resolve(east_to_west, 100, day(1))
    later = index.resolve(east_to_west, 100, day(101))

    assert [a.authority_id for a in now.authorities] == [200, 300, 100]
    assert now.authorities[1].zones == ()  # required by its checkpoint only
    assert [a.authority_id for a in later.authorities] == [200, 300, 100]
    assert [z.name.en for z in later.authorities[1].zones] == ["future"]
    assert now.authorities[0].first_along_m == 0
    assert 3000 < now.authorities[2].first_along_m < 4000  # 41.09 -> 41.05 less half corridor
    assert now.checkpoints[0].checkpoint.code == "CP-E"


def test_a_map_with_an_end_but_no_successor() -> None:
    maps = [(1, 7, day(0), day(5), day(0)), (2, 8, day(0), None, day(0))]
    assert in_force_windows(maps) == {1: (day(0), day(5)), 2: (day(0), None)}


def test_a_route_passing_near_but_not_into_a_zone_is_ordered_by_its_nearest_point() -> None:
    zones = [(ZoneEntry(1, 1, 100, BilingualText("", "z"), day(0), None), square(41.0, 34.0, 0.01))]
    index = SpatialIndex(zones, [], epsg=32637)
    # Runs east along 34.0105, about 55 m north of the zone's edge, with a 200 m corridor.
    route = shapely.LineString([(40.98, 34.0105), (41.03, 34.0105)])
    [authority] = index.resolve(route, 200, day(1)).authorities
    assert 1500 < authority.first_along_m < 2000
