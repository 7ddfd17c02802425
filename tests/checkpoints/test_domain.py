"""Clone detection's distance and speed rule, against published geodesic distances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tansiq.checkpoints.domain import Sighting, distance_km, impossible_travel

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def at(lon: float, lat: float, checkpoint: int = 1, minutes: float = 0) -> Sighting:
    return Sighting(checkpoint, T0 + timedelta(minutes=minutes), lon, lat)


def dms(degrees: int, minutes: int, seconds: float) -> float:
    sign = -1 if degrees < 0 else 1
    return sign * (abs(degrees) + minutes / 60 + seconds / 3600)


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        # One degree along the equator: a * pi / 180 on WGS84 (a = 6,378,137 m).
        (at(0, 0), at(1, 0), 111.319491),
        # One degree of latitude from the equator along a meridian (shorter: the ellipsoid is
        # flattened; a sphere of mean radius gives 111.195 km for both).
        (at(0, 0), at(0, 1), 110.574389),
        # Flinders Peak to Buninyong, the geodesy textbook test line: 54,972.271 m.
        (
            at(dms(144, 25, 29.52440), dms(-37, 57, 3.72030)),
            at(dms(143, 55, 35.38390), dms(-37, 39, 10.15610)),
            54.972271,
        ),
    ],
)
def test_distance_is_the_wgs84_geodesic(a: Sighting, b: Sighting, km: float) -> None:
    assert distance_km(a, b) == pytest.approx(km, abs=1e-6)
    assert distance_km(b, a) == pytest.approx(km, abs=1e-6)


def test_the_same_place_is_no_distance() -> None:
    assert distance_km(at(36.2, 37.1), at(36.2, 37.1)) == 0.0


def test_impossible_travel_needs_more_than_the_top_speed() -> None:
    # About 111 km apart: 90 km/h needs about 74 minutes.
    here, there = at(0, 0, checkpoint=1), at(0, 1, checkpoint=2, minutes=60)
    assert impossible_travel(here, there)
    assert not impossible_travel(here, at(0, 1, checkpoint=2, minutes=80))
    # One checkpoint scanning a permit twice is never a clone.
    assert not impossible_travel(here, at(0, 1, checkpoint=1, minutes=1))
