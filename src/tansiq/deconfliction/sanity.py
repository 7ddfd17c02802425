"""Location sanity, before anything is shared: a wrong location is never sent to a party.

Each check raises one coded error. The deployment's area is given by the caller (a setting);
:func:`deployment_area` computes the default, the bounding box of every zone grown by a margin.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from tansiq.core.text import normalise_text
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

MAX_ROUTE_POINTS = 1_000  # as many as a permit's route carries
DEFAULT_AREA_MARGIN_M = 5_000.0
DEFAULT_PLACE_TOLERANCE_M = 1_000.0
MIN_SITE_RADIUS_M = 1.0
MAX_SITE_RADIUS_M = 5_000.0
_METRES_PER_DEGREE = 111_320.0  # of latitude, and of longitude at the equator
_GEOD = Geod(ellps="WGS84")

Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def deployment_area(
    zone_bounds: Iterable[Bounds], margin_m: float = DEFAULT_AREA_MARGIN_M
) -> shapely.Polygon:
    """The bounding box of every zone, grown by at least ``margin_m`` on each side (the
    longitude margin is taken at the latitude farthest from the equator, where a degree is
    shortest, so no side gets less than the margin)."""
    boxes = np.array(list(zone_bounds), dtype=float).reshape(-1, 4)
    if not len(boxes):
        raise NoDeploymentArea
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    east, north = boxes[:, 2].max(), boxes[:, 3].max()
    dlat = margin_m / _METRES_PER_DEGREE
    widest = min(max(abs(south), abs(north)) + dlat, 89.0)
    dlon = margin_m / (_METRES_PER_DEGREE * math.cos(math.radians(widest)))
    return shapely.box(
        max(west - dlon, -180.0),
        max(south - dlat, -90.0),
        min(east + dlon, 180.0),
        min(north + dlat, 90.0),
    )


def check_in_area(geometry: BaseGeometry, area: BaseGeometry) -> None:
    """``geometry`` (longitude, latitude) lies wholly in ``area``; when it does not but the same
    geometry with its coordinates swapped would, the error says so."""
    if shapely.covers(area, geometry):
        return
    swapped = shapely.transform(geometry, lambda coords: coords[:, ::-1])
    if shapely.covers(area, swapped):
        raise SwappedCoordinates
    raise OutsideArea


def check_route(route: shapely.LineString, max_points: int = MAX_ROUTE_POINTS) -> None:
    """A route is refused past ``max_points`` points or when it crosses itself."""
    points = shapely.get_num_points(route)
    if points > max_points:
        raise RouteTooLong(count=max_points)
    if not shapely.is_simple(route):
        raise RouteSelfIntersecting


def check_site_radius(radius_m: float) -> float:
    if not MIN_SITE_RADIUS_M <= radius_m <= MAX_SITE_RADIUS_M:
        raise BadSiteRadius(minimum=MIN_SITE_RADIUS_M, count=MAX_SITE_RADIUS_M)
    return radius_m


def place_key(name: str) -> str:
    """How a place name is looked up: normalised, case and spacing ignored."""
    return " ".join(normalise_text(name).casefold().split())


def check_place(
    point: shapely.Point,
    place: str,
    gazetteer: Mapping[str, tuple[float, float]],
    tolerance_m: float = DEFAULT_PLACE_TOLERANCE_M,
) -> float:
    """The declared place name matches the point: the gazetteer (name, in either language,
    → longitude, latitude; keys as :func:`place_key` makes them) knows it, and it lies within
    ``tolerance_m``. Returns the distance in metres."""
    known = gazetteer.get(place_key(place))
    if known is None:
        raise UnknownPlace(place=place)
    distance = float(_GEOD.inv(point.x, point.y, known[0], known[1])[2])
    if distance > tolerance_m:
        raise PlaceMismatch(place=place, count=round(distance), tolerance=round(tolerance_m))
    return distance


def check_crosses_zone(
    footprint: BaseGeometry,
    zones: Sequence[BaseGeometry] | Callable[[BaseGeometry], bool],
) -> None:
    """A corridor (or site) that touches no zone at all is questioned: the caller asks the
    notifier to confirm. ``zones`` are the zone geometries, or a predicate that answers
    "does this touch any zone?" (e.g. the spatial index's)."""
    if callable(zones):
        touches = zones(footprint)
    else:
        touches = bool(len(zones)) and bool(
            shapely.intersects(np.array(zones, dtype=object), footprint).any()
        )
    if not touches:
        raise CrossesNoZone
