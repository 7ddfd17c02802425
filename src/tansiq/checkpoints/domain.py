"""Scan events and the rules about them: pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pyproj import Geod

from tansiq.core.i18n import N_

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
    # Let through although the verdict was not "valid": never the main action, always with an
    # OverrideReason and a note, counted apart from passages.
    OVERRIDE = "override"


class DriverCheck(StrEnum):
    """What the officer's check of the driver's ID number against the permit's salted hash
    said (none recorded when no number was typed)."""

    MATCH = "match"
    MISMATCH = "mismatch"


class OverrideReason(StrEnum):
    """Why an officer let a vehicle through against the verdict: a short fixed list, so the
    figures can count them; the note says the rest."""

    SUPERVISOR_ORDER = "supervisor_order"
    CONFIRMED_WITH_HUB = "confirmed_with_hub"
    HUMANITARIAN_EMERGENCY = "humanitarian_emergency"
    OTHER_OVERRIDE = "other_override"


OVERRIDE_REASON_LABELS: dict[OverrideReason, str] = {
    OverrideReason.SUPERVISOR_ORDER: N_("Ordered by the supervisor on duty"),
    OverrideReason.CONFIRMED_WITH_HUB: N_(
        "Confirmed valid with the issuing authority by phone or radio"
    ),
    OverrideReason.HUMANITARIAN_EMERGENCY: N_("Medical or humanitarian emergency"),
    OverrideReason.OTHER_OVERRIDE: N_("Another reason (say which in the note)"),
}


class CheckpointReason(StrEnum):
    """Refusal reasons a checkpoint's own check gives, one per failing verdict or condition;
    the app pre-chooses one from the verdict (refusals may also use the shared ReasonCode)."""

    PERMIT_REVOKED = "permit_revoked"
    PERMIT_SUSPENDED = "permit_suspended"
    PERMIT_EXPIRED = "permit_expired"
    PERMIT_NOT_YET_VALID = "permit_not_yet_valid"
    OFF_ROUTE = "off_route"
    NOT_AUTHENTIC = "not_authentic"
    UNREADABLE = "unreadable"
    CONDITION_DAYLIGHT = "condition_daylight"
    CONDITION_VIA = "condition_via"
    CONDITION_ESCORT = "condition_escort"


CHECKPOINT_REASON_LABELS: dict[CheckpointReason, str] = {
    CheckpointReason.PERMIT_REVOKED: N_("Permit revoked"),
    CheckpointReason.PERMIT_SUSPENDED: N_("Permit suspended"),
    CheckpointReason.PERMIT_EXPIRED: N_("Permit expired"),
    CheckpointReason.PERMIT_NOT_YET_VALID: N_("Permit not yet valid"),
    CheckpointReason.OFF_ROUTE: N_("This checkpoint is not on the permit's route"),
    CheckpointReason.NOT_AUTHENTIC: N_("Signatures do not check out"),
    CheckpointReason.UNREADABLE: N_("Permit code unreadable"),
    CheckpointReason.CONDITION_DAYLIGHT: N_("Condition not met: daylight hours only"),
    CheckpointReason.CONDITION_VIA: N_("Condition not met: not via this checkpoint"),
    CheckpointReason.CONDITION_ESCORT: N_("Condition not met: no escort"),
}

# The reason pre-chosen for a refusal, by verdict status (verifier/verify.py VerdictStatus
# values; the app's app.js REFUSAL_FOR mirrors it).
REFUSAL_FOR_VERDICT: dict[str, CheckpointReason] = {
    "malformed": CheckpointReason.UNREADABLE,
    "forged": CheckpointReason.NOT_AUTHENTIC,
    "unknown_key": CheckpointReason.NOT_AUTHENTIC,
    "missing_signature": CheckpointReason.NOT_AUTHENTIC,
    "revoked": CheckpointReason.PERMIT_REVOKED,
    "suspended": CheckpointReason.PERMIT_SUSPENDED,
    "expired": CheckpointReason.PERMIT_EXPIRED,
    "not_yet_valid": CheckpointReason.PERMIT_NOT_YET_VALID,
    "off_route": CheckpointReason.OFF_ROUTE,
    "condition_daylight": CheckpointReason.CONDITION_DAYLIGHT,
    "condition_via": CheckpointReason.CONDITION_VIA,
    "condition_escort": CheckpointReason.CONDITION_ESCORT,
}


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
    return too_fast(distance_km(earlier, later), earlier.at, later.at)


def too_fast(km: float, earlier: datetime, later: datetime) -> bool:
    """True when ``km`` cannot be covered between these two times."""
    hours = abs((later - earlier).total_seconds()) / 3600.0
    return km > MAX_SPEED_KMH * hours
