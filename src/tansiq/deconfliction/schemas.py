"""API shapes of notifications, acknowledgements, conflicts and receipts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from tansiq.core.schemas import Name
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    ConcernCode,
    NotificationKind,
    NotificationStatus,
    Purpose,
    SiteType,
    VehicleKind,
)
from tansiq.deconfliction.schedule import Frequency


class RepetitionIn(BaseModel):
    """Repeat the window daily, or on the given weekdays (0 Monday … 6 Sunday), up to and
    including the local day ``until`` (at most 30 days from the first)."""

    frequency: Frequency
    until: date
    weekdays: list[int] = Field(default_factory=list, max_length=7)


class MovementIn(BaseModel):
    """A planned movement. The route is a GeoJSON LineString (longitude, latitude) or an
    ordered list of checkpoint codes the hub joins; exactly one of the two."""

    route: dict[str, Any] | None = None
    checkpoints: list[str] | None = Field(default=None, min_length=2, max_length=50)
    corridor_m: float | None = Field(default=None, allow_inf_nan=False)
    start: AwareDatetime
    end: AwareDatetime
    repetition: RepetitionIn | None = None
    vehicles: int = Field(ge=1, le=1000, description="How many vehicles (or people on foot).")
    vehicle_kind: VehicleKind
    markings: str = Field(default="", max_length=500)
    purpose: Purpose
    contact: str = Field(min_length=1, max_length=200)
    emergency: bool = False
    place: str | None = Field(
        default=None,
        max_length=200,
        description="Where the movement starts, by name: checked against the route's start.",
    )
    note: str = Field(default="", max_length=2000)
    confirm_no_zone: bool = Field(
        default=False, description="Share it even though its corridor crosses no zone."
    )
    expected_version: int | None = Field(
        default=None, ge=1, description="On an update: the version you are changing."
    )


class SiteIn(BaseModel):
    """A static site: a GeoJSON Point with a radius, or a Polygon."""

    geometry: dict[str, Any]
    radius_m: float | None = Field(default=None, allow_inf_nan=False)
    site_type: SiteType
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(min_length=1, max_length=200)
    reconfirm_days: int = Field(
        default=30, ge=1, le=365, description="It lapses unless re-confirmed within this."
    )
    emergency: bool = False
    place: str | None = Field(default=None, max_length=200)
    note: str = Field(default="", max_length=2000)
    confirm_no_zone: bool = False
    expected_version: int | None = Field(default=None, ge=1)


class WithdrawIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class AcknowledgeIn(BaseModel):
    """A receipt, never a permission: "received", or "received with concern" with a concern
    from the shared list (and a note, which the concern "other" requires)."""

    version: int = Field(ge=1, le=2**31 - 1, description="The version you acknowledge.")
    answer: AcknowledgementState
    concern: ConcernCode | None = None
    note: str = Field(default="", max_length=2000)


class ShiftIn(BaseModel):
    expected_version: int = Field(ge=1, le=2**31 - 1)


class ReasonOut(BaseModel):
    """Why a party was included: ``zone`` (it owns a zone the corridor or site touches),
    ``checkpoint`` (it operates a checkpoint within the corridor), ``conflict`` (it notified a
    movement or site this one conflicts with)."""

    reason: str
    name: Name | None = None
    zone_id: int | None = None
    checkpoint: str | None = None
    notification: int | None = None
    reference: str | None = None


class AcknowledgementOut(BaseModel):
    party: str
    party_name: Name
    version: int
    reasons: list[ReasonOut]
    state: AcknowledgementState
    deadline: datetime
    overdue: bool
    delivered_at: datetime
    first_read_at: datetime | None
    answered_at: datetime | None
    answered_by: str | None
    concern: ConcernCode | None
    note: str
    reminded_at: datetime | None
    escalated_at: datetime | None


class ConflictOut(BaseModel):
    other: int
    other_reference: str
    other_kind: NotificationKind
    place: dict[str, Any] = Field(description="Where they meet: GeoJSON, longitude/latitude.")
    overlaps: list[list[datetime]] = Field(description="Every [start, end) both count.")


class ShiftOut(BaseModel):
    exists: bool
    minutes: float | None = Field(description="Move every occurrence later by this much.")


class NotificationOut(BaseModel):
    id: int
    reference: str
    kind: NotificationKind
    notifier: str
    notifier_name: Name
    status: NotificationStatus
    version: int
    emergency: bool
    geometry: dict[str, Any]
    width_m: float = Field(description="A movement's corridor width; a point site's radius.")
    start: datetime | None
    end: datetime | None
    occurrences: list[list[datetime]]
    content: dict[str, Any]
    active_until: datetime
    confirmed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    end_note: str
    conflicts: list[ConflictOut]
    shift: ShiftOut | None
    acknowledgements: list[AcknowledgementOut] = Field(
        description="Every party's for the notifier and the hub; only your own otherwise."
    )


class NotificationSummaryOut(BaseModel):
    id: int
    reference: str
    kind: NotificationKind
    notifier: str
    status: NotificationStatus
    version: int
    emergency: bool
    start: datetime | None
    end: datetime | None
    active_until: datetime
    updated_at: datetime


class IncomingOut(BaseModel):
    notification: NotificationSummaryOut
    state: AcknowledgementState
    deadline: datetime
    overdue: bool


class PreviewPartyOut(BaseModel):
    party: str
    party_name: Name
    reasons: list[ReasonOut]


class PreviewOut(BaseModel):
    """What filing would do. Only the parties the public geography makes it reach (zone
    owners, checkpoint operators) are named, and conflicts are only counted: a preview that
    named what it clashes with would let anyone map every site without filing anything."""

    parties: list[PreviewPartyOut]
    conflicts: int
    shift: ShiftOut | None


class SiteReadOut(BaseModel):
    party: str
    user: str
    read_at: datetime
    via: str


class SummaryOut(BaseModel):
    """Counts and timings only, for everyone (observers and the municipality see no more)."""

    active_movements: int
    active_sites: int
    withdrawn: int
    lapsed: int
    acknowledgements_pending: int
    acknowledgements_answered: int
    escalations: int
    median_minutes_to_acknowledge: float | None
