"""Group commit: many devices' pushes stored in one transaction, each answered on its own, every
event stored once, a refused device's push storing nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import Future
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tansiq.checkpoints.ingest import IngestResult, Push, ingest_pushes
from tansiq.checkpoints.intake import Intake, _Waiting
from tansiq.checkpoints.ledger_facts import SCANS
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.checkpoints.schemas import ScanEventIn
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.parties.service import hash_token
from tests.checkpoints.test_sync import device, event
from tests.clearances.conftest import Tokens
from tests.conftest import DatabaseFactory


def settle_intake(hub: HubContext) -> None:
    """Before a test disposes of its hub's engine: the intake's work after its answers (the
    looks again on PostgreSQL) done, none left to open a connection on the disposed engine."""
    intake = hub.caches.get(Intake, lambda: Intake(hub.sessions, hub.clock))
    assert intake.settle(timeout=30)


def token_of(headers: dict[str, str]) -> str:
    return hash_token(headers["Authorization"].removeprefix("Device "))


def test_one_transaction_answers_each_push_and_stores_each_event_once(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    west = token_of(device(client, tokens, "W-GATE", "west.admin"))
    east = token_of(device(client, tokens, "E-GATE", "east.admin"))
    e1, e2, e3, e4 = (
        ScanEventIn.model_validate(event(clock.now() - timedelta(minutes=i))) for i in range(4)
    )
    with hub.sessions() as session:
        answers = ingest_pushes(
            session,
            [
                Push(west, [e1, e2]),
                Push(east, [e1, e3]),  # the same id from another device is its own event
                Push(west, [e2, e4]),  # e2 came in the push before, in this same transaction
                Push(hash_token("tqd_unknown"), [e4]),
            ],
            clock,
        )
        session.commit()
    assert [(a.stored, a.duplicates) if a else None for a in answers] == [
        (2, 0),
        (2, 0),
        (1, 1),
        None,
    ]
    with hub.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScanEventRecord)) == 5
        entries = session.scalars(
            select(LedgerEntryRecord.subject).where(LedgerEntryRecord.kind == SCANS)
        ).all()
    assert len(entries) == 2  # one per device and transaction


def test_concurrent_pushes_through_the_intake_are_each_stored_once(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    gates = [token_of(device(client, tokens, "W-GATE", "west.admin")) for _ in range(4)]
    intake = Intake(hub.sessions, hub.clock)
    events = [ScanEventIn.model_validate(event(clock.now())) for _ in range(40)]
    answers: list[IngestResult | None] = []
    lock = threading.Lock()

    def send(index: int) -> None:
        # Each event twice, from its own device: the second is a duplicate.
        for _ in range(2):
            answer = intake.submit(Push(gates[index % 4], [events[index]])).result(timeout=30)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    assert sum(a.stored for a in answers if a) == 40
    assert sum(a.duplicates for a in answers if a) == 40
    assert session.scalar(select(func.count()).select_from(ScanEventRecord)) == 40


def test_scans_and_batches_take_turns(hub: HubContext, clock: FixedClock) -> None:
    intake = Intake(hub.sessions, hub.clock)
    one = [ScanEventIn.model_validate(event(clock.now()))]
    batch = one * 1500  # the size is what counts here

    def wait(*names: str) -> None:
        for name in names:
            intake._waiting.append(_Waiting(Push(name, one if name[0] == "s" else batch), Future()))

    def group() -> list[str]:
        return [w.push.token_hash for w in intake._next_group()]

    wait("b1", "b2", "s1", "b3", "s2")
    assert group() == ["s1", "s2"]  # every scan waiting, ahead of the batches queued before
    wait("s3")
    assert group() == ["b1"]  # then the batches' turn: as many as fit in one group, in order
    assert group() == ["s3"]
    assert group() == ["b2"]
    assert group() == ["b3"]


def test_a_busy_database_answers_every_push_of_the_group_at_once(
    databases: DatabaseFactory, backend: str, clock: FixedClock
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's one write lock, held by another process's connection")
    url = databases.migrated_url("intake-busy")
    engine = make_engine(url, busy_timeout_ms=500)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the timeout
        intake = Intake(make_session_factory(engine), clock)
        one = [ScanEventIn.model_validate(event(clock.now()))]
        intake._waiting.extend(_Waiting(Push(f"d{i}", one), Future()) for i in range(3))
        group = intake._next_group()
        started = time.monotonic()
        intake._store(group)
        for waiting in group:
            with pytest.raises(OperationalError, match="locked"):
                waiting.answer.result(timeout=0)
        assert time.monotonic() - started < 1.4  # one wait (0.5 s) for the group, not one per push
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
