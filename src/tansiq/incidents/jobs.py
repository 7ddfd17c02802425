"""The job kinds that end incidents and advisories, and their scheduling (the handlers are in
:mod:`tansiq.incidents.expiry`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.jobs.service import enqueue

JOB_END = {"advisory": "incidents.expire_advisory", "incident": "incidents.close_incident"}
JOB_CHECKPOINT = "incidents.checkpoint_status"
# How often a checkpoint closure looks at its checkpoint: reopened by its authority (through
# the geography, which cannot call incidents), the closure ends.
CHECKPOINT_EVERY = timedelta(minutes=5)


def schedule_end(session: Session, what: str, record_id: int, at: datetime, clock: Clock) -> None:
    """Run the end of ``what`` (advisory or incident) ``record_id`` at ``at``."""
    kind = JOB_END[what]
    enqueue(
        session,
        kind=kind,
        payload={what: record_id},
        run_at=at,
        dedupe_key=f"{kind}:{record_id}:{at.isoformat()}",
        clock=clock,
    )


def schedule_checkpoint_check(
    session: Session, advisory_id: int, at: datetime, clock: Clock
) -> None:
    enqueue(
        session,
        kind=JOB_CHECKPOINT,
        payload={"advisory": advisory_id},
        run_at=at,
        dedupe_key=f"{JOB_CHECKPOINT}:{advisory_id}:{at.isoformat()}",
        clock=clock,
    )


JOB_SWEEP = "incidents.sweep"
# How soon a permit issued or a movement filed after a hazard is alerted of it: permits and
# movements live in features that cannot call incidents, so a sweep assesses every hazard in
# force again (impact is idempotent: only what is new is stored and told).
SWEEP_EVERY = timedelta(minutes=5)


def schedule_sweep(session: Session, after: datetime, clock: Clock) -> None:
    """One sweep at the first slot of :data:`SWEEP_EVERY` after ``after``, however many ask."""
    step = int(SWEEP_EVERY.total_seconds())
    slot = datetime.fromtimestamp((int(after.timestamp()) // step + 1) * step, tz=UTC)
    enqueue(
        session,
        kind=JOB_SWEEP,
        payload={},
        run_at=slot,
        dedupe_key=f"{JOB_SWEEP}:{slot.isoformat()}",
        clock=clock,
    )
