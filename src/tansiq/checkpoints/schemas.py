"""Sync API shapes: scan events pushed by devices."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from tansiq.checkpoints.domain import OfficerAction
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
    reason_code: ReasonCode | None = None
    note: str = Field(default="", max_length=2000)
    officer: str = Field(default="", max_length=100)


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
    contradiction: bool = Field(description="Refused by an authority that approved the permit.")
    clone_suspected: bool = Field(description="Seen where it could not have travelled in time.")
