"""Geography rules and the shapes of a route resolution: pure values, no storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.core.text import BilingualText

MIN_CORRIDOR_M = 1.0


class CheckpointStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class BaseLayerKind(StrEnum):
    """The layers a deployment draws under its zones so a map can be read: its own, uploaded
    by the hub's admins, never fetched from outside."""

    ROADS = "roads"
    RIVERS = "rivers"
    BUILT_UP = "built_up"
    PLACES = "places"


# The geometry types each base layer holds (rivers as lines, or as areas where they are wide).
BASE_LAYER_TYPES: dict[BaseLayerKind, tuple[str, ...]] = {
    BaseLayerKind.ROADS: ("LineString", "MultiLineString"),
    BaseLayerKind.RIVERS: ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
    BaseLayerKind.BUILT_UP: ("Polygon", "MultiPolygon"),
    BaseLayerKind.PLACES: ("Point",),
}


class BadCorridor(TansiqError):
    code = "route.bad_corridor"
    message = NP_(
        "The corridor width must be between {minimum} and {count} metre.",
        "The corridor width must be between {minimum} and {count} metres.",
    )


class BadValidity(TansiqError):
    code = "zone_map.bad_validity"
    message = N_("A zone map's end of validity must come after its start.")


class ClosedNeedsReason(TansiqError):
    code = "checkpoint.reason_required"
    message = N_("Closing a checkpoint needs a reason.")


def check_corridor(width_m: float, maximum_m: float) -> float:
    if not (MIN_CORRIDOR_M <= width_m <= maximum_m):
        raise BadCorridor(minimum=MIN_CORRIDOR_M, count=maximum_m)
    return width_m


@dataclass(frozen=True)
class ZoneEntry:
    """A zone as the index knows it: who owns it and when its map is in force."""

    zone_id: int
    map_id: int
    authority_id: int
    name: BilingualText
    in_force_from: datetime
    in_force_until: datetime | None

    def in_force_at(self, moment: datetime) -> bool:
        if moment < self.in_force_from:
            return False
        return self.in_force_until is None or moment < self.in_force_until


@dataclass(frozen=True)
class CheckpointEntry:
    checkpoint_id: int
    code: str
    authority_id: int
    name: BilingualText
    status: CheckpointStatus
    lon: float
    lat: float


@dataclass(frozen=True)
class CheckpointOnRoute:
    checkpoint: CheckpointEntry
    distance_along_m: float
    offset_m: float


@dataclass(frozen=True)
class RequiredAuthority:
    """An authority whose decision a route needs, and what made it required."""

    authority_id: int
    first_along_m: float
    zones: tuple[ZoneEntry, ...]
    checkpoints: tuple[CheckpointOnRoute, ...]


@dataclass(frozen=True)
class RouteResolution:
    at: datetime
    corridor_m: float
    route_length_m: float
    epsg: int
    authorities: tuple[RequiredAuthority, ...]
    checkpoints: tuple[CheckpointOnRoute, ...]


def in_force_windows(
    maps: list[tuple[int, int, datetime, datetime | None, datetime]],
) -> dict[int, tuple[datetime, datetime | None]]:
    """When each map is in force, given ``(map_id, authority_id, valid_from, valid_until,
    imported_at)`` for every map: from its start until the next later-starting map of the same
    authority takes over, or its own end, whichever is first. Of two maps with the same start,
    the later import wins and the earlier is never in force."""
    windows: dict[int, tuple[datetime, datetime | None]] = {}
    by_authority: dict[int, list[tuple[datetime, datetime, int, datetime | None]]] = {}
    for map_id, authority_id, start, until, imported in maps:
        by_authority.setdefault(authority_id, []).append((start, imported, map_id, until))
    for entries in by_authority.values():
        entries.sort()
        for position, (start, _imported, map_id, until) in enumerate(entries):
            successor = entries[position + 1][0] if position + 1 < len(entries) else None
            end = _earliest(until, successor)
            if end is not None and end <= start:
                continue
            windows[map_id] = (start, end)
    return windows


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None:
        return second
    if second is None:
        return first
    return min(first, second)
