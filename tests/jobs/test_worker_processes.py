"""Several real ``tansiq worker`` processes on one database: each job runs exactly once.

The jobs are webhook deliveries to a real receiver, so a job run twice would show as a second
request, and a job claimed twice as a second attempt. On PostgreSQL the workers claim with
``FOR UPDATE SKIP LOCKED``; on SQLite they queue for its one writer. A worker killed in the
middle of a delivery leaves a lease that expires, and another worker delivers it again, under
the same ``Tansiq-Delivery`` id, which the receiver stores once.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.domain import JobStatus
from tansiq.jobs.models import JobRecord
from tansiq.notify import service
from tansiq.notify.domain import DeliveryStatus
from tansiq.notify.models import DeliveryRecord
from tansiq.parties.domain import PartyKind
from tests.conftest import PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory
from tests.factories import party
from tests.notify.conftest import Receiver
from tests.notify.test_delivery import BODY, TITLE
from tests.processes import TansiqProcess, free_port, start

WORKERS = 3
DELIVERIES = 300
WORKER_SETTINGS = {
    "TANSIQ_WEBHOOK_ALLOW_PRIVATE": "true",
    "TANSIQ_WORKER_INTERVAL_S": "0.05",
    "TANSIQ_DELIVERY_TIMEOUT_S": "10",
    # Several workers on one SQLite file wait for its writer rather than give up on a
    # loaded machine; PostgreSQL ignores it.
    "TANSIQ_SQLITE_BUSY_TIMEOUT_MS": str(PATIENT_BUSY_TIMEOUT_MS),
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def outbox(databases: DatabaseFactory) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A migrated database of its own (committed rows, seen by other processes)."""
    url = databases.migrated_url("workers")
    engine = make_engine(url)
    try:
        yield url, make_session_factory(engine)
    finally:
        engine.dispose()


def queue_deliveries(sessions: sessionmaker[Session], receiver: Receiver, count: int) -> None:
    """A party with a webhook to ``receiver``, and ``count`` events for it, in one commit."""
    clock = SystemClock()
    with unit_of_work(sessions) as session:
        owner = party(session, clock, PartyKind.TRADER)
        hook = service.register_webhook(
            session,
            party=owner,
            url=receiver.url,
            description="race",
            created_by=None,
            clock=clock,
            allow_private=True,
        )
        receiver.secrets.append(hook.secret)
        for number in range(count):
            service.notify_party(
                session,
                party_id=owner.id,
                kind="test.race",
                title=TITLE,
                body=BODY,
                params={"party": f"p{number}"},
                subject=f"race:{number}",
                clock=clock,
            )


def unfinished(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(JobRecord).where(JobRecord.status != JobStatus.DONE)
        )
        return int(count or 0)


def wait_until_done(sessions: sessionmaker[Session], workers: list[TansiqProcess]) -> None:
    deadline = time.monotonic() + 120
    while unfinished(sessions):
        for worker in workers:
            assert worker.process.poll() is None, f"a worker exited:\n{worker.output}"
        assert time.monotonic() < deadline, "the workers did not finish the jobs"
        time.sleep(0.1)


def test_racing_worker_processes_run_each_job_exactly_once(
    outbox: tuple[str, sessionmaker[Session]], receiver: Receiver, tmp_path: Path, backend: str
) -> None:
    url, sessions = outbox
    workers = [
        start(["worker"], database_url=url, log=tmp_path / f"w{n}.log", env=WORKER_SETTINGS)
        for n in range(WORKERS)
    ]
    try:
        # Every worker is polling before the jobs exist, so all of them race for the batch.
        for worker in workers:
            worker.wait_for("job worker on")
        queue_deliveries(sessions, receiver, DELIVERIES)
        wait_until_done(sessions, workers)
    finally:
        codes = [worker.stop() for worker in workers]
    assert codes == [0] * WORKERS, [worker.output for worker in workers]
    ran = [
        sum(int(n) for n in re.findall(r"ran (\d+) job\(s\)", worker.output)) for worker in workers
    ]
    assert sum(ran) == DELIVERIES, ran
    if backend == "postgresql":
        # SQLite hands its one write lock to whoever retries first, so there one worker may
        # well claim every batch; on PostgreSQL they claim side by side.
        assert sorted(ran)[-2] > 0, f"the workers did not share the jobs: {ran}"

    with sessions() as session:
        jobs = session.scalars(select(JobRecord)).all()
        deliveries = session.scalars(select(DeliveryRecord)).all()
    assert len(jobs) == DELIVERIES
    assert {(job.status, job.attempts) for job in jobs} == {(JobStatus.DONE, 1)}
    assert len(deliveries) == DELIVERIES
    assert {(d.status, d.attempts) for d in deliveries} == {(DeliveryStatus.DELIVERED, 1)}
    sent = [request.headers["tansiq-delivery"] for request in receiver.requests]
    assert len(sent) == DELIVERIES, "a job ran twice or not at all"
    assert set(sent) == {delivery.delivery_id for delivery in deliveries}
    assert all(request.signature_ok for request in receiver.requests)


def test_a_worker_killed_mid_delivery_leaves_it_to_another_once_its_lease_ends(
    outbox: tuple[str, sessionmaker[Session]], receiver: Receiver, tmp_path: Path
) -> None:
    url, sessions = outbox
    receiver.hold = threading.Event()
    queue_deliveries(sessions, receiver, 1)
    settings = {**WORKER_SETTINGS, "TANSIQ_JOB_LEASE_S": "1"}
    first = start(["worker"], database_url=url, log=tmp_path / "first.log", env=settings)
    try:
        assert receiver.arrived.wait(timeout=60), first.output
    finally:
        first.kill()  # in the middle of the delivery: the request sent, no answer read
    receiver.hold.set()
    with sessions() as session:
        [job] = session.scalars(select(JobRecord)).all()
        [delivery] = session.scalars(select(DeliveryRecord)).all()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)

    second = start(["worker"], database_url=url, log=tmp_path / "second.log", env=settings)
    try:
        wait_until_done(sessions, [second])
    finally:
        assert second.stop() == 0, second.output
    with sessions() as session:
        [job] = session.scalars(select(JobRecord)).all()
        [delivery] = session.scalars(select(DeliveryRecord)).all()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    # At least once on the wire, under one id; the receiver keeps it once.
    assert [r.headers["tansiq-delivery"] for r in receiver.requests] == [delivery.delivery_id] * 2
    assert list(receiver.accepted) == [delivery.delivery_id]
