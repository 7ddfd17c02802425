"""Location sanity before anything is shared: each bad location gets its coded error."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod

from tansiq.core.i18n import Locale, translate
from tansiq.deconfliction.domain import (
    BadSiteRadius,
    CrossesNoZone,
    NoDeploymentArea,
    OutsideArea,
    PlaceMismatch,
    RouteSelfIntersecting,
    RouteTooLong,
    SwappedCoordinates,
    UnknownPlace,
)
from tansiq.deconfliction.sanity import (
    MAX_ROUTE_POINTS,
    check_crosses_zone,
    check_in_area,
    check_place,
    check_route,
    check_site_radius,
    deployment_area,
    place_key,
)

GEOD = Geod(ellps="WGS84")
ZONES = [shapely.box(40.0, 34.0, 40.2, 34.1), shapely.box(40.3, 34.2, 40.5, 34.4)]
AREA = deployment_area([zone.bounds for zone in ZONES], margin_m=5_000)


def test_the_default_area_is_every_zone_plus_at_least_the_margin() -> None:
    west, south, east, north = AREA.bounds
    assert GEOD.inv(40.0, 34.0, west, 34.0)[2] == pytest.approx(5_000, rel=0.01)
    assert GEOD.inv(40.5, 34.4, east, 34.4)[2] >= 5_000
    assert GEOD.inv(40.0, 34.0, 40.0, south)[2] == pytest.approx(5_000, rel=0.01)
    assert GEOD.inv(40.0, 34.4, 40.0, north)[2] == pytest.approx(5_000, rel=0.01)
    with pytest.raises(NoDeploymentArea):
        deployment_area([])
    # Near the poles and the antimeridian, the box stays on the globe.
    assert deployment_area([(179.9, 89.5, 180.0, 90.0)], 50_000).bounds[2:] == (180.0, 90.0)


@pytest.mark.parametrize(
    ("geometry", "error"),
    [
        (shapely.Point(40.1, 34.05), None),
        (shapely.LineString([(40.0, 34.0), (40.5, 34.4)]), None),
        (shapely.Point(34.05, 40.1), SwappedCoordinates),
        (shapely.LineString([(34.0, 40.0), (34.4, 40.5)]), SwappedCoordinates),
        (shapely.Point(35.0, 33.0), OutsideArea),  # in the sea, off the coast
        (shapely.LineString([(40.1, 34.05), (41.5, 34.05)]), OutsideArea),  # leaves the area
    ],
)
def test_inside_the_deployment_area(
    geometry: shapely.Geometry, error: type[Exception] | None
) -> None:
    if error is None:
        check_in_area(geometry, AREA)
    else:
        with pytest.raises(error):
            check_in_area(geometry, AREA)


def test_routes_that_cross_themselves_or_are_too_long_are_refused() -> None:
    check_route(shapely.LineString([(0, 0), (1, 0), (1, 1)]))
    with pytest.raises(RouteSelfIntersecting):
        check_route(shapely.LineString([(0, 0), (1, 1), (1, 0), (0, 1)]))
    many = shapely.LineString([(i * 0.001, (i % 2) * 0.001) for i in range(MAX_ROUTE_POINTS + 1)])
    with pytest.raises(RouteTooLong) as raised:
        check_route(many)
    assert raised.value.params == {"count": MAX_ROUTE_POINTS}
    check_route(many, max_points=MAX_ROUTE_POINTS + 1)


@pytest.mark.parametrize(
    ("radius", "ok"), [(0.5, False), (1.0, True), (5_000.0, True), (5_001.0, False)]
)
def test_site_radius_limits(radius: float, ok: bool) -> None:
    if ok:
        assert check_site_radius(radius) == radius
    else:
        with pytest.raises(BadSiteRadius):
            check_site_radius(radius)


GAZETTEER = {place_key("Tell Abyad"): (40.10, 34.05), place_key("تل أبيض"): (40.10, 34.05)}


def test_a_declared_place_must_be_known_and_near() -> None:
    assert place_key("  TELL   abyad ") == "tell abyad"
    assert check_place(shapely.Point(40.10, 34.05), "tell Abyad", GAZETTEER) == 0.0
    assert check_place(shapely.Point(40.105, 34.05), "تل أبيض", GAZETTEER) < 1_000
    with pytest.raises(PlaceMismatch) as raised:
        check_place(shapely.Point(40.2, 34.05), "Tell Abyad", GAZETTEER, tolerance_m=500)
    assert raised.value.params["count"] == pytest.approx(9_220, abs=20)
    assert "9" in translate(PlaceMismatch.message, Locale.AR, **raised.value.params)
    with pytest.raises(UnknownPlace):
        check_place(shapely.Point(40.10, 34.05), "Atlantis", GAZETTEER)


def test_a_corridor_that_crosses_no_zone_is_questioned() -> None:
    corridor = shapely.LineString([(40.1, 34.05), (40.15, 34.3)]).buffer(0.001)
    check_crosses_zone(corridor, ZONES)
    check_crosses_zone(corridor, lambda shape: True)
    far = shapely.Point(40.25, 34.15).buffer(0.01)
    with pytest.raises(CrossesNoZone):
        check_crosses_zone(far, ZONES)
    with pytest.raises(CrossesNoZone):
        check_crosses_zone(corridor, [])
    with pytest.raises(CrossesNoZone):
        check_crosses_zone(corridor, lambda shape: False)
