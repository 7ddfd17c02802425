"""Database-backed jobs: enqueue in the caller's transaction, claim, run, retry.

Nothing that must happen lives only in memory. A job is a row written in the same transaction
as the change that needs it; a worker claims due jobs (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several hub processes never run one job twice; one worker on SQLite), holds a
lease on each while it runs it, and runs every job's handler in its own unit of work. A handler
that fails is retried with exponential backoff up to a maximum number of attempts; a worker
that dies mid-job leaves a lease that expires, and the job is claimed again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.clock import Clock, SystemClock, ensure_utc
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.domain import JobStatus, backoff
from tansiq.jobs.models import JobRecord
from tansiq.jobs.repository import JobRepository

logger = logging.getLogger(__name__)

JobHandler = Callable[[Session, dict[str, Any], Clock], None]
"""Does one job's work in the session it is given; it flushes, the runner commits."""

MAX_ERROR = 2000


class RetryLater(Exception):
    """Raised by a handler that recorded a failed attempt itself (e.g. on a delivery row) and
    wants the job tried again later: unlike any other exception, the handler's changes are
    kept and committed, and the job is scheduled with backoff (or failed past the limit)."""


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime,
    dedupe_key: str | None = None,
    clock: Clock | None = None,
) -> JobRecord:
    """Add a job to run at ``run_at`` in the caller's transaction (flush only).

    With a ``dedupe_key``, enqueueing again returns the job already stored under that key and
    creates nothing, also when two transactions race (the unique key decides, in a savepoint).
    ``clock`` stamps ``created_at`` (the system clock when not given).
    """
    run_at = ensure_utc(run_at)
    record = JobRecord(
        kind=kind,
        payload=dict(payload),
        run_at=run_at,
        status=JobStatus.PENDING,
        attempts=0,
        created_at=(clock or SystemClock()).now(),
        dedupe_key=dedupe_key,
    )
    repo = JobRepository(session)
    if dedupe_key is None:
        repo.add(record)
        repo.flush()
        return record
    existing = repo.by_dedupe_key(dedupe_key)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            repo.add(record)
            repo.flush()
    except IntegrityError:
        # Another transaction stored the same key between our look-up and our insert.
        existing = repo.by_dedupe_key(dedupe_key)
        if existing is None:
            raise
        return existing
    return record


@dataclass(frozen=True)
class _Claim:
    job_id: int
    lease_until: datetime


class JobRunner:
    """Runs due jobs with the ``handlers`` registered for their kinds."""

    def __init__(
        self,
        handlers: Mapping[str, JobHandler],
        *,
        max_attempts: int = 12,
        lease: timedelta = timedelta(minutes=5),
        backoff_base: timedelta = timedelta(seconds=30),
        backoff_cap: timedelta = timedelta(hours=1),
    ) -> None:
        self.handlers = dict(handlers)
        self.max_attempts = max_attempts
        self.lease = lease
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap

    def run_due(self, sessions: sessionmaker[Session], clock: Clock, limit: int = 100) -> int:
        """Claim up to ``limit`` due jobs, run each, and return how many were run."""
        claims = self._claim(sessions, clock, limit)
        for claim in claims:
            self._run(sessions, clock, claim)
        return len(claims)

    def _claim(self, sessions: sessionmaker[Session], clock: Clock, limit: int) -> list[_Claim]:
        claims: list[_Claim] = []
        with unit_of_work(sessions) as session:
            now = clock.now()
            for job in JobRepository(session).claimable(now, limit):
                if job.status == JobStatus.RUNNING and job.attempts >= self.max_attempts:
                    logger.error("job %s (%s): lease expired on its last attempt", job.id, job.kind)
                    self._finish(
                        job, JobStatus.FAILED, now, "the worker stopped during the last attempt"
                    )
                    continue
                job.status = JobStatus.RUNNING
                job.attempts += 1
                job.locked_until = now + self.lease
                claims.append(_Claim(job.id, job.locked_until))
        return claims

    def _run(self, sessions: sessionmaker[Session], clock: Clock, claim: _Claim) -> None:
        try:
            with unit_of_work(sessions) as session:
                job = self._still_ours(session, claim)
                if job is None:
                    return
                handler = self.handlers.get(job.kind)
                if handler is None:
                    logger.error("job %s: no handler for kind %r", job.id, job.kind)
                    self._finish(
                        job, JobStatus.FAILED, clock.now(), f"unknown job kind {job.kind!r}"
                    )
                    return
                nested = session.begin_nested()
                try:
                    handler(session, dict(job.payload), clock)
                    nested.commit()
                except RetryLater as retry:
                    nested.commit()
                    self._retry(job, clock.now(), str(retry) or "retry requested")
                    return
                except Exception as error:
                    # Logged and recorded on the job, whose retry is scheduled below.
                    logger.exception("job %s (%s) failed", job.id, job.kind)
                    nested.rollback()
                    self._retry(job, clock.now(), _describe(error))
                    return
                self._finish(job, JobStatus.DONE, clock.now(), None)
        except SQLAlchemyError as error:
            # The job's own transaction broke (e.g. the handler left it unusable, or the
            # database went away): record the failure in a fresh one, if we still can.
            logger.exception("job %s: its transaction failed", claim.job_id)
            with unit_of_work(sessions) as session:
                job = self._still_ours(session, claim)
                if job is not None:
                    self._retry(job, clock.now(), _describe(error))

    def _still_ours(self, session: Session, claim: _Claim) -> JobRecord | None:
        """The claimed job, locked, if no other worker has taken it over since."""
        job = JobRepository(session).lock(claim.job_id)
        if job is None or job.status != JobStatus.RUNNING or job.locked_until != claim.lease_until:
            logger.warning("job %s: lease lost before it ran", claim.job_id)
            return None
        return job

    def _retry(self, job: JobRecord, now: datetime, error: str) -> None:
        if job.attempts >= self.max_attempts:
            self._finish(job, JobStatus.FAILED, now, error)
            return
        job.status = JobStatus.PENDING
        job.last_error = error[:MAX_ERROR]
        job.locked_until = None
        job.run_at = now + backoff(job.attempts, self.backoff_base, self.backoff_cap)

    @staticmethod
    def _finish(job: JobRecord, status: JobStatus, now: datetime, error: str | None) -> None:
        job.status = status
        job.locked_until = None
        job.finished_at = now
        if error is not None:
            job.last_error = error[:MAX_ERROR]


def run_worker(
    sessions: sessionmaker[Session],
    clock: Clock,
    runner: JobRunner,
    stop: threading.Event,
    interval_s: float,
) -> None:
    """Run due jobs until ``stop`` is set, waiting ``interval_s`` whenever none is due."""
    logger.info("job worker started")
    while not stop.is_set():
        try:
            ran = runner.run_due(sessions, clock)
        except SQLAlchemyError:
            # Database unreachable or busy: nothing is lost (the jobs are rows); try again.
            logger.exception("job worker: could not claim jobs")
            ran = 0
        if ran:
            logger.info("ran %d job(s)", ran)
        else:
            stop.wait(interval_s)
    logger.info("job worker stopped")


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
