"""The part of the world a map shows: a bounding box read from a request, checked with coded
errors, and the simplification tolerance that suits a zoom level. Pure values, no storage.

A map asks for what it shows (``bbox=west,south,east,north`` in WGS84 degrees) at its zoom
level; geometry is simplified to one screen pixel at that zoom, so a zoomed-out view
of thousands of zones stays small and a zoomed-in view keeps every corner that can be seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_

MAX_SPAN_DEGREES = 2.0  # about 200 km: a region, not a country, in one request
MAX_ZOOM = 22
TILE_PIXELS = 256
EARTH_CIRCUMFERENCE_M = 40_075_016.686
PIXEL_FRACTION = 1.0  # simplify to a pixel: no outline moves by more than one


class BadBbox(TansiqError):
    code = "map.bbox_invalid"
    message = N_(
        "The map area must be four numbers separated by commas: west, south, east, north "
        "(longitude, latitude)."
    )


class BboxNotFinite(TansiqError):
    code = "map.bbox_not_finite"
    message = N_("The map area's numbers must be finite (not NaN or infinity).")


class BboxOutOfRange(TansiqError):
    code = "map.bbox_out_of_range"
    message = N_(
        "The map area lies outside the world: longitude from -180 to 180, latitude from -90 to 90."
    )


class BboxSwapped(TansiqError):
    code = "map.bbox_swapped"
    message = N_(
        "The map area's west must be less than its east and its south less than its north."
    )


class BboxTooLarge(TansiqError):
    code = "map.bbox_too_large"
    message = N_(
        "The map area is too large: at most {degrees} degrees of longitude and of latitude. "
        "Zoom in."
    )


class BadZoom(TansiqError):
    code = "map.bad_zoom"
    message = N_("The zoom level must be a whole number from 0 to {maximum}.")


@dataclass(frozen=True)
class Bbox:
    west: float
    south: float
    east: float
    north: float

    def key(self) -> str:
        """The same text for the same area, to cache answers by."""
        return f"{self.west:.6f},{self.south:.6f},{self.east:.6f},{self.north:.6f}"

    @property
    def middle_latitude(self) -> float:
        return (self.south + self.north) / 2

    def grown(self, fraction: float) -> Bbox:
        """The box grown by ``fraction`` of its size on every side (a margin to clip to, so
        the clipped edges fall outside the view)."""
        dx, dy = (self.east - self.west) * fraction, (self.north - self.south) * fraction
        return Bbox(self.west - dx, self.south - dy, self.east + dx, self.north + dy)


def parse_bbox(text: str) -> Bbox:
    """Read ``west,south,east,north``; every way it can be wrong has its own coded error."""
    parts = text.split(",")
    if len(parts) != 4:
        raise BadBbox
    try:
        west, south, east, north = (float(part.strip()) for part in parts)
    except ValueError:
        raise BadBbox from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BboxNotFinite
    longitudes_ok = -180 <= west <= 180 and -180 <= east <= 180
    if not (longitudes_ok and -90 <= south <= 90 and -90 <= north <= 90):
        raise BboxOutOfRange
    if west >= east or south >= north:
        raise BboxSwapped
    if east - west > MAX_SPAN_DEGREES or north - south > MAX_SPAN_DEGREES:
        raise BboxTooLarge(degrees=MAX_SPAN_DEGREES)
    return Bbox(west, south, east, north)


def check_zoom(zoom: int) -> int:
    if not 0 <= zoom <= MAX_ZOOM:
        raise BadZoom(maximum=MAX_ZOOM)
    return zoom


def metres_per_pixel(zoom: int, latitude: float) -> float:
    """The ground size of one screen pixel at ``zoom`` (Web Mercator, as Leaflet draws)."""
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(latitude)) / (TILE_PIXELS * 2.0**zoom)


def tolerance_degrees(zoom: int, latitude: float) -> float:
    """How far, in degrees, a simplified outline may stray: a pixel at ``zoom``. A pixel
    spans 360 / (256 * 2^zoom) degrees of longitude and, at ``latitude``, cos(latitude) times
    that of latitude; the smaller keeps both within a pixel."""
    pixel = 360.0 / (TILE_PIXELS * 2.0**zoom)
    return PIXEL_FRACTION * pixel * max(math.cos(math.radians(latitude)), 0.01)
