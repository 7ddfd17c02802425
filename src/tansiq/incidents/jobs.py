"""The job kinds that end incidents and advisories, and their scheduling (the handlers are in
:mod:`tansiq.incidents.expiry`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.jobs.service import enqueue

JOB_END = {"advisory": "incidents.expire_advisory", "incident": "incidents.close_incident"}


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
