"""The job kinds that end incidents and advisories, and their scheduling (the handlers are in
:mod:`tansiq.incidents.expiry`)."""

from __future__ import annotations

from datetime import datetime, timedelta

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
