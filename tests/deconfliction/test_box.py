"""A stored version's box, grown by its reach in degrees, never cuts off a point within that
reach: the conflict check's first filter may keep too much, never too little."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod

from tansiq.deconfliction.stored import grown_box

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("lat", [-60.0, -34.4, 0.0, 34.4, 60.0, 80.0])
@pytest.mark.parametrize("reach", [1.0, 150.0, 5_000.0, 20_000.0])
def test_every_point_within_the_reach_is_inside_the_box(lat: float, reach: float) -> None:
    line = shapely.LineString([(41.0, lat), (41.02, lat + 0.01)])
    west, south, east, north = grown_box(line, reach)
    for lon0, lat0 in line.coords:
        for azimuth in range(0, 360, 15):
            lon, lat1, _ = GEOD.fwd(lon0, lat0, azimuth, reach)
            assert west <= lon <= east
            assert south <= lat1 <= north
