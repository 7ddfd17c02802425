"""Revocation snapshots: every delta so far folded into one signed list, made by a recurring
job and on demand, so that a device's first pull (or one after a long absence) carries one
snapshot and the few deltas after it instead of every delta since the hub began.

And the governance key's rollover as an operator runs it: new key announced by the old one,
then revocations and the ledger head signed again under the new key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.jobs.service import JobHandler, enqueue
from tansiq.ledger.service import record_entry
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.ledger_facts import record_key
from tansiq.permits.ledger_heads import sign_ledger_head
from tansiq.permits.models import RevocationSnapshotRecord, SigningKeyRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import (
    GOVERNANCE_KEYS,
    NoHub,
    governance_public_keys,
    governance_signer,
    new_signing_key,
    publish_trust_list,
    retire_signing_key,
    signer_of,
)
from tansiq.permits.trust import (
    RevocationState,
    load_revocations,
    revocations_file,
    sign_revocation_snapshot,
)

JOB_COMPACT = "revocations.compact"


def compact_revocations(
    session: Session, secret: str | None, clock: Clock, *, again: bool = False
) -> RevocationSnapshotRecord | None:
    """Fold the latest snapshot and every delta after it into a new signed snapshot. When no
    delta came since, the latest one as it is — or, with ``again`` (after a rollover), the
    same signed anew by the current governance key. None while there is no delta at all."""
    repo = PermitRepository(session)
    latest = repo.latest_snapshot()
    deltas = repo.deltas_since(0 if latest is None else latest.seq)
    if not deltas and (latest is None or not again):
        return latest
    keys = [load_public_key(ALG_EDDSA, key) for key in governance_public_keys(session)]
    items = [d.body for d in deltas] if latest is None else [latest.body, *(d.body for d in deltas)]
    state = load_revocations(revocations_file(items), keys, RevocationState())
    return _store(session, state, secret, clock)


def _store(
    session: Session, state: RevocationState, secret: str | None, clock: Clock
) -> RevocationSnapshotRecord:
    snapshot = state.snapshot()
    body = sign_revocation_snapshot(snapshot, governance_signer(session, secret, clock))
    repo = PermitRepository(session)
    existing = repo.latest_snapshot()
    if existing is not None and existing.seq == snapshot.seq:
        # The same deltas signed again (after a rollover, under the new key).
        existing.body, existing.created_at = body, clock.now()
        repo.flush()
        return existing
    record = RevocationSnapshotRecord(
        seq=snapshot.seq, body=body, as_of=snapshot.as_of, created_at=clock.now()
    )
    repo.add(record)
    record_entry(
        session,
        kind="revocation_snapshot.published",
        subject=f"revocation_snapshot:{snapshot.seq}",
        content={"seq": snapshot.seq, "entries": len(snapshot.entries)},
        at=clock.now(),
        private=False,
    )
    repo.flush()
    return record


def rollover_governance(
    session: Session, secret: str | None, clock: Clock
) -> tuple[SigningKeyRecord, SigningKeyRecord]:
    """A new governance key for the hub. The old one is retired (what it signed stays
    trusted, its private part destroyed) after signing the trust list that announces the new
    one; a trust list under the
    new key follows at once. Returns (old, new). (:func:`tansiq.permits.snapshots.roll_over`
    also re-signs the revocations and the ledger head, so that a device enrolled with the new
    key alone needs nothing the old one signed.)"""
    hubs = PartyRepository(session).parties(PartyKind.HUB.value)
    if not hubs:
        raise NoHub
    repo = PermitRepository(session)
    old = repo.active_key(GOVERNANCE_KEYS, hubs[0].id)
    if old is None:  # never signed anything yet: the first key is made, then rolled over
        governance_signer(session, secret, clock)
        old = repo.active_key(GOVERNANCE_KEYS, hubs[0].id)
        assert old is not None  # noqa: S101 - just made
    outgoing = signer_of(old, secret)
    assert outgoing is not None  # noqa: S101 - the hub always holds its governance key
    new = new_signing_key(session, hubs[0].id, GOVERNANCE_KEYS, secret, clock)
    retire_signing_key(old, clock)
    repo.flush()
    publish_trust_list(session, secret, clock, signer=outgoing, announces=True)
    # Devices keep trusting a retired key for what it signed; nothing may sign with it again,
    # so its private part is destroyed (a database copy made from now on cannot leak it).
    old.private_key_sealed = None
    record_key(session, old)
    record_entry(
        session,
        kind="governance_key.rolled_over",
        subject=f"signing_key:{new.kid}",
        content={"old": old.kid, "new": new.kid, "public_key": new.public_key.hex()},
        at=clock.now(),
        private=False,
    )
    publish_trust_list(session, secret, clock)
    return old, new


def roll_over(
    session: Session, secret: str | None, clock: Clock
) -> tuple[SigningKeyRecord, SigningKeyRecord]:
    """Roll the governance key over: the new key announced in a trust list the old one
    signs, then a trust list, a revocation snapshot and a ledger head under the new key."""
    old, new = rollover_governance(session, secret, clock)
    compact_revocations(session, secret, clock, again=True)
    sign_ledger_head(session, secret, clock)
    return old, new


def roll_over_by(
    session: Session, principal: Principal, *, secret: str | None, clock: Clock
) -> tuple[SigningKeyRecord, SigningKeyRecord]:
    """:func:`roll_over`, asked for by one of the hub's administrators (no one else)."""
    access.require(access.is_hub_admin(principal))
    return roll_over(session, secret, clock)


def schedule_compaction(session: Session, every: timedelta, clock: Clock) -> None:
    """Make sure the next recurring compaction exists (one per time slot, whoever asks)."""
    at = _next_slot(clock.now(), every)
    enqueue(
        session,
        kind=JOB_COMPACT,
        payload={},
        run_at=at,
        dedupe_key=f"{JOB_COMPACT}:{at.isoformat()}",
        clock=clock,
    )


def job_handlers(secret: str | None, every: timedelta) -> dict[str, JobHandler]:
    def compact(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        if secret:  # a hub without its secret signs nothing
            compact_revocations(session, secret, clock)
        schedule_compaction(session, every, clock)

    return {JOB_COMPACT: compact}


def _next_slot(now: datetime, every: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    return epoch + ((now - epoch) // every + 1) * every
