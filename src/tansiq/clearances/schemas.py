"""API shapes of applications, reviews, decisions and permits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from tansiq.clearances.domain import ApplicationStatus, Decision, ReviewStatus
from tansiq.clearances.reasons import ReasonCode
from tansiq.core.schemas import Name
from tansiq.permits.domain import ConditionKind, PermitStatus


class VehicleKind(StrEnum):
    TRUCK = "truck"
    TANKER = "tanker"
    VAN = "van"
    PICKUP = "pickup"
    CAR = "car"
    BUS = "bus"
    OTHER = "other"


class CargoUnit(StrEnum):
    KG = "kg"
    TONNE = "t"
    LITRE = "l"
    CUBIC_METRE = "m3"
    PIECE = "pcs"
    PALLET = "pallets"
    BOX = "boxes"
    BAG = "bags"
    HEAD = "head"


class VehicleIn(BaseModel):
    plate: str = Field(min_length=1, max_length=40)
    kind: VehicleKind
    vin: str | None = Field(default=None, max_length=40)
    container_number: str | None = Field(default=None, max_length=40)


class DriverIn(BaseModel):
    name_ar: str = Field(default="", max_length=200)
    name_latin: str = Field(default="", max_length=200)
    id_number: str = Field(min_length=3, max_length=40)


class CargoLineIn(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    hs_code: str | None = Field(default=None, max_length=20)
    quantity: float = Field(ge=0.001, le=1e9, allow_inf_nan=False)
    unit: CargoUnit
    gross_mass_kg: float = Field(ge=0.001, le=200_000, allow_inf_nan=False)
    un_number: str | None = Field(default=None, max_length=10)


class ApplicationIn(BaseModel):
    """A new application. The route is a GeoJSON LineString or an ordered list of checkpoint
    codes (the hub joins them); exactly one of the two."""

    client_reference: str = Field(
        min_length=1,
        max_length=100,
        description="Your own reference; sending the same one again returns the same application.",
    )
    vehicle: VehicleIn
    driver: DriverIn
    cargo: list[CargoLineIn] = Field(min_length=1, max_length=200)
    seals: list[str] = Field(default_factory=list, max_length=50)
    origin: str = Field(min_length=1, max_length=200)
    destination: str = Field(min_length=1, max_length=200)
    route: dict[str, Any] | None = None
    checkpoints: list[str] | None = Field(default=None, max_length=50)
    corridor_m: float | None = Field(default=None, allow_inf_nan=False)
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    submit: bool = Field(default=True, description="False keeps it as a draft.")


class AmendmentIn(BaseModel):
    """The parts to change; what is left out stays as it was."""

    expected_version: int = Field(ge=1, description="The version you are amending.")
    vehicle: VehicleIn | None = None
    driver: DriverIn | None = None
    cargo: list[CargoLineIn] | None = Field(default=None, min_length=1, max_length=200)
    seals: list[str] | None = Field(default=None, max_length=50)
    origin: str | None = Field(default=None, min_length=1, max_length=200)
    destination: str | None = Field(default=None, min_length=1, max_length=200)
    route: dict[str, Any] | None = None
    checkpoints: list[str] | None = Field(default=None, max_length=50)
    corridor_m: float | None = Field(default=None, allow_inf_nan=False)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    note: str = Field(default="", max_length=2000)


class ConditionIn(BaseModel):
    kind: ConditionKind
    checkpoints: list[str] = Field(default_factory=list, max_length=50)
    text: str = Field(default="", max_length=1000)


class DecisionIn(BaseModel):
    decision: Decision
    expected_version: int = Field(ge=1, description="The review's lock_version you saw.")
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=20)
    reason_code: ReasonCode | None = None
    note: str = Field(default="", max_length=4000)


class WithdrawIn(BaseModel):
    reason: str = Field(default="", max_length=2000)


class AppealIn(BaseModel):
    review_id: int = Field(ge=1, le=2**31 - 1)
    grounds: str = Field(min_length=1, max_length=4000)


class PermitActionIn(BaseModel):
    reason_code: ReasonCode
    note: str = Field(default="", max_length=4000)


class ReasonOut(BaseModel):
    code: ReasonCode
    label: Name
    note_required: bool


class ReviewOut(BaseModel):
    id: int
    application_id: int
    authority: str
    authority_name: Name
    status: ReviewStatus
    status_label: Name
    round: int
    deadline: datetime
    overdue: bool
    is_appeal: bool
    required_by: dict[str, Any]
    decision: Decision | None
    reason_code: ReasonCode | None
    reason_label: Name | None
    note: str
    conditions: list[dict[str, Any]]
    decided_at: datetime | None
    lock_version: int


class TransitionOut(BaseModel):
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    at: datetime
    actor: str | None
    reason: str


class PermitOut(BaseModel):
    id: int
    application_id: int
    number: str
    version: int
    application_version: int
    status: PermitStatus
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime
    authorities: list[str]
    conditions: list[dict[str, Any]]
    status_reason_code: ReasonCode | None
    status_note: str


class ApplicationOut(BaseModel):
    id: int
    reference: str
    client_reference: str
    applicant: str
    status: ApplicationStatus
    version: int
    contradiction: bool = Field(description="One authority approved what another refused.")
    content: dict[str, Any]
    route: dict[str, Any]
    corridor_m: float
    driver_id_hash: str
    reviews: list[ReviewOut]
    transitions: list[TransitionOut]
    permits: list[PermitOut]
    appeals: list[dict[str, Any]]


class ApplicationSummaryOut(BaseModel):
    id: int
    reference: str
    client_reference: str
    applicant: str
    status: ApplicationStatus
    valid_from: datetime
    valid_until: datetime
    updated_at: datetime
