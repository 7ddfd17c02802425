"""Checkpoint devices and the scan events they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.checkpoints.domain import OfficerAction
from tansiq.db.base import Base
from tansiq.db.types import StrEnumType


class DeviceRecord(Base):
    """A phone or terminal registered to one checkpoint, with its own secret token."""

    __tablename__ = "checkpoint_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]


class ScanEventRecord(Base):
    """What an officer did with a scanned permit. ``event_uid`` is made by the device, so a
    batch sent twice stores each event once."""

    __tablename__ = "scan_events"
    # Ids are made by each device: unique per device, so no device can shadow another's (the
    # constraint's index also serves every look by device). The sightings index answers the
    # look for clones (a permit's scans in a time window) from the index alone; the figures'
    # index (accountability/models.py) leads with ``scanned_at`` and serves every look by time.
    __table_args__ = (
        UniqueConstraint("device_id", "event_uid"),
        Index(
            "ix_scan_events_sightings",
            "permit_ref",
            "scanned_at",
            "checkpoint_id",
            "device_id",
            "event_uid",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_uid: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_devices.id"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    scanned_at: Mapped[datetime]
    received_at: Mapped[datetime]
    permit_ref: Mapped[str] = mapped_column(String(40))
    permit_version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(30))
    action: Mapped[OfficerAction] = mapped_column(StrEnumType(OfficerAction, 20))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    officer: Mapped[str] = mapped_column(String(100), default="")
    # How old the device's data was when the officer decided (None: it had none, or an older
    # device that did not say).
    data_age_seconds: Mapped[int | None] = mapped_column(Integer)
    # The driver's ID number checked against the permit (None: no number was typed).
    driver_check: Mapped[str | None] = mapped_column(String(10))
    contradiction: Mapped[bool] = mapped_column(Boolean, default=False)
    clone_suspected: Mapped[bool] = mapped_column(Boolean, default=False)


class WitnessReportRecord(Base):
    """A device's report that the ledger head the hub showed it does not follow from the one it
    held: a bad signature, or a history that is not an extension of what it saw before."""

    __tablename__ = "witness_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_devices.id"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    held_size: Mapped[int] = mapped_column(BigInteger)
    held_root: Mapped[bytes] = mapped_column(LargeBinary)
    seen_size: Mapped[int] = mapped_column(BigInteger)
    seen_root: Mapped[bytes] = mapped_column(LargeBinary)
    seen_kid: Mapped[str] = mapped_column(String(16), default="")
    seen_at: Mapped[datetime] = mapped_column(index=True)
    reported_at: Mapped[datetime] = mapped_column(index=True)
