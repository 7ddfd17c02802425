"""Scan events and the rules about them: pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pyproj import Geod

# Faster than any truck on these roads: two scans of one permit at places further apart than
# this speed allows in the time between them mean two vehicles carry the same permit.
MAX_SPEED_KMH = 90.0

# The WGS84 ellipsoid, as GPS and GeoJSON coordinates use it; geodesics on it are exact to
# nanometres, where a sphere is off by up to 0.5%.
WGS84 = Geod(ellps="WGS84")


class OfficerAction(StrEnum):
    PASSAGE = "passage"
    REFUSAL = "refusal"
    NONE = "none"  # scanned, nothing done yet (e.g. only checked)


@dataclass(frozen=True)
class Sighting:
    """One scan of a permit, as clone detection sees it."""

    checkpoint_id: int
    at: datetime
    lon: float
    lat: float


def distance_km(a: Sighting, b: Sighting) -> float:
    """Geodesic distance on the WGS84 ellipsoid between two checkpoints."""
    _forward, _back, metres = WGS84.inv(a.lon, a.lat, b.lon, b.lat)
    return float(metres) / 1000.0


def impossible_travel(earlier: Sighting, later: Sighting) -> bool:
    """True when one vehicle could not have been at both checkpoints in the time between."""
    if earlier.checkpoint_id == later.checkpoint_id:
        return False
    hours = abs((later.at - earlier.at).total_seconds()) / 3600.0
    return distance_km(earlier, later) > MAX_SPEED_KMH * hours
