"""Metres, not degrees: project WGS84 geometries into a UTM zone with cached transformers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = 4326


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS84 UTM zone containing ``lon``, ``lat`` (e.g. 32637 for 37N)."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@lru_cache(maxsize=16)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(WGS84, epsg, always_xy=True)


def _forward(epsg: int) -> Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    transformer = _transformer(epsg)

    def forward(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    return forward


def project(geometry: BaseGeometry, epsg: int) -> BaseGeometry:
    """``geometry`` (longitude, latitude) in the metric CRS ``epsg``."""
    result: BaseGeometry = shapely.transform(geometry, _forward(epsg))
    return result


def project_many(geometries: npt.NDArray[np.object_], epsg: int) -> npt.NDArray[np.object_]:
    """Project an array of geometries at once (one pass through pyproj)."""
    result: npt.NDArray[np.object_] = shapely.transform(geometries, _forward(epsg))
    return result
