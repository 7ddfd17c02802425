"""The recurring tree-head job: it signs a head over what was recorded, schedules the next one
once per time slot, and does not pile up equal heads on a quiet hub."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.cli.worker import build_runner, head_interval
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.jobs.domain import JobStatus
from tansiq.jobs.models import JobRecord
from tansiq.ledger import service
from tansiq.ledger.repository import LedgerRepository
from tansiq.permits.ledger_heads import JOB_SIGN_HEAD, schedule_heads


def head_jobs(session: Session) -> list[JobRecord]:
    session.expire_all()
    return list(session.scalars(select(JobRecord).where(JobRecord.kind == JOB_SIGN_HEAD)))


def test_heads_are_signed_on_schedule_and_only_when_something_was_recorded(
    hub: HubContext, session: Session, clock: FixedClock
) -> None:
    every = head_interval(hub.settings)
    runner = build_runner(hub)
    schedule_heads(session, every, clock)
    schedule_heads(session, every, clock)  # a second process asking: still one job
    session.flush()
    assert [job.status for job in head_jobs(session)] == [JobStatus.PENDING]

    clock.current += every
    assert runner.run_due(hub.sessions, clock) == 1
    first = LedgerRepository(session).latest_head()
    assert first is not None
    assert first.size == LedgerRepository(session).sequenced_count() > 0  # the demo's history

    clock.current += every
    runner.run_due(hub.sessions, clock)
    session.expire_all()
    quiet = LedgerRepository(session).latest_head()
    assert quiet is not None
    assert quiet.id == first.id  # nothing new: no new head

    service.record_entry(session, kind="test.entry", subject="test:1", content={}, at=clock.now())
    session.flush()
    clock.current += every
    runner.run_due(hub.sessions, clock)
    session.expire_all()
    latest = LedgerRepository(session).latest_head()
    assert latest is not None
    assert latest.size == first.size + 1
    statuses = sorted(job.status for job in head_jobs(session))
    assert statuses == [JobStatus.DONE] * 3 + [JobStatus.PENDING]
