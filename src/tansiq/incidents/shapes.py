"""A location as given (GeoJSON, longitude/latitude) and as stored: the shape as WKB, its box
in degrees (grown by a reach, so a box query finds everything that may come within it)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.geojson import parse_geometry

METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Located:
    geometry: dict[str, Any]
    shape: BaseGeometry

    def columns(self, grow_m: float = 0.0) -> dict[str, Any]:
        west, south, east, north = grown_box(self.shape, grow_m)
        return {
            "geometry": self.geometry,
            "shape_wkb": shapely.to_wkb(self.shape),
            "min_lon": west,
            "min_lat": south,
            "max_lon": east,
            "max_lat": north,
        }


def locate(document: Any, allowed: Sequence[str]) -> Located:
    """Strict GeoJSON of one of ``allowed`` types, or :class:`GeoJSONInvalid` with every
    problem; the geometry is stored as read back from the shape (no foreign members)."""
    shape = parse_geometry(document, allowed)
    return Located(geometry=shapely.geometry.mapping(shape), shape=shape)


def grown_box(shape: BaseGeometry, grow_m: float) -> tuple[float, float, float, float]:
    """``shape``'s bounds grown by ``grow_m`` (a little more in longitude, for latitude)."""
    west, south, east, north = shape.bounds
    dlat = grow_m / METRES_PER_DEGREE
    widest = max(abs(south), abs(north))
    dlon = grow_m / (METRES_PER_DEGREE * max(math.cos(math.radians(min(widest, 89.0))), 0.01))
    return west - dlon, south - dlat, east + dlon, north + dlat
