"""What the ledger records about checkpoint devices and scans, derived from their rows by one
function each: used when the change is recorded, by ``tansiq ledger verify`` to re-derive it
from the live row, and by the back-fill. The sources select only the columns they read.

A scan is named by its device and the event id the device gave it (unique together), so the
entries of a sync are written in one statement without reading the new rows' ids back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import DeviceRecord, ScanEventRecord
from tansiq.core.clock import ensure_utc
from tansiq.ledger.audit import ExpectedEntry, LedgerSource
from tansiq.ledger.service import NewEntry

CONTRADICTION = "scan.contradiction"
CLONE_SUSPECTED = "scan.clone_suspected"
_SCAN_KINDS = ("scan.passage", "scan.refusal", "scan.override", "scan.none")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else ensure_utc(moment).isoformat()


def device_content(device: Any) -> dict[str, Any]:
    """A device's enrolment and standing (its token only as the hash the hub keeps)."""
    return {
        "checkpoint": device.checkpoint_id,
        "name": device.name,
        "token_hash": device.token_hash,
        "created_by": device.created_by,
        "created_at": _iso(device.created_at),
        "revoked_at": _iso(device.revoked_at),
    }


def device_entry(device: Any) -> NewEntry:
    revoked = device.revoked_at is not None
    return NewEntry(
        kind="device.revoked" if revoked else "device.enrolled",
        subject=f"device:{device.id}",
        content=device_content(device),
        at=device.revoked_at if revoked else device.created_at,
    )


def scan_subject(device_id: int, event_uid: str) -> str:
    return f"scan:{device_id}:{event_uid}"


def scan_content(scan: Mapping[str, Any]) -> dict[str, Any]:
    """What a device reported for one scan (the flags the hub adds later are entries of
    their own)."""
    return {
        "event": scan["event_uid"],
        "device": scan["device_id"],
        "checkpoint": scan["checkpoint_id"],
        "scanned_at": _iso(scan["scanned_at"]),
        "received_at": _iso(scan["received_at"]),
        "permit": scan["permit_ref"],
        "version": scan["permit_version"],
        "verdict": scan["verdict"],
        "action": str(scan["action"]),
        "reason_code": scan["reason_code"],
        "note": scan["note"],
        "officer": scan["officer"],
        "data_age_seconds": scan["data_age_seconds"],
    }


def scan_entry(scan: Mapping[str, Any]) -> NewEntry:
    return NewEntry(
        kind=f"scan.{scan['action']}",
        subject=scan_subject(scan["device_id"], scan["event_uid"]),
        content=scan_content(scan),
        at=scan["received_at"],
    )


def flag_entry(kind: str, device_id: int, event_uid: str, at: datetime) -> NewEntry:
    """A scan flagged as a contradiction (an authority refusing a permit it signed) or as a
    suspected clone."""
    subject = scan_subject(device_id, event_uid)
    return NewEntry(kind=kind, subject=subject, content={"flag": kind, "scan": subject}, at=at)


def _devices(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            DeviceRecord.id,
            DeviceRecord.checkpoint_id,
            DeviceRecord.name,
            DeviceRecord.token_hash,
            DeviceRecord.created_by,
            DeviceRecord.created_at,
            DeviceRecord.revoked_at,
        )
    ):
        entry = device_entry(row)
        found[entry.subject] = [ExpectedEntry(entry.kind, entry.at, entry.content)]
    return found


_SCAN_COLUMNS = (
    ScanEventRecord.event_uid,
    ScanEventRecord.device_id,
    ScanEventRecord.checkpoint_id,
    ScanEventRecord.scanned_at,
    ScanEventRecord.received_at,
    ScanEventRecord.permit_ref,
    ScanEventRecord.permit_version,
    ScanEventRecord.verdict,
    ScanEventRecord.action,
    ScanEventRecord.reason_code,
    ScanEventRecord.note,
    ScanEventRecord.officer,
    ScanEventRecord.data_age_seconds,
)


def _scans(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for row in session.execute(select(*_SCAN_COLUMNS)):
        entry = scan_entry(dict(row._mapping))
        found[entry.subject] = [ExpectedEntry(entry.kind, entry.at, entry.content)]
    return found


def _flags(kind: str) -> Any:
    column = (
        ScanEventRecord.contradiction if kind == CONTRADICTION else ScanEventRecord.clone_suspected
    )

    def expected(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
        found: dict[str, Sequence[ExpectedEntry]] = {}
        for device_id, uid, at in session.execute(
            select(
                ScanEventRecord.device_id, ScanEventRecord.event_uid, ScanEventRecord.received_at
            ).where(column.is_(True))
        ):
            entry = flag_entry(kind, device_id, uid, at)
            found[entry.subject] = [ExpectedEntry(entry.kind, entry.at, entry.content)]
        return found

    return expected


SOURCES = (
    LedgerSource("devices", ("device.",), _devices, latest_only=True),
    LedgerSource("scans", _SCAN_KINDS, _scans),
    LedgerSource("contradictions", (CONTRADICTION,), _flags(CONTRADICTION)),
    LedgerSource("suspected clones", (CLONE_SUSPECTED,), _flags(CLONE_SUSPECTED)),
)
