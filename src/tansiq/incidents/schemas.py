"""API shapes of incidents, their verdicts, advisories, co-signatures, watches and impacts.

No shape carries a person: the reporting party is named, never its user; free text is checked
for phone numbers, ID numbers and e-mail addresses before anything is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from tansiq.core.schemas import Name
from tansiq.incidents.domain import (
    AdvisoryKind,
    AdvisoryStatus,
    Confidence,
    EventType,
    IncidentStatus,
    LocationPrecision,
    Severity,
    SubType,
    TimePrecision,
    Verdict,
    Verification,
)

MAX_DESCRIPTION = 2000
MAX_NOTE = 1000


class IncidentIn(BaseModel):
    """What happened: type and sub-type from the one list, when (with how precisely), where
    (a GeoJSON Point, LineString or Polygon, with how precisely), how sure and how bad.
    ``relevant_until`` is when it stops mattering for movement (default: the hub's
    ``incident_relevance_hours`` after ``occurred_at``)."""

    event_type: EventType
    sub_type: SubType
    occurred_at: AwareDatetime
    time_precision: TimePrecision = TimePrecision.MINUTE
    relevant_until: AwareDatetime | None = None
    location: dict[str, Any]
    location_precision: LocationPrecision = LocationPrecision.EXACT
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    confidence: Confidence = Confidence.PROBABLE
    severity: Severity = Severity.MODERATE


class VerdictIn(BaseModel):
    note: str = Field(default="", max_length=MAX_NOTE)


class AdvisoryIn(BaseModel):
    """A road closed (``geometry``: the stretch as a LineString), a checkpoint closed
    (``checkpoint``: its code; the checkpoint is closed with it and opens when it ends) or an
    area unsafe (``geometry``: a Polygon), for ``[valid_from, valid_until)``."""

    kind: AdvisoryKind
    geometry: dict[str, Any] | None = None
    checkpoint: str | None = Field(default=None, max_length=40)
    valid_from: AwareDatetime | None = Field(default=None, description="Default: now.")
    valid_until: AwareDatetime
    severity: Severity = Severity.SEVERE
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    incident: int | None = Field(default=None, ge=1, description="The incident it follows.")


class WindowIn(BaseModel):
    valid_until: AwareDatetime


class WithdrawIn(BaseModel):
    note: str = Field(default="", max_length=MAX_NOTE)


class WatchIn(BaseModel):
    """An area (Polygon) or a route (LineString, with ``reach_m`` either side) to watch."""

    name: str = Field(min_length=1, max_length=200)
    geometry: dict[str, Any]
    reach_m: float = Field(default=500.0, ge=0, le=20_000, allow_inf_nan=False)


class VerdictOut(BaseModel):
    party: Name
    verdict: Verdict
    note: str
    at: datetime


class IncidentOut(BaseModel):
    id: int
    reference: str
    event_type: EventType
    event_type_label: str
    sub_type: SubType
    sub_type_label: str
    occurred_at: datetime
    time_precision: TimePrecision
    relevant_until: datetime
    location: dict[str, Any]
    location_precision: LocationPrecision
    description: str
    confidence: Confidence
    severity: Severity
    verification: Verification
    status: IncidentStatus
    reporting_party: Name
    verdicts: list[VerdictOut]
    created_at: datetime


class CosignOut(BaseModel):
    party: Name
    at: datetime


class AdvisoryOut(BaseModel):
    id: int
    reference: str
    kind: AdvisoryKind
    kind_label: str
    checkpoint: str | None
    geometry: dict[str, Any]
    valid_from: datetime
    valid_until: datetime
    severity: Severity
    description: str
    status: AdvisoryStatus
    issuing_party: Name
    cosigned_by: list[CosignOut]
    incident: int | None
    created_at: datetime
    ended_at: datetime | None
    end_note: str


class WatchOut(BaseModel):
    id: int
    name: str
    geometry: dict[str, Any]
    reach_m: float
    active: bool
    created_at: datetime


class ImpactOut(BaseModel):
    """One incident or advisory touching one of your permits, movements or watches."""

    hazard: str = Field(description='"incident:12" or "advisory:3".')
    hazard_kind: str
    hazard_id: int
    target_kind: str
    target_id: int
    subject_id: int
    distance_m: float
    route_affected: bool
    found_at: datetime
    cleared_at: datetime | None
