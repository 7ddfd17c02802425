"""Witness reports: a checkpoint device tells the hub that the ledger head it was shown does
not follow from the one it held. Recorded, and told to the hub's administrators and the
municipality, who may read them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.checkpoints.messages import WITNESS_ALARM
from tansiq.checkpoints.models import DeviceRecord, WitnessReportRecord
from tansiq.checkpoints.repository import CheckpointRepository
from tansiq.clearances.notices import municipality_ids
from tansiq.core.clock import Clock
from tansiq.core.wording import in_both_scripts
from tansiq.geo.repository import GeoRepository
from tansiq.notify.service import notify_party
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository


@dataclass(frozen=True)
class WitnessReport:
    """What a device saw: the head it held and the head the hub showed it."""

    code: str
    held_size: int
    held_root: bytes
    seen_size: int
    seen_root: bytes
    seen_kid: str
    seen_at: datetime


def report_witness(
    session: Session, device: DeviceRecord, report: WitnessReport, clock: Clock
) -> WitnessReportRecord:
    """Record a device's report that the hub's ledger head does not follow from the one it
    held, and tell the hub's administrators and the municipality. A device repeats its report
    at every sync while the hub shows it the same head: told once, stored once."""
    repo = CheckpointRepository(session)
    known = repo.witness_report_of(device.id, report.code, report.held_root, report.seen_root)
    if known is not None:
        return known
    checkpoint = GeoRepository(session).checkpoint(device.checkpoint_id)
    assert checkpoint is not None  # noqa: S101 - a device belongs to a checkpoint
    record = WitnessReportRecord(
        device_id=device.id,
        checkpoint_id=device.checkpoint_id,
        code=report.code,
        held_size=report.held_size,
        held_root=report.held_root,
        seen_size=report.seen_size,
        seen_root=report.seen_root,
        seen_kid=report.seen_kid[:16],
        seen_at=report.seen_at,
        reported_at=clock.now(),
    )
    repo.add(record)
    repo.flush()
    parties = PartyRepository(session)
    hubs = [party.id for party in parties.parties(PartyKind.HUB.value)]
    params: dict[str, str | int | float] = {
        "checkpoint": checkpoint.code,
        **in_both_scripts("checkpoint", checkpoint.name_ar, checkpoint.name_en),
        "device": device.name,
        "code": report.code,
        "held": report.held_size,
        "seen": report.seen_size,
    }
    for party_id in {*hubs, *municipality_ids(session)}:
        notify_party(
            session,
            party_id=party_id,
            kind=WITNESS_ALARM.kind,
            title=WITNESS_ALARM.title,
            body=WITNESS_ALARM.body,
            params=params,
            subject=f"witness_report:{record.id}",
            clock=clock,
        )
    return record


def witness_reports(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> list[tuple[WitnessReportRecord, str]]:
    """Witness reports, newest first, with their checkpoint's code: for the hub's
    administrators and the municipality."""
    access.require(can_read_witness_reports(principal))
    codes = {cp.id: cp.code for cp in GeoRepository(session).checkpoints()}
    return [
        (record, codes.get(record.checkpoint_id, ""))
        for record in CheckpointRepository(session).witness_reports(limit=limit, offset=offset)
    ]


def can_read_witness_reports(principal: Principal) -> bool:
    """The hub's administrators, and the municipality, which oversees the record."""
    return access.is_hub_admin(principal) or principal.party_kind is PartyKind.MUNICIPALITY
