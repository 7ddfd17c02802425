"""Devices and scan events: register a device, authenticate it, ingest what it reports.

Ingestion is idempotent by the device-made event id (``INSERT … ON CONFLICT DO NOTHING``), so a
replayed batch, a batch cut mid-way and sent again, or a hub restart mid-batch stores each event
exactly once. Then, over the new events only: a refusal of a permit that the refusing
checkpoint's own authority signed is a contradiction; two scans of one permit further apart than
a vehicle can travel in the time between are a suspected clone.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tansiq.checkpoints.clones import flag_clones, tally_flags
from tansiq.checkpoints.domain import CHECKPOINT_REASON_LABELS, CheckpointReason, OfficerAction
from tansiq.checkpoints.ledger_facts import CONTRADICTION as LEDGER_CONTRADICTION
from tansiq.checkpoints.ledger_facts import batch_entry, device_entry, flag_entry
from tansiq.checkpoints.messages import CONTRADICTION, CONTRADICTION_SEEN
from tansiq.checkpoints.models import DeviceRecord
from tansiq.checkpoints.repository import CheckpointRepository
from tansiq.checkpoints.schemas import ScanEventIn
from tansiq.clearances.notices import municipality_ids, party_name
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.core.clock import Clock
from tansiq.core.errors import NotFound, Unauthenticated
from tansiq.core.i18n import N_, Locale, translate
from tansiq.core.text import name_in, normalise_text
from tansiq.db.unit_of_work import record_after
from tansiq.geo.models import CheckpointRecord
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import CheckpointNotFound
from tansiq.ledger.models import LedgerHeadRecord
from tansiq.ledger.repository import LedgerRepository
from tansiq.ledger.service import prove_consistency, record_entries
from tansiq.notify.service import notify_party
from tansiq.parties import access
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import hash_token
from tansiq.permits.claims import claims_from_cbor
from tansiq.permits.domain import reference_of_cti
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import governance_public_keys, record_heartbeat
from tansiq.permits.trust import revocations_file
from tansiq.tallies.domain import Tally
from tansiq.tallies.repository import Key
from tansiq.tallies.service import key, tally

DEVICE_TOKEN_PREFIX = "tqd_"  # noqa: S105 - a public marker, not a secret


class DeviceNotFound(NotFound):
    code = "device.not_found"
    message = N_("No device {device}.")


class DeviceNotValid(Unauthenticated):
    code = "device.bad_token"
    message = N_("The device token is unknown or revoked.")


@dataclass(frozen=True)
class NewDevice:
    record: DeviceRecord
    token: str


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    contradictions: int = 0
    clones: int = 0
    stored_uids: set[str] = field(default_factory=set)


def register_device(
    session: Session, principal: Principal, *, checkpoint: str, name: str, clock: Clock
) -> NewDevice:
    """A new device for ``checkpoint``; its token is returned once and stored hashed."""
    record = GeoRepository(session).checkpoint_by_code(checkpoint)
    if record is None:
        raise CheckpointNotFound(checkpoint=checkpoint[:40])
    access.require(access.can_manage_geography(principal, record.authority_id))
    token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = DeviceRecord(
        checkpoint_id=record.id,
        name=normalise_text(name)[:100] or "device",
        token_hash=hash_token(token),
        created_at=clock.now(),
        created_by=principal.user_id,
    )
    repo = CheckpointRepository(session)
    repo.add(device)
    repo.flush()
    record_entries(session, [device_entry(device)])
    return NewDevice(device, token)


def managed_device(session: Session, principal: Principal, device_id: int) -> DeviceRecord:
    """A device at a checkpoint of an authority ``principal`` manages; else not found, or
    refused."""
    device = CheckpointRepository(session).device(device_id)
    checkpoint = None if device is None else GeoRepository(session).checkpoint(device.checkpoint_id)
    if device is None or checkpoint is None:
        raise DeviceNotFound(device=device_id)
    access.require(access.can_manage_geography(principal, checkpoint.authority_id))
    return device


def devices_by_checkpoint(
    session: Session, checkpoint_ids: Collection[int]
) -> dict[int, list[DeviceRecord]]:
    """The devices of many checkpoints, by checkpoint, in one query."""
    found: dict[int, list[DeviceRecord]] = {}
    for device in CheckpointRepository(session).devices_of(checkpoint_ids):
        found.setdefault(device.checkpoint_id, []).append(device)
    return found


def revoke_device(
    session: Session, principal: Principal, device_id: int, clock: Clock
) -> DeviceRecord:
    """A lost or stolen device: its token stops working at once."""
    device = managed_device(session, principal, device_id)
    if device.revoked_at is None:
        device.revoked_at = clock.now()
        record_entries(session, [device_entry(device)])
    return device


def device_for_token(session: Session, token: str, clock: Clock) -> DeviceRecord:
    device = CheckpointRepository(session).device_by_token_hash(hash_token(token))
    if device is None or device.revoked_at is not None:
        raise DeviceNotValid
    now = clock.now()
    if device.last_sync_at is None or device.last_sync_at <= now - LAST_SYNC_PRECISION:
        _note_sync_later(session, device.id, now)
    return device


# "Last sync" is kept to within five minutes, written after the request's own work: a pull
# stays a read, and a device syncing constantly costs one short write every five minutes.
LAST_SYNC_PRECISION = timedelta(minutes=5)


def _note_sync_later(session: Session, device_id: int, now: datetime) -> None:
    def note(later: Session) -> None:
        CheckpointRepository(later).note_device_sync(device_id, now, now - LAST_SYNC_PRECISION)

    record_after(session, note)


MAX_EVENT_AGE = timedelta(days=400)
MAX_CLOCK_SKEW = timedelta(hours=1)


def plausible_time(scanned_at: datetime, now: datetime) -> bool:
    """A device clock may be a little fast, and a device may be offline for months, but a
    scan from the future or from years ago is a broken clock (or an attempt to fake a clone)."""
    try:
        moment = scanned_at.astimezone(now.tzinfo)
    except (OverflowError, ValueError):
        return False
    return now - MAX_EVENT_AGE <= moment <= now + MAX_CLOCK_SKEW


def ingest_events(
    session: Session, device: DeviceRecord, events: list[ScanEventIn], clock: Clock
) -> IngestResult:
    """Store each new event once; flag contradictions and suspected clones among them."""
    now = clock.now()
    rows: list[dict[str, Any]] = [
        {
            "event_uid": event.id,
            "device_id": device.id,
            "checkpoint_id": device.checkpoint_id,
            "scanned_at": event.scanned_at,
            "received_at": now,
            "permit_ref": normalise_text(event.permit)[:40],
            "permit_version": event.version,
            "verdict": event.verdict.value,
            "action": event.action.value,
            "reason_code": None if event.reason_code is None else event.reason_code.value,
            "note": normalise_text(event.note),
            "officer": normalise_text(event.officer)[:100],
            "data_age_seconds": event.data_age_seconds,
            "driver_check": None if event.driver_check is None else event.driver_check.value,
            "contradiction": False,
            "clone_suspected": False,
        }
        for event in events
    ]
    # One row per id even inside a batch: the first wins, as it would across batches.
    unique = list({row["event_uid"]: row for row in reversed(rows)}.values())[::-1]
    repo = CheckpointRepository(session)
    inserted = repo.insert_events(unique)
    result = IngestResult(
        stored=len(inserted), duplicates=len(rows) - len(inserted), stored_uids=inserted
    )
    new_rows = [row for row in unique if row["event_uid"] in inserted]
    if new_rows:
        record_entries(session, [batch_entry(device.id, now, new_rows)])
    counts: Counter[Key] = Counter()
    result.contradictions = _flag_contradictions(session, device, new_rows, clock, counts)
    result.clones = flag_clones(session, new_rows, clock, counts)
    for row in new_rows:
        figure = TALLIED.get(row["action"])
        if figure is not None:
            at, reason = row["scanned_at"], row["reason_code"]
            counts[key(figure, at, checkpoint=row["checkpoint_id"], reason=reason)] += 1
    tally(session, counts)
    if new_rows and session.get_bind().dialect.name == "postgresql":
        # Under read committed, two devices pushing scans of one permit at once each miss the
        # other's scan. Looked at again once this push is stored, the later of the two sees
        # both (SQLite runs one writer at a time, so the first look was already complete).

        def look_again(later: Session) -> None:
            found: Counter[Key] = Counter()
            flag_clones(later, new_rows, clock, found)
            tally(later, found)

        record_after(session, look_again)
    return result


# What each officer's action counts as in the figures ("none" counts nothing).
TALLIED = {
    OfficerAction.PASSAGE: Tally.PASSAGES,
    OfficerAction.REFUSAL: Tally.REFUSALS,
    OfficerAction.OVERRIDE: Tally.OVERRIDES,
}


def _flag_contradictions(
    session: Session,
    device: DeviceRecord,
    rows: list[dict[str, Any]],
    clock: Clock,
    counts: Counter[Key],
) -> int:
    refusals = [row for row in rows if row["action"] == OfficerAction.REFUSAL]
    if not refusals:
        return 0
    checkpoint = GeoRepository(session).checkpoint(device.checkpoint_id)
    assert checkpoint is not None  # noqa: S101 - a device belongs to a checkpoint
    repo = PermitRepository(session)
    permits: dict[tuple[str, int], PermitRecord | None] = {}
    flagged: set[str] = set()
    first: dict[tuple[str, int], tuple[dict[str, Any], PermitRecord]] = {}
    for row in refusals:
        key = (row["permit_ref"], row["permit_version"])
        if key not in permits:
            permits[key] = _permit(repo, *key)
        permit = permits[key]
        if permit is None or checkpoint.authority_id not in permit.authority_ids:
            continue
        flagged.add(row["event_uid"])
        first.setdefault(key, (row, permit))
    # One notice per permit and batch, however many times it was refused: the refusing
    # authority hears it as its own, the municipality as an overseer (naming who refused).
    told = [(checkpoint.authority_id, CONTRADICTION)]
    told += [(party_id, CONTRADICTION_SEEN) for party_id in municipality_ids(session)]
    for (ref, version), (row, permit) in first.items():
        params = {
            "checkpoint": checkpoint.code,
            "permit": f"{ref}-{version}",
            "at": row["scanned_at"].isoformat(),
            "reason_code": row["reason_code"] or "-",
            "note": row["note"] or "-",
            "authority": party_name(session, checkpoint.authority_id),
            **_in_both_languages(session, checkpoint, row),
        }
        for party_id, notice in told:
            notify_party(
                session,
                party_id=party_id,
                kind=notice.kind,
                title=notice.title,
                body=notice.body,
                params=params,
                subject=f"application:{permit.reference}",
                clock=clock,
            )
    marked = CheckpointRepository(session).mark(device.id, flagged, contradiction=True)
    tally_flags(counts, Tally.CONTRADICTIONS, ((e.scanned_at, e.checkpoint_id) for e in marked))
    now = clock.now()
    uids = sorted(e.event_uid for e in marked)
    record_entries(session, [flag_entry(LEDGER_CONTRADICTION, device.id, uid, now) for uid in uids])
    return len(flagged)


def _in_both_languages(
    session: Session, checkpoint: CheckpointRecord, row: dict[str, Any]
) -> dict[str, str]:
    """Names and the reason in each reader's language (``{authority}`` is filled with
    ``authority_ar`` for an Arabic reader), and the time without ISO's "T"."""
    party = PartyRepository(session).party(checkpoint.authority_id)
    code = row["reason_code"] or ""
    reason = (
        CHECKPOINT_REASON_LABELS[CheckpointReason(code)]
        if code in {c.value for c in CheckpointReason}
        else REASON_LABELS[ReasonCode(code)]
        if code in {c.value for c in ReasonCode}
        else "-"
    )
    shown: dict[str, str] = {}
    for locale in Locale:
        side = locale.value
        shown[f"authority_{side}"] = (
            "" if party is None else name_in(locale, party.name_ar, party.name_en)
        )
        shown[f"checkpoint_{side}"] = name_in(locale, checkpoint.name_ar, checkpoint.name_en)
        shown[f"reason_{side}"] = translate(reason, locale)
    return shown


def _permit(repo: PermitRepository, ref: str, version: int) -> PermitRecord | None:
    reference = reference_of_cti(ref)
    if reference is None:
        return None
    for permit in repo.permits(reference):
        if permit.version == version:
            return permit
    return None


@dataclass(frozen=True)
class ExpectedPermit:
    cti: str
    version: int
    number: str
    token: str
    valid_until: datetime


@dataclass(frozen=True)
class LedgerView:
    """The latest signed tree head, and the proof that the head the device holds (of
    ``held_size`` entries) is a prefix of it; no proof when the device holds none, holds this
    very size, or claims more entries than the head has (which it must then report)."""

    head: LedgerHeadRecord
    held_size: int | None
    consistency: list[bytes] | None


@dataclass(frozen=True)
class PullData:
    """What a device keeps for working offline."""

    trust_list: bytes | None
    trust_seq: int
    governance_keys: list[bytes]
    revocations: bytes
    revocation_seq: int
    expected: list[ExpectedPermit]
    authority: str
    governance_chain: list[bytes] = field(default_factory=list)
    ledger: LedgerView | None = None


HEARTBEAT = timedelta(hours=1)


def _heartbeat_if_due(session: Session, secret: str, clock: Clock) -> None:
    """The heartbeat, unless another request has written a delta in the last hour."""
    last = PermitRepository(session).deltas_since(
        max(PermitRepository(session).last_revocation_seq() - 1, 0)
    )
    if last and clock.now() - last[-1].issued_at > HEARTBEAT:
        record_heartbeat(session, secret=secret, clock=clock)


def pull(
    session: Session,
    device: DeviceRecord,
    *,
    revocations_since: int,
    secret: str | None,
    clock: Clock,
    snapshots: bool = False,
    head_size: int | None = None,
) -> PullData:
    """The latest trust list, the revocation deltas after ``revocations_since`` and the
    active permits whose route passes this device's checkpoint. When the last delta is more
    than an hour old a signed empty one is added, so a device can prove its data is fresh.

    A device that reads ``snapshots`` and is behind the latest revocation snapshot gets that
    snapshot and the deltas after it instead. Every pull carries the governance key's chain of
    announcements and the latest signed ledger head, with the consistency proof from the
    head of ``head_size`` entries the device holds."""
    permits = PermitRepository(session)
    latest = permits.deltas_since(max(permits.last_revocation_seq() - 1, 0))
    if secret is not None and latest and clock.now() - latest[-1].issued_at > HEARTBEAT:
        # A pull is a read: the heartbeat is written after it, in a short unit of its own, and
        # reaches the devices with their next pull.
        record_after(session, lambda later: _heartbeat_if_due(later, secret, clock))
    trust = permits.latest_trust_list()
    checkpoint = GeoRepository(session).checkpoint(device.checkpoint_id)
    assert checkpoint is not None  # noqa: S101 - a device belongs to a checkpoint
    expected = []
    now = clock.now()
    active = permits.active_permits(now)
    for token in permits.tokens_of([p.id for p in active]):
        if token.token is None:
            continue
        claims = claims_from_cbor(token.payload)
        if checkpoint.code in claims.checkpoints:
            expected.append(
                ExpectedPermit(
                    cti=token.cti,
                    version=token.version,
                    number=f"{token.cti}-{token.version}",
                    token=token.token,
                    valid_until=claims.exp,
                )
            )
    snapshot = permits.latest_snapshot() if snapshots else None
    lead: list[bytes] = []
    if snapshot is not None and revocations_since < snapshot.seq:
        lead, revocations_since = [snapshot.body], snapshot.seq
    deltas = permits.deltas_since(revocations_since)
    authority = PartyRepository(session).party(checkpoint.authority_id)
    return PullData(
        trust_list=None if trust is None else trust.body,
        trust_seq=0 if trust is None else trust.seq,
        governance_keys=governance_public_keys(session),
        revocations=revocations_file([*lead, *(d.body for d in deltas)]),
        # The cursor is what was sent, read in the same query: a delta committed meanwhile
        # comes with the next pull instead of being skipped.
        revocation_seq=deltas[-1].seq if deltas else revocations_since,
        expected=expected,
        authority="" if authority is None else authority.code,
        governance_chain=[record.body for record in permits.announcements()],
        ledger=ledger_view(session, head_size),
    )


def ledger_view(session: Session, held_size: int | None) -> LedgerView | None:
    """The latest signed head, with the consistency proof from ``held_size`` when one is
    needed (the tree is built only then: most pulls hold the latest head already)."""
    head = LedgerRepository(session).latest_head()
    if head is None:
        return None
    proof = None
    if held_size is not None and 0 < held_size < head.size:
        proof = prove_consistency(session, held_size, head.size)
    return LedgerView(head=head, held_size=held_size, consistency=proof)
