"""Ingest scan events: many devices' pushes stored in one transaction.

Each push (a device's batch, or one scan from an online checkpoint) is a :class:`Push`; a group
of pushes is stored with one INSERT … ON CONFLICT DO NOTHING (idempotent by the device-made
event id: a replayed batch, a batch cut mid-way and sent again, or a hub restart mid-batch
stores each event exactly once), one ledger entry per device (its scans of this transaction),
one upsert per tally row, and one look for suspected clones over every new scan. Each push
gets its own answer: what it stored, what was already there, the contradictions and clones
its scans raised. A push whose device token is unknown or revoked, checked in the same
transaction, gets none (its device is refused) and stores nothing.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from tansiq.checkpoints.clones import flag_clones, tally_flags
from tansiq.checkpoints.domain import CHECKPOINT_REASON_LABELS, CheckpointReason, OfficerAction
from tansiq.checkpoints.ledger_facts import CONTRADICTION as LEDGER_CONTRADICTION
from tansiq.checkpoints.ledger_facts import batch_entry, flag_entry
from tansiq.checkpoints.messages import CONTRADICTION, CONTRADICTION_SEEN
from tansiq.checkpoints.models import DeviceRecord
from tansiq.checkpoints.repository import CheckpointRepository, SyncingDevice
from tansiq.checkpoints.schemas import ScanEventIn
from tansiq.clearances.notices import municipality_ids, party_name
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.core.clock import Clock, ensure_utc
from tansiq.core.i18n import Locale, translate
from tansiq.core.text import name_in, normalise_text
from tansiq.db.unit_of_work import record_after
from tansiq.geo.models import CheckpointRecord
from tansiq.geo.repository import GeoRepository
from tansiq.ledger.service import NewEntry, record_entries
from tansiq.notify.outbox import Notification, notify_parties
from tansiq.parties.repository import PartyRepository
from tansiq.permits.domain import reference_of_cti
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository
from tansiq.tallies.domain import Tally
from tansiq.tallies.repository import Key
from tansiq.tallies.service import key, tally

# "Last sync" is kept to within five minutes: a device syncing constantly costs one short
# write every five minutes.
LAST_SYNC_PRECISION = timedelta(minutes=5)


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    contradictions: int = 0
    clones: int = 0
    stored_uids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Push:
    """One device's push: its token's hash and its valid events, in the order sent."""

    token_hash: str
    events: Sequence[ScanEventIn]


# A device whose scans are stored: as a push finds it (the five facts it needs), or mapped.
Device = DeviceRecord | SyncingDevice

# What each officer's action counts as in the figures ("none" counts nothing).
TALLIED = {
    OfficerAction.PASSAGE: Tally.PASSAGES,
    OfficerAction.REFUSAL: Tally.REFUSALS,
    OfficerAction.OVERRIDE: Tally.OVERRIDES,
}


def ingest_events(
    session: Session, device: DeviceRecord, events: list[ScanEventIn], clock: Clock
) -> IngestResult:
    """Store each new event of one device once; flag contradictions and clones among them."""
    [result] = _ingest(session, [(device, events)], clock)
    return result


def ingest_pushes(
    session: Session, pushes: Sequence[Push], clock: Clock
) -> list[IngestResult | None]:
    """Store many pushes in this transaction; each push's answer, or None when its device is
    unknown or revoked (nothing of it stored)."""
    repo = CheckpointRepository(session)
    found = {d.token_hash: d for d in repo.devices_by_token_hashes({p.token_hash for p in pushes})}
    now = clock.now()
    stale = [
        d.id
        for d in found.values()
        if d.revoked_at is None
        and (d.last_sync_at is None or d.last_sync_at <= now - LAST_SYNC_PRECISION)
    ]
    repo.note_devices_sync(stale, now, now - LAST_SYNC_PRECISION)
    known: list[tuple[int, tuple[Device, Sequence[ScanEventIn]]]] = []
    for index, push in enumerate(pushes):
        device = found.get(push.token_hash)
        if device is not None and device.revoked_at is None:
            known.append((index, (device, push.events)))
    answers: list[IngestResult | None] = [None] * len(pushes)
    for (index, _), result in zip(
        known, _ingest(session, [k for _, k in known], clock), strict=True
    ):
        answers[index] = result
    return answers


_normalised = functools.lru_cache(maxsize=1024)(normalise_text)


def _clean(text: str) -> str:
    """:func:`normalise_text`, cheaply: printable ASCII without spaces at either end is already
    normal (most permit ids); other text is remembered (a week's scans repeat a few officers'
    names and notes)."""
    if text.isascii() and text.isprintable() and text == text.strip():
        return text
    return _normalised(text)


def _row(event: ScanEventIn, device_id: int, checkpoint_id: int, now: Any) -> dict[str, Any]:
    # An enum member's ``_value_`` is its ``value`` without the property's call.
    reason, check = event.reason_code, event.driver_check
    return {
        "event_uid": event.id,
        "device_id": device_id,
        "checkpoint_id": checkpoint_id,
        # In datetime's own UTC: the ledger's content and the tallies' day take their fast path.
        "scanned_at": ensure_utc(event.scanned_at),
        "received_at": now,
        "permit_ref": _clean(event.permit)[:40],
        "permit_version": event.version,
        "verdict": event.verdict._value_,
        "action": event.action._value_,
        "reason_code": None if reason is None else reason._value_,
        "note": _clean(event.note),
        "officer": _clean(event.officer)[:100],
        "data_age_seconds": event.data_age_seconds,
        "driver_check": None if check is None else check._value_,
        "contradiction": False,
        "clone_suspected": False,
    }


def _ingest(
    session: Session,
    pushes: Sequence[tuple[Device, Sequence[ScanEventIn]]],
    clock: Clock,
) -> list[IngestResult]:
    now = clock.now()
    results = [IngestResult() for _ in pushes]
    # One row per (device, id) even inside a push or across the pushes of one transaction:
    # the first wins, as it would across transactions.
    owner: dict[tuple[int, str], int] = {}
    unique: list[dict[str, Any]] = []
    for index, (device, events) in enumerate(pushes):
        device_id, checkpoint_id = device.id, device.checkpoint_id
        for event in events:
            pair = (device_id, event.id)
            if pair in owner:
                results[index].duplicates += 1
                continue
            owner[pair] = index
            unique.append(_row(event, device_id, checkpoint_id, now))
    # A contradiction depends on the scan and the permit alone: decided before the insert, each
    # new scan is stored with its flag (nothing read back and updated after).
    permits = _refused_permits(session, unique)
    places = _places(session) if permits else {}
    for row in unique:
        row["contradiction"] = _contradicts(row, permits, places)
    inserted = CheckpointRepository(session).insert_events(unique)
    new_rows = [row for row in unique if (row["device_id"], row["event_uid"]) in inserted]
    per_push: list[list[dict[str, Any]]] = [[] for _ in pushes]
    for row in unique:
        index = owner[(row["device_id"], row["event_uid"])]
        if (row["device_id"], row["event_uid"]) in inserted:
            per_push[index].append(row)
            results[index].stored += 1
            results[index].stored_uids.add(row["event_uid"])
        else:
            results[index].duplicates += 1
    by_device: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in new_rows:
        by_device[row["device_id"]].append(row)
    # One ledger entry per device and transaction: its scans received at this moment.
    record_entries(session, [batch_entry(d, now, rows) for d, rows in by_device.items()])
    counts: Counter[Key] = Counter()
    # Every party to tell, of every push of the group, written at once at the end.
    notices: list[Notification] = []
    contradictions = _Contradictions(session, permits, places, clock, counts, notices)
    for index, (device, _) in enumerate(pushes):
        results[index].contradictions = contradictions.tell(device, per_push[index])
    contradictions.record()
    flagged = flag_clones(session, new_rows, clock, counts, notices)
    _attribute_clones(flagged, per_push, results)
    for row in new_rows:
        figure = TALLIED.get(row["action"])
        if figure is not None:
            at, reason = row["scanned_at"], row["reason_code"]
            counts[key(figure, at, checkpoint=row["checkpoint_id"], reason=reason)] += 1
    tally(session, counts)
    notify_parties(session, notices, clock)
    if new_rows and session.get_bind().dialect.name == "postgresql":
        # Under read committed, two processes storing scans of one permit at once each miss
        # the other's scan. Looked at again once this transaction is stored, the later of the
        # two sees both (SQLite runs one writer at a time, so the first look was complete).
        record_after(session, LookAgain(new_rows, clock))
    return results


@dataclass(frozen=True)
class LookAgain:
    """The look for clones again among scans stored by a transaction, once it has committed
    (a bookkeeping write, :func:`tansiq.db.unit_of_work.record_after`)."""

    rows: list[dict[str, Any]]
    clock: Clock

    def __call__(self, later: Session) -> None:
        found: Counter[Key] = Counter()
        told: list[Notification] = []
        flag_clones(later, self.rows, self.clock, found, told)
        tally(later, found)
        notify_parties(later, told, self.clock)


def look_again_at_once(looks: Sequence[LookAgain]) -> LookAgain:
    """The looks again of several committed transactions as one look: it finds every clone
    that each of them finds (a pair of scans with one of them among its rows)."""
    return LookAgain([row for look in looks for row in look.rows], looks[0].clock)


def _attribute_clones(
    flagged: list[tuple[str, int, str]],
    per_push: list[list[dict[str, Any]]],
    results: list[IngestResult],
) -> None:
    """Each flagged scan counts for the push that brought it; an older scan flagged because of
    a new neighbour counts for the first push that brought a scan of that permit."""
    brought: dict[tuple[int, str], int] = {}
    by_ref: dict[str, int] = {}
    for index, rows in enumerate(per_push):
        for row in rows:
            brought[(row["device_id"], row["event_uid"])] = index
            by_ref.setdefault(row["permit_ref"], index)
    for ref, device_id, uid in flagged:
        owner = brought.get((device_id, uid), by_ref.get(ref))
        if owner is not None:
            results[owner].clones += 1


def _refused_permits(
    session: Session, rows: list[dict[str, Any]]
) -> dict[tuple[str, int], PermitRecord]:
    """The permits these scans refused, by (permit id, version), in one query for the whole
    group (ids that name no permit of this hub are left out)."""
    wanted = {
        (row["permit_ref"], row["permit_version"])
        for row in rows
        if row["action"] == OfficerAction.REFUSAL
    }
    references = {
        ref: reference for ref, _ in wanted if (reference := reference_of_cti(ref)) is not None
    }
    issued = {
        (permit.reference, permit.version): permit
        for permit in PermitRepository(session).permits_of(set(references.values()))
    }
    found: dict[tuple[str, int], PermitRecord] = {}
    for ref, version in wanted:
        permit = issued.get((references[ref], version)) if ref in references else None
        if permit is not None:
            found[(ref, version)] = permit
    return found


def _places(session: Session) -> dict[int, CheckpointRecord]:
    return {checkpoint.id: checkpoint for checkpoint in GeoRepository(session).checkpoints()}


def _contradicts(
    row: dict[str, Any],
    permits: dict[tuple[str, int], PermitRecord],
    places: dict[int, CheckpointRecord],
) -> bool:
    """Whether this scan refused a permit that its checkpoint's own authority signed."""
    if row["action"] != OfficerAction.REFUSAL:
        return False
    permit = permits.get((row["permit_ref"], row["permit_version"]))
    place = places.get(row["checkpoint_id"])
    return permit is not None and place is not None and place.authority_id in permit.authority_ids


@dataclass
class _Contradictions:
    """The contradictions of a group's new scans, push by push: counted, tallied, told (into
    ``notices``) and, with :meth:`record`, written to the ledger in one statement."""

    session: Session
    permits: dict[tuple[str, int], PermitRecord]
    places: dict[int, CheckpointRecord]
    clock: Clock
    counts: Counter[Key]
    notices: list[Notification]
    entries: list[NewEntry] = field(default_factory=list)
    _municipalities: list[int] | None = None

    def tell(self, device: Device, rows: list[dict[str, Any]]) -> int:
        """The contradictions among one push's new scans; each permit refused is told once
        per push, however many times it was refused."""
        flagged = [row for row in rows if row["contradiction"]]
        if not flagged:
            return 0
        checkpoint = self.places[device.checkpoint_id]
        first: dict[tuple[str, int], dict[str, Any]] = {}
        for row in flagged:
            first.setdefault((row["permit_ref"], row["permit_version"]), row)
        if self._municipalities is None:
            self._municipalities = municipality_ids(self.session)
        # The refusing authority hears it as its own, the municipality as an overseer (naming
        # who refused).
        told = [(checkpoint.authority_id, CONTRADICTION)]
        told += [(party_id, CONTRADICTION_SEEN) for party_id in self._municipalities]
        for (ref, version), row in first.items():
            params = {
                "checkpoint": checkpoint.code,
                "permit": f"{ref}-{version}",
                "at": row["scanned_at"].isoformat(),
                "reason_code": row["reason_code"] or "-",
                "note": row["note"] or "-",
                "authority": party_name(self.session, checkpoint.authority_id),
                **_in_both_languages(self.session, checkpoint, row),
            }
            subject = f"application:{self.permits[(ref, version)].reference}"
            self.notices += [
                Notification(party_id, notice.kind, notice.title, notice.body, params, subject)
                for party_id, notice in told
            ]
        tally_flags(
            self.counts,
            Tally.CONTRADICTIONS,
            ((row["scanned_at"], row["checkpoint_id"]) for row in flagged),
        )
        now = self.clock.now()
        uids = sorted(row["event_uid"] for row in flagged)
        self.entries += [flag_entry(LEDGER_CONTRADICTION, device.id, uid, now) for uid in uids]
        return len(flagged)

    def record(self) -> None:
        record_entries(self.session, self.entries)


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
    shown: dict[str, str] = {"at": f"{row['scanned_at']:%Y-%m-%d %H:%M} UTC"}
    for locale in Locale:
        side = locale.value
        shown[f"authority_{side}"] = (
            "" if party is None else name_in(locale, party.name_ar, party.name_en)
        )
        shown[f"checkpoint_{side}"] = name_in(locale, checkpoint.name_ar, checkpoint.name_en)
        shown[f"reason_{side}"] = translate(reason, locale)
    return shown
