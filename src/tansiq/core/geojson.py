"""Strict GeoJSON (RFC 7946) reading: every problem reported with a code and where it is.

Nothing here touches a database; callers get shapely geometries in WGS84 longitude/latitude or
one :class:`GeoJSONInvalid` listing every problem found (up to a cap), so an import is all or
nothing and the user can fix all the problems in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.errors import ErrorDetail, TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.core.unicode import clean_unicode

MAX_DETAILS = 100
MAX_POSITIONS = 200_000  # in one document, all geometries together
MAX_FEATURES = 10_000
_WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}


class GeoJSONInvalid(TansiqError):
    code = "geojson.invalid"
    message = N_("The GeoJSON is not valid; nothing was imported.")


@dataclass(frozen=True)
class ParsedFeature:
    """One feature that passed validation: its index in the input, geometry and properties."""

    index: int
    geometry: BaseGeometry
    properties: Mapping[str, Any]
    feature_id: str | None = None


@dataclass
class _Problems:
    feature: int | None = None
    found: list[ErrorDetail] = field(default_factory=list)
    positions_left: int = field(default_factory=lambda: MAX_POSITIONS)

    def add(self, code: str, message: str, path: str, **params: Any) -> None:
        if len(self.found) < MAX_DETAILS:
            self.found.append(
                ErrorDetail(
                    code=code, message=message, params=params, feature=self.feature, path=path
                )
            )


def parse_features(
    document: Any, allowed_types: Iterable[str], *, rewind: bool = False
) -> list[ParsedFeature]:
    """Read a FeatureCollection (or a single Feature) whose geometries are of ``allowed_types``.

    ``rewind`` turns wrongly wound polygon rings around instead of refusing them.
    Raises :class:`GeoJSONInvalid` with every problem found.
    """
    allowed = frozenset(allowed_types)
    problems = _Problems()
    if not isinstance(document, Mapping):
        problems.add("geojson.not_object", N_("A GeoJSON document must be a JSON object."), "$")
        raise GeoJSONInvalid(problems.found)
    _check_crs(document, problems, "$")
    kind = document.get("type")
    if kind == "Feature":
        features: Any = [document]
    elif kind == "FeatureCollection":
        features = document.get("features")
    else:
        problems.add(
            "geojson.wrong_type",
            N_('Expected a "FeatureCollection" or a "Feature", found "{found}".'),
            "$.type",
            found=clean_unicode(str(kind)[:40]),
        )
        raise GeoJSONInvalid(problems.found)
    if not isinstance(features, list) or not features:
        problems.add(
            "geojson.no_features", N_('"features" must be a non-empty array.'), "$.features"
        )
        raise GeoJSONInvalid(problems.found)
    if len(features) > MAX_FEATURES:
        problems.add(
            "geojson.too_many_features",
            NP_(
                "A document may have at most {count} feature; split it.",
                "A document may have at most {count} features; split it.",
            ),
            "$.features",
            count=MAX_FEATURES,
        )
        raise GeoJSONInvalid(problems.found)

    parsed: list[ParsedFeature] = []
    for index, feature in enumerate(features):
        problems.feature = index
        result = _parse_feature(feature, allowed, problems, rewind=rewind)
        if result is not None:
            parsed.append(ParsedFeature(index, *result))
    if problems.found:
        raise GeoJSONInvalid(problems.found)
    return parsed


def parse_geometry(
    geometry: Any, allowed_types: Iterable[str], *, rewind: bool = False
) -> BaseGeometry:
    """Read one geometry object (or a Feature holding one) of ``allowed_types``."""
    problems = _Problems()
    if isinstance(geometry, Mapping) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    result = _parse_geometry(geometry, frozenset(allowed_types), problems, "$", rewind=rewind)
    if result is None or problems.found:
        raise GeoJSONInvalid(problems.found)
    return result


def _check_crs(member: Mapping[str, Any], problems: _Problems, path: str) -> None:
    crs = member.get("crs")
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, Mapping) else None
    name = properties.get("name") if isinstance(properties, Mapping) else None
    if not isinstance(name, str) or name not in _WGS84_NAMES:
        problems.add(
            "geojson.unsupported_crs",
            N_(
                "Coordinates must be WGS84 longitude, latitude (RFC 7946); "
                "reproject the file first."
            ),
            f"{path}.crs",
        )


def _parse_feature(
    feature: Any, allowed: frozenset[str], problems: _Problems, *, rewind: bool
) -> tuple[BaseGeometry, Mapping[str, Any], str | None] | None:
    path = f"$.features[{problems.feature}]"
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        problems.add(
            "geojson.not_feature", N_('Each member of "features" must be a Feature.'), path
        )
        return None
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, Mapping):
        problems.add(
            "geojson.bad_properties",
            N_('"properties" must be an object or null.'),
            f"{path}.properties",
        )
        return None
    raw_id = feature.get("id")
    feature_id = None if raw_id is None else clean_unicode(str(raw_id))[:200].replace("\x00", "")
    geometry = _parse_geometry(
        feature.get("geometry"), allowed, problems, f"{path}.geometry", rewind=rewind
    )
    if geometry is None:
        return None
    return geometry, properties, feature_id


def _parse_geometry(
    geometry: Any, allowed: frozenset[str], problems: _Problems, path: str, *, rewind: bool
) -> BaseGeometry | None:
    if not isinstance(geometry, Mapping):
        problems.add("geojson.missing_geometry", N_("The feature has no geometry object."), path)
        return None
    kind = geometry.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        problems.add(
            "geojson.wrong_geometry_type",
            N_('Geometry type "{found}" is not accepted here; expected {expected}.'),
            f"{path}.type",
            found=clean_unicode(str(kind)[:40]),
            expected=", ".join(sorted(allowed)),
        )
        return None
    before = len(problems.found)
    coordinates = geometry.get("coordinates")
    shape: BaseGeometry | None = None
    if kind == "Point":
        position = _position(coordinates, problems, f"{path}.coordinates")
        shape = None if position is None else shapely.Point(position)
    elif kind == "LineString":
        line = _line(coordinates, problems, f"{path}.coordinates")
        shape = None if line is None else shapely.LineString(line)
    elif kind == "MultiLineString":
        shape = _multiline(coordinates, problems, f"{path}.coordinates")
    elif kind == "Polygon":
        shape = _polygon(coordinates, problems, f"{path}.coordinates", rewind=rewind)
    elif kind == "MultiPolygon":
        shape = _multipolygon(coordinates, problems, f"{path}.coordinates", rewind=rewind)
    if shape is None or len(problems.found) > before:
        return None
    return _check_validity(shape, problems, path)


def _position(value: Any, problems: _Problems, path: str) -> tuple[float, float] | None:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) not in (2, 3)
        or not all(_is_number(item) for item in value)
    ):
        problems.add(
            "geojson.bad_position",
            N_("A position must be [longitude, latitude] with finite numbers."),
            path,
        )
        return None
    lon, lat = float(value[0]), float(value[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        problems.add(
            "geojson.out_of_range",
            N_(
                "Position {lon}, {lat} is out of range: longitude comes first and must be "
                "within ±180, latitude within ±90."
            ),
            path,
            lon=lon,
            lat=lat,
        )
        return None
    return lon, lat


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _positions(value: Any, problems: _Problems, path: str) -> list[tuple[float, float]] | None:
    if not isinstance(value, list | tuple):
        problems.add(
            "geojson.bad_coordinates", N_("Coordinates must be an array of positions."), path
        )
        return None
    problems.positions_left -= len(value)
    if problems.positions_left < 0:
        problems.add(
            "geojson.too_many_positions",
            NP_(
                "A document may have at most {count} position in all; split it.",
                "A document may have at most {count} positions in all; split it.",
            ),
            path,
            count=MAX_POSITIONS,
        )
        return None
    positions = []
    for index, item in enumerate(value):
        position = _position(item, problems, f"{path}[{index}]")
        if position is None:
            return None
        positions.append(position)
    if any(abs(a[0] - b[0]) > 180.0 for a, b in pairwise(positions)):
        problems.add(
            "geojson.crosses_antimeridian",
            N_("The geometry crosses the 180th meridian; cut it in two there (RFC 7946 §3.1.9)."),
            path,
        )
        return None
    return positions


def _line(value: Any, problems: _Problems, path: str) -> list[tuple[float, float]] | None:
    positions = _positions(value, problems, path)
    if positions is None:
        return None
    if len(positions) < 2 or len(set(positions)) < 2:
        problems.add(
            "geojson.degenerate_line", N_("A line needs at least two distinct positions."), path
        )
        return None
    return positions


def _multiline(value: Any, problems: _Problems, path: str) -> shapely.MultiLineString | None:
    if not isinstance(value, list) or not value:
        problems.add(
            "geojson.bad_coordinates",
            N_("A MultiLineString needs a non-empty array of lines."),
            path,
        )
        return None
    lines = [_line(member, problems, f"{path}[{i}]") for i, member in enumerate(value)]
    if any(line is None for line in lines):
        return None
    return shapely.MultiLineString([line for line in lines if line is not None])


def _ring(
    value: Any, problems: _Problems, path: str, *, exterior: bool, rewind: bool
) -> list[tuple[float, float]] | None:
    positions = _positions(value, problems, path)
    if positions is None:
        return None
    if len(positions) < 4:
        problems.add(
            "geojson.ring_too_short", N_("A polygon ring needs at least four positions."), path
        )
        return None
    if positions[0] != positions[-1]:
        problems.add(
            "geojson.ring_not_closed",
            N_("A polygon ring must end at the position it starts from."),
            path,
        )
        return None
    if shapely.MultiPoint(positions).convex_hull.area == 0.0:
        problems.add("geojson.ring_empty", N_("A polygon ring must enclose an area."), path)
        return None
    if not shapely.is_simple(shapely.LinearRing(positions)):
        reason = str(shapely.is_valid_reason(shapely.Polygon(positions)))
        problems.add(
            "geojson.self_intersection",
            N_("The polygon crosses itself ({reason})."),
            path,
            reason=reason,
        )
        return None
    area = _signed_area(positions)
    if (area > 0) != exterior:
        if rewind:
            return positions[::-1]
        message = (
            N_("The outer ring must run counter-clockwise (RFC 7946 §3.1.6).")
            if exterior
            else N_("A hole must run clockwise (RFC 7946 §3.1.6).")
        )
        problems.add("geojson.wrong_winding", message, path)
        return None
    return positions


def _signed_area(positions: Sequence[tuple[float, float]]) -> float:
    """Twice the signed planar area (shoelace): positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(positions))


def _polygon(value: Any, problems: _Problems, path: str, *, rewind: bool) -> shapely.Polygon | None:
    if not isinstance(value, list | tuple) or not value:
        problems.add(
            "geojson.bad_coordinates",
            N_("A polygon's coordinates must be a non-empty array of rings."),
            path,
        )
        return None
    rings = [
        _ring(ring, problems, f"{path}[{index}]", exterior=index == 0, rewind=rewind)
        for index, ring in enumerate(value)
    ]
    if any(ring is None for ring in rings):
        return None
    shell, *holes = (ring for ring in rings if ring is not None)
    return shapely.Polygon(shell, holes)


def _multipolygon(
    value: Any, problems: _Problems, path: str, *, rewind: bool
) -> shapely.MultiPolygon | None:
    if not isinstance(value, list | tuple) or not value:
        problems.add(
            "geojson.bad_coordinates",
            N_("A multipolygon's coordinates must be a non-empty array of polygons."),
            path,
        )
        return None
    polygons = [
        _polygon(polygon, problems, f"{path}[{index}]", rewind=rewind)
        for index, polygon in enumerate(value)
    ]
    if any(polygon is None for polygon in polygons):
        return None
    return shapely.MultiPolygon([polygon for polygon in polygons if polygon is not None])


def _check_validity(shape: BaseGeometry, problems: _Problems, path: str) -> BaseGeometry | None:
    if shapely.is_valid(shape):
        return shape
    reason = str(shapely.is_valid_reason(shape))
    if "Self-intersection" in reason or "Ring Self-intersection" in reason:
        problems.add(
            "geojson.self_intersection",
            N_("The polygon crosses itself ({reason})."),
            path,
            reason=reason,
        )
    else:
        problems.add(
            "geojson.invalid_geometry",
            N_("The geometry is not valid ({reason})."),
            path,
            reason=reason,
        )
    return None
