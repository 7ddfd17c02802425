"""``tansiq worker`` and the worker thread of ``tansiq serve``, on a database of their own."""

from __future__ import annotations

import time

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from tansiq.cli.main import cli
from tansiq.cli.worker import build_runner, start_background_worker
from tansiq.context import HubContext
from tansiq.core.clock import SystemClock
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.domain import JobStatus
from tansiq.jobs.repository import JobRepository
from tansiq.jobs.service import enqueue
from tansiq.notify.service import EMAIL_JOB, WEBHOOK_JOB
from tansiq.settings import Settings
from tests.conftest import DatabaseFactory


def fresh_database(databases: DatabaseFactory) -> str:
    return databases.migrated_url("worker")


def add_job(sessions: sessionmaker[Session]) -> int:
    # A delivery that no longer exists: the handler has nothing to send, and the job is done.
    with unit_of_work(sessions) as session:
        return enqueue(
            session, kind=WEBHOOK_JOB, payload={"delivery": 999_999}, run_at=SystemClock().now()
        ).id


def status(sessions: sessionmaker[Session], job_id: int) -> str:
    with sessions() as session:
        job = JobRepository(session).job(job_id)
        assert job is not None
        return job.status


def test_worker_once_runs_the_due_jobs(databases: DatabaseFactory) -> None:
    url = fresh_database(databases)
    context = HubContext.from_settings(Settings(database_url=url))
    try:
        job_id = add_job(context.sessions)
        result = CliRunner().invoke(cli, ["--database-url", url, "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "Ran 1 job(s)." in result.output
        assert status(context.sessions, job_id) == JobStatus.DONE
    finally:
        context.engine.dispose()


def test_worker_until_idle_runs_batch_after_batch_then_exits(databases: DatabaseFactory) -> None:
    url = fresh_database(databases)
    context = HubContext.from_settings(Settings(database_url=url))
    try:
        job_ids = [add_job(context.sessions) for _ in range(130)]  # more than one batch of 100
        result = CliRunner().invoke(cli, ["--database-url", url, "worker", "--until-idle"])
        assert result.exit_code == 0, result.output
        assert "Ran 130 job(s)." in result.output
        assert {status(context.sessions, job_id) for job_id in job_ids} == {JobStatus.DONE}
    finally:
        context.engine.dispose()


def test_serve_runs_jobs_in_a_background_thread(databases: DatabaseFactory) -> None:
    url = fresh_database(databases)
    context = HubContext.from_settings(Settings(database_url=url, worker_interval_s=0.01))
    try:
        stop = start_background_worker(context)
        try:
            job_id = add_job(context.sessions)
            deadline = time.monotonic() + 5
            while status(context.sessions, job_id) != JobStatus.DONE:
                assert time.monotonic() < deadline, "the background worker ran nothing"
                time.sleep(0.01)
        finally:
            stop()
    finally:
        context.engine.dispose()


def test_the_runner_knows_every_delivery_kind() -> None:
    context = HubContext.from_settings(Settings(database_url="sqlite://"))
    try:
        assert {WEBHOOK_JOB, EMAIL_JOB} <= set(build_runner(context).handlers)
    finally:
        context.engine.dispose()
