"""Every query about jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select

from tansiq.db.repository import Repository
from tansiq.jobs.domain import JobStatus
from tansiq.jobs.models import JobRecord


class JobRepository(Repository[JobRecord]):
    def job(self, job_id: int) -> JobRecord | None:
        return self.session.get(JobRecord, job_id)

    def by_dedupe_key(self, key: str) -> JobRecord | None:
        return self.session.scalars(select(JobRecord).where(JobRecord.dedupe_key == key)).first()

    def claimable(self, now: datetime, limit: int) -> Sequence[JobRecord]:
        """Due pending jobs and running jobs whose lease has expired, oldest first, locked.

        On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``, so hub processes that
        claim at the same moment each get different jobs; SQLite renders no lock clause (it
        has one writer at a time anyway).
        """
        due = and_(JobRecord.status == JobStatus.PENDING, JobRecord.run_at <= now)
        abandoned = and_(JobRecord.status == JobStatus.RUNNING, JobRecord.locked_until <= now)
        return self.session.scalars(
            select(JobRecord)
            .where(or_(due, abandoned))
            .order_by(JobRecord.run_at, JobRecord.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()

    def lock(self, job_id: int) -> JobRecord | None:
        """The job, its row locked until the transaction ends (PostgreSQL)."""
        return self.session.scalars(
            select(JobRecord)
            .where(JobRecord.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def jobs(self, kind: str | None = None) -> Sequence[JobRecord]:
        query = select(JobRecord).order_by(JobRecord.id)
        if kind is not None:
            query = query.where(JobRecord.kind == kind)
        return self.session.scalars(query).all()
