"""The route a permit carries: simplified only as far as the QR code needs, inside the corridor."""

from __future__ import annotations

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from tansiq.core.projection import project, utm_epsg
from tansiq.permits.route_fit import (
    QR_MAX_CHARACTERS,
    RouteTooComplex,
    fit_route,
    fits_qr,
    simplify_route,
)

# A wiggly road east of the demo town: 400 points, about 10 m apart, zigzagging by 15 m.
WIGGLY = tuple((35.5 + i * 0.0001, 33.5 + (0.00015 if i % 2 else 0.0)) for i in range(400))


def metric(points: tuple[tuple[float, float], ...]) -> LineString:
    geometry = project(LineString(points), utm_epsg(*WIGGLY[0]))
    assert isinstance(geometry, LineString)
    return geometry


def test_the_capacity_is_what_segno_fits_in_version_25_at_level_q() -> None:
    def version(length: int) -> int:
        code = segno.make_qr("A" * length, error="q", mode="alphanumeric", boost_error=False)
        return int(code.version)

    assert version(QR_MAX_CHARACTERS) == 25
    assert version(QR_MAX_CHARACTERS + 1) == 26
    assert fits_qr(QR_MAX_CHARACTERS)
    assert not fits_qr(QR_MAX_CHARACTERS + 1)


def test_no_tolerance_keeps_the_route_as_it_is() -> None:
    assert simplify_route(WIGGLY, 0) == WIGGLY


def test_a_two_point_route_is_never_simplified() -> None:
    assert simplify_route(WIGGLY[:2], 1000) == WIGGLY[:2]


def test_simplifying_keeps_the_ends_and_only_points_of_the_route() -> None:
    simplified = simplify_route(WIGGLY, 20)

    assert simplified[0] == WIGGLY[0]
    assert simplified[-1] == WIGGLY[-1]
    assert set(simplified) <= set(WIGGLY)
    assert len(simplified) < len(WIGGLY)


def test_a_route_that_fits_is_carried_whole() -> None:
    assert fit_route(WIGGLY, 100, lambda route: True) == WIGGLY


def test_a_route_too_long_is_simplified_within_half_the_corridor() -> None:
    carried = fit_route(WIGGLY, 100, lambda route: len(route) <= 50)

    assert 2 <= len(carried) <= 50
    assert metric(carried).hausdorff_distance(metric(WIGGLY)) <= 50


def test_a_route_that_cannot_fit_within_the_corridor_is_refused() -> None:
    # At half of a 10 m corridor the 15 m zigzag survives: nothing fits in 50 points.
    with pytest.raises(RouteTooComplex) as refused:
        fit_route(WIGGLY, 10, lambda route: len(route) <= 50)

    assert refused.value.code == "permit.route_too_complex"


coordinate = st.floats(min_value=-0.02, max_value=0.02, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=60, unique=True),
    tolerance=st.floats(min_value=0.5, max_value=2000),
)
def test_every_point_of_the_route_stays_within_the_tolerance(
    offsets: list[tuple[float, float]], tolerance: float
) -> None:
    route = tuple((35.5 + dx, 33.5 + dy) for dx, dy in offsets)
    simplified = simplify_route(route, tolerance)
    line = metric(simplified)
    origin = utm_epsg(*WIGGLY[0])

    assert set(simplified) <= set(route)
    for point in route:
        distance = line.distance(project(Point(point), origin))
        assert distance <= tolerance * (1 + 1e-9) + 1e-6, (point, distance)
