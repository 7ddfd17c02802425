"""Revocation snapshots at the hub: the recurring job folds new deltas into a signed snapshot
and books its next run; with nothing new it signs nothing; after a rollover the same deltas
are signed again by the new key."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.clock import FixedClock
from tansiq.jobs.models import JobRecord
from tansiq.jobs.service import JobRunner
from tansiq.permits.device_trust import signer_kid
from tansiq.permits.keys import ALG_EDDSA, key_id, load_public_key
from tansiq.permits.models import RevocationSnapshotRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import record_heartbeat
from tansiq.permits.snapshots import (
    JOB_COMPACT,
    compact_revocations,
    job_handlers,
    roll_over,
    schedule_compaction,
)
from tansiq.permits.trust import load_revocations, revocations_file
from tests.clearances.conftest import Tokens
from tests.conftest import SECRET_KEY

DAY = timedelta(days=1)


def test_the_job_folds_new_deltas_and_books_its_next_run(
    session: Session, sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    record_heartbeat(session, secret=SECRET_KEY, clock=clock)
    schedule_compaction(session, DAY, clock)
    session.commit()
    clock.advance(DAY)
    assert JobRunner(job_handlers(SECRET_KEY, DAY)).run_due(sessions, clock) >= 1
    snapshot = PermitRepository(session).latest_snapshot()
    assert snapshot is not None
    assert snapshot.seq == PermitRepository(session).last_revocation_seq()
    pending = session.scalars(
        select(JobRecord).where(JobRecord.kind == JOB_COMPACT, JobRecord.run_at > clock.now())
    ).all()
    assert len(pending) == 1
    # Nothing new: the same snapshot, not another.
    assert compact_revocations(session, SECRET_KEY, clock) is snapshot
    assert len(session.scalars(select(RevocationSnapshotRecord)).all()) == 1


def test_a_rollover_signs_the_revocations_again_with_the_new_key(
    session: Session, clock: FixedClock
) -> None:
    record_heartbeat(session, secret=SECRET_KEY, clock=clock)
    before = compact_revocations(session, SECRET_KEY, clock)
    assert before is not None
    old, new = roll_over(session, SECRET_KEY, clock)
    assert old.private_key_sealed is None  # nothing can sign with it again
    after = PermitRepository(session).latest_snapshot()
    assert after is not None
    assert after.seq == before.seq
    assert signer_kid(after.body) == key_id(new.public_key)
    state = load_revocations(
        revocations_file([after.body]), [load_public_key(ALG_EDDSA, new.public_key)]
    )
    assert state.seq == after.seq


def test_only_the_hubs_administrators_roll_the_key_over_through_the_api(
    client: TestClient, tokens: Tokens
) -> None:
    before = client.get("/api/v1/governance-keys").json()
    for user in ("west.admin", "municipality", "trader"):
        refused = client.post("/api/v1/governance-keys/rollover", headers=tokens(user))
        assert refused.status_code == 403, refused.text
    rolled = client.post("/api/v1/governance-keys/rollover", headers=tokens("admin"))
    assert rolled.status_code == 201, rolled.text
    body = rolled.json()
    assert body["retired"]["status"] == "retired"
    assert body["retired"]["held_by_hub"] is False  # its private part destroyed
    assert (body["active"]["status"], body["active"]["held_by_hub"]) == ("active", True)
    after = client.get("/api/v1/governance-keys").json()
    assert after == [*before, body["active"]["public_key"]]
