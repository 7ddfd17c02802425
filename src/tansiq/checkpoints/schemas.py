"""Sync API shapes: scan events pushed by devices."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tansiq.checkpoints.domain import CheckpointReason, DriverCheck, OfficerAction, OverrideReason
from tansiq.clearances.reasons import ReasonCode
from tansiq.verifier.verify import VerdictStatus


class ScanEventIn(BaseModel):
    id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Made by the device (e.g. a UUID); the same id is stored once.",
    )
    scanned_at: AwareDatetime
    permit: str = Field(min_length=1, max_length=40, description="The permit's id (cti).")
    version: int = Field(ge=1, le=10_000)
    verdict: VerdictStatus = Field(description="What the device's offline check said.")
    action: OfficerAction
    reason_code: ReasonCode | CheckpointReason | OverrideReason | None = Field(
        default=None,
        description="A refusal's reason (ReasonCode or the checkpoint's own, e.g. "
        "permit_revoked); an override's OverrideReason (required, with a note).",
    )
    note: str = Field(default="", max_length=2000)
    officer: str = Field(default="", max_length=100)
    data_age_seconds: int | None = Field(
        default=None,
        ge=0,
        description="How old the device's trust and revocation data was when the officer "
        "decided (since the newest signed revocation delta); null when it had none.",
    )
    driver_check: DriverCheck | None = Field(
        default=None,
        description="The driver's ID number the officer typed, checked offline against the "
        "permit's salted hash: match or mismatch; null when none was typed.",
    )

    @model_validator(mode="after")
    def _override_says_why(self) -> Self:
        """An override lets a vehicle through against the verdict: it needs its coded reason
        and a note, and a refusal never carries an override's reason."""
        if self.action is OfficerAction.OVERRIDE:
            if not isinstance(self.reason_code, OverrideReason):
                raise ValueError("an override needs an override reason code")
            if not self.note.strip():
                raise ValueError("an override needs a note")
        elif isinstance(self.reason_code, OverrideReason):
            raise ValueError("an override reason belongs to an override only")
        return self


class ScanBatchIn(BaseModel):
    events: list[ScanEventIn] = Field(max_length=5000)


class RejectedEventOut(BaseModel):
    index: int = Field(description="The event's position in the batch.")
    code: str = Field(description="e.g. `scan.missing`, `scan.time_out_of_range`.")
    message: str
    field: str | None = Field(
        default=None, description="The event's first bad field (e.g. `scanned_at`), if one is."
    )


class ScanBatchOut(BaseModel):
    stored: int = Field(description="New events stored by this batch.")
    duplicates: int = Field(description="Events already stored before (a replay).")
    rejected: list[RejectedEventOut]
    contradictions: int
    clones_suspected: int


class DeviceIn(BaseModel):
    checkpoint: str = Field(min_length=2, max_length=40)
    name: str = Field(min_length=1, max_length=100)


class DeviceOut(BaseModel):
    id: int
    checkpoint: str
    name: str
    token: str | None = Field(default=None, description="Shown once, when registered.")


class ScanOut(BaseModel):
    id: int
    event_id: str = Field(description="The id the device gave the event.")
    device_id: int
    checkpoint: str
    scanned_at: datetime
    received_at: datetime
    permit: str
    version: int
    verdict: str = Field(description="What the device's offline check said.")
    action: OfficerAction
    reason_code: str | None
    note: str
    officer: str
    driver_check: DriverCheck | None = Field(
        default=None, description="The driver's ID number check: match, mismatch or none typed."
    )
    contradiction: bool = Field(description="Refused by an authority that approved the permit.")
    clone_suspected: bool = Field(description="Seen where it could not have travelled in time.")
