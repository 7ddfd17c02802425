"""Database-backed jobs through the real database: enqueue, claim, run, retry, leases."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.clock import Clock, FixedClock
from tansiq.core.text import BilingualText
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.domain import JobStatus, backoff
from tansiq.jobs.models import JobRecord
from tansiq.jobs.repository import JobRepository
from tansiq.jobs.service import JobRunner, RetryLater, enqueue, run_worker
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import create_party
from tests.conftest import NOW, DatabaseFactory


class Crash(BaseException):
    """Stands for the worker process dying in the middle of a job."""


def make_party(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    create_party(
        session,
        code=payload["code"],
        kind=PartyKind.TRADER,
        name=BilingualText("", payload["code"]),
        clock=clock,
    )


def add_job(
    sessions: sessionmaker[Session],
    clock: Clock,
    kind: str = "party.create",
    code: str = "job-made",
    delay: timedelta = timedelta(0),
) -> int:
    with unit_of_work(sessions) as session:
        job = enqueue(
            session, kind=kind, payload={"code": code}, run_at=clock.now() + delay, clock=clock
        )
        return job.id


def job(sessions: sessionmaker[Session], job_id: int) -> JobRecord:
    with sessions() as session:
        record = JobRepository(session).job(job_id)
        assert record is not None
        return record


def party_exists(sessions: sessionmaker[Session], code: str) -> bool:
    with sessions() as session:
        return PartyRepository(session).party_by_code(code) is not None


def test_enqueue_with_the_same_dedupe_key_returns_the_first_job(
    session: Session, clock: FixedClock
) -> None:
    first = enqueue(session, kind="k", payload={"n": 1}, run_at=NOW, dedupe_key="once", clock=clock)
    again = enqueue(session, kind="k", payload={"n": 2}, run_at=NOW, dedupe_key="once", clock=clock)
    other = enqueue(session, kind="k", payload={"n": 3}, run_at=NOW, dedupe_key="twice")
    assert again.id == first.id
    assert again.payload == {"n": 1}
    assert other.id != first.id
    assert len(JobRepository(session).jobs("k")) == 2


def test_only_due_jobs_run_and_their_work_is_committed(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    now_id = add_job(sessions, clock, code="job-now")
    later_id = add_job(sessions, clock, code="job-later", delay=timedelta(hours=1))
    runner = JobRunner({"party.create": make_party})

    assert runner.run_due(sessions, clock) == 1
    done = job(sessions, now_id)
    assert done.status == JobStatus.DONE
    assert done.attempts == 1
    assert done.finished_at == NOW
    assert done.locked_until is None
    assert party_exists(sessions, "job-now")
    assert job(sessions, later_id).status == JobStatus.PENDING

    clock.advance(timedelta(hours=1))
    assert runner.run_due(sessions, clock) == 1
    assert party_exists(sessions, "job-later")
    assert runner.run_due(sessions, clock) == 0


def test_a_failing_handler_is_rolled_back_and_retried_with_backoff(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    calls: list[int] = []

    def flaky(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        calls.append(1)
        make_party(session, {"code": f"flaky-{len(calls)}"}, clock)
        if len(calls) < 3:
            raise RuntimeError("receiver down")

    job_id = add_job(sessions, clock, kind="flaky")
    runner = JobRunner({"flaky": flaky}, backoff_base=timedelta(seconds=30))

    assert runner.run_due(sessions, clock) == 1
    failed = job(sessions, job_id)
    assert failed.status == JobStatus.PENDING
    assert failed.attempts == 1
    assert failed.last_error == "RuntimeError: receiver down"
    assert failed.run_at == NOW + timedelta(seconds=30)
    assert not party_exists(sessions, "flaky-1")

    assert runner.run_due(sessions, clock) == 0
    clock.advance(timedelta(seconds=30))
    assert runner.run_due(sessions, clock) == 1
    assert job(sessions, job_id).run_at == clock.now() + timedelta(seconds=60)

    clock.advance(timedelta(seconds=60))
    assert runner.run_due(sessions, clock) == 1
    assert job(sessions, job_id).status == JobStatus.DONE
    assert job(sessions, job_id).attempts == 3
    assert party_exists(sessions, "flaky-3")
    assert not party_exists(sessions, "flaky-2")


def test_a_job_fails_for_good_after_the_last_attempt(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    def broken(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        raise ValueError("never works")

    job_id = add_job(sessions, clock, kind="broken")
    runner = JobRunner({"broken": broken}, max_attempts=2)
    assert runner.run_due(sessions, clock) == 1
    clock.advance(timedelta(hours=2))
    assert runner.run_due(sessions, clock) == 1
    record = job(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert record.attempts == 2
    assert record.finished_at == clock.now()
    clock.advance(timedelta(days=1))
    assert runner.run_due(sessions, clock) == 0


def test_an_unknown_kind_is_failed_with_a_clear_error(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    job_id = add_job(sessions, clock, kind="no.such.kind")
    assert JobRunner({}).run_due(sessions, clock) == 1
    record = job(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert record.last_error == "unknown job kind 'no.such.kind'"


def test_a_crashed_workers_job_runs_again_when_its_lease_expires(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    crashes = [True]

    def dies_once(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        make_party(session, payload, clock)
        if crashes.pop(0) if crashes else False:
            raise Crash

    job_id = add_job(sessions, clock, kind="dies", code="after-crash")
    runner = JobRunner({"dies": dies_once}, lease=timedelta(minutes=5))
    with pytest.raises(Crash):
        runner.run_due(sessions, clock)
    claimed = job(sessions, job_id)
    assert claimed.status == JobStatus.RUNNING
    assert claimed.locked_until == NOW + timedelta(minutes=5)
    assert not party_exists(sessions, "after-crash")

    clock.advance(timedelta(minutes=4))
    assert runner.run_due(sessions, clock) == 0, "a live lease keeps others off the job"
    clock.advance(timedelta(minutes=1))
    assert runner.run_due(sessions, clock) == 1
    assert job(sessions, job_id).status == JobStatus.DONE
    assert job(sessions, job_id).attempts == 2
    assert party_exists(sessions, "after-crash")


def test_a_lease_that_expires_on_the_last_attempt_fails_the_job(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    def crash(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        raise Crash

    job_id = add_job(sessions, clock, kind="crash")
    runner = JobRunner({"crash": crash}, max_attempts=1, lease=timedelta(minutes=1))
    with pytest.raises(Crash):
        runner.run_due(sessions, clock)
    clock.advance(timedelta(minutes=2))
    assert runner.run_due(sessions, clock) == 0
    record = job(sessions, job_id)
    assert record.status == JobStatus.FAILED
    assert record.last_error == "the worker stopped during the last attempt"


def test_retry_later_keeps_what_the_handler_recorded(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    def records_then_retries(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        make_party(session, payload, clock)
        raise RetryLater("try again")

    job_id = add_job(sessions, clock, kind="retry", code="kept-on-retry")
    JobRunner({"retry": records_then_retries}).run_due(sessions, clock)
    record = job(sessions, job_id)
    assert record.status == JobStatus.PENDING
    assert record.last_error == "try again"
    assert party_exists(sessions, "kept-on-retry")


def test_the_worker_loop_runs_jobs_until_stopped(
    sessions: sessionmaker[Session], clock: FixedClock
) -> None:
    stop = threading.Event()
    seen: list[str] = []

    def note(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        seen.append(payload["code"])
        if len(seen) == 2:
            stop.set()

    add_job(sessions, clock, kind="note", code="a")
    add_job(sessions, clock, kind="note", code="b", delay=timedelta(seconds=1))
    runner = JobRunner({"note": note})

    def tick() -> None:
        run_worker(sessions, clock, runner, stop, 0.01)

    thread = threading.Thread(target=tick)
    thread.start()
    while not seen:
        stop.wait(0.01)
    clock.advance(timedelta(seconds=1))
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert seen == ["a", "b"]


@pytest.mark.parametrize(
    ("attempts", "expected_s"),
    [(0, 0), (1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (9, 3600), (10_000, 3600)],
)
def test_backoff_doubles_up_to_the_cap(attempts: int, expected_s: int) -> None:
    wait = backoff(attempts, timedelta(seconds=30), timedelta(hours=1))
    assert wait == timedelta(seconds=expected_s)


def test_concurrent_workers_skip_jobs_another_has_locked(
    databases: DatabaseFactory, backend: str
) -> None:
    """FOR UPDATE SKIP LOCKED on PostgreSQL: a job row another worker is claiming is left to
    it. SQLite serialises writers instead: two workers one after the other run it once."""
    engine: Engine = make_engine(databases.migrated_url("skip"))
    if backend == "sqlite":
        try:
            sessions = make_session_factory(engine)
            clock = FixedClock(NOW)
            with unit_of_work(sessions) as session:
                enqueue(session, kind="noop", payload={}, run_at=NOW, clock=clock)
            done: list[int] = []
            handlers = {"noop": lambda session, payload, clock: done.append(1)}
            assert JobRunner(handlers).run_due(sessions, clock) == 1
            assert JobRunner(handlers).run_due(sessions, clock) == 0
            assert done == [1]
        finally:
            engine.dispose()
        return
    try:
        sessions = make_session_factory(engine)
        clock = FixedClock(NOW)
        with unit_of_work(sessions) as session:
            job_id = enqueue(session, kind="noop", payload={}, run_at=NOW, clock=clock).id
        ran: list[int] = []
        runner = JobRunner({"noop": lambda session, payload, clock: ran.append(1)})
        with engine.connect() as other:
            other.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"), {"id": job_id})
            assert runner.run_due(sessions, clock) == 0
            other.rollback()
        assert runner.run_due(sessions, clock) == 1
        assert ran == [1]
        with sessions() as session:
            assert session.scalar(select(JobRecord.status)) == JobStatus.DONE
    finally:
        engine.dispose()
