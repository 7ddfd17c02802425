"""What the ledger records about checkpoint devices and scans, derived from their rows by one
function each: used when the change is recorded, by ``tansiq ledger verify`` to re-derive it
from the live row, and by the back-fill. The sources select only the columns they read.

The scans of one sync are one entry (``scan.synced``, named by the device and the time the hub
received them); a flag on a scan (contradiction, suspected clone) is an entry of its own, named
by the device and the event id the device gave the scan (unique together), so nothing needs
the new rows' ids read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import DeviceRecord, ScanEventRecord
from tansiq.core.clock import ensure_utc
from tansiq.ledger.audit import ExpectedEntry, LedgerSource
from tansiq.ledger.service import NewEntry

CONTRADICTION = "scan.contradiction"
CLONE_SUSPECTED = "scan.clone_suspected"
SCANS = "scan.synced"


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


SCAN_FIELDS = (
    "event_uid",
    "checkpoint_id",
    "scanned_at",
    "permit_ref",
    "permit_version",
    "verdict",
    "action",
    "reason_code",
    "note",
    "officer",
    "data_age_seconds",
    "driver_check",  # only when one was recorded: entries made before it still verify
)


def scan_content(scan: Mapping[str, Any]) -> list[Any]:
    """What a device reported for one scan, as the values of :data:`SCAN_FIELDS` (an array
    hashes far faster than a map, whose keys canonical CBOR must sort); the flags the hub adds
    later are entries of their own."""
    at = scan["scanned_at"]
    return [
        scan["event_uid"],
        scan["checkpoint_id"],
        at.isoformat() if at.tzinfo is UTC else _iso(at),
        scan["permit_ref"],
        scan["permit_version"],
        scan["verdict"],
        str(scan["action"]),
        scan["reason_code"],
        scan["note"],
        scan["officer"],
        scan["data_age_seconds"],
        *([scan["driver_check"]] if scan.get("driver_check") is not None else []),
    ]


def batch_subject(device_id: int, received_at: datetime) -> str:
    return f"scans:{device_id}:{_iso(received_at)}"


def batch_entry(
    device_id: int, received_at: datetime, scans: Iterable[Mapping[str, Any]]
) -> NewEntry:
    """The scans one device delivered in one sync, as one entry: every passage, refusal and
    override with what the officer reported, in event-id order. One entry per sync rather
    than per scan keeps the ledger's share of a sync small; each scan is still bound by the
    entry's digest and checked against its row."""
    contents = sorted((scan_content(scan) for scan in scans), key=lambda c: str(c[0]))
    return NewEntry(
        kind=SCANS,
        subject=batch_subject(device_id, received_at),
        content={
            "device": device_id,
            "received_at": _iso(received_at),
            "fields": list(SCAN_FIELDS),
            "scans": contents,
        },
        at=received_at,
        plain=True,
    )


def flag_entry(kind: str, device_id: int, event_uid: str, at: datetime) -> NewEntry:
    """A scan flagged as a contradiction (an authority refusing a permit it signed) or as a
    suspected clone."""
    subject = scan_subject(device_id, event_uid)
    return NewEntry(
        kind=kind, subject=subject, content={"flag": kind, "scan": subject}, at=at, plain=True
    )


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
    ScanEventRecord.driver_check,
)


def _scans(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    batches: dict[tuple[int, datetime], list[dict[str, Any]]] = {}
    # The ledger back-fill (migration 0013) runs this before later migrations add columns
    # (driver_check, 0018): read only the columns the table has at that point.
    present = {
        column["name"] for column in inspect(session.connection()).get_columns("scan_events")
    }
    columns = [column for column in _SCAN_COLUMNS if column.key in present]
    for row in session.execute(select(*columns)):
        scan = dict(row._mapping)
        batches.setdefault((scan["device_id"], scan["received_at"]), []).append(scan)
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for (device_id, received_at), scans in batches.items():
        entry = batch_entry(device_id, received_at, scans)
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
    LedgerSource("scans", (SCANS,), _scans),
    # States, not histories: two syncs racing may both flag one earlier scan, and a flag
    # recorded twice is still the flag the row shows.
    LedgerSource("contradictions", (CONTRADICTION,), _flags(CONTRADICTION), latest_only=True),
    LedgerSource("suspected clones", (CLONE_SUSPECTED,), _flags(CLONE_SUSPECTED), latest_only=True),
)
