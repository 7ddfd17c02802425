"""Scan events and the rules about them: pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Faster than any truck on these roads: two scans of one permit at places further apart than
# this speed allows in the time between them mean two vehicles carry the same permit.
MAX_SPEED_KMH = 90.0


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
    """Great-circle distance (haversine) between two checkpoints."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def impossible_travel(earlier: Sighting, later: Sighting) -> bool:
    """True when one vehicle could not have been at both checkpoints in the time between."""
    if earlier.checkpoint_id == later.checkpoint_id:
        return False
    hours = abs((later.at - earlier.at).total_seconds()) / 3600.0
    return distance_km(earlier, later) > MAX_SPEED_KMH * hours
