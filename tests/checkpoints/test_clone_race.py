"""Two devices pushing scans of one permit at the same moment: the clone is still found.

On SQLite one writer at a time makes the second push read the first's scan. On PostgreSQL
(read committed) each push reads the other's scan as not yet stored, so neither saw the clone
(issue 10): each push now looks again once it is stored, and the later of the two sees both.
The clone is told once, however many looks find it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.checkpoints.messages import CLONE_SUSPECTED
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.notify.models import EventRecord
from tansiq.settings import Settings
from tests.conftest import NOW, PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory
from tests.factories import token_for

ROUNDS = 12


@pytest.fixture
def hub_app(databases: DatabaseFactory) -> Iterator[tuple[Engine, FastAPI, dict[str, Any]]]:
    engine = make_engine(databases.migrated_url("clones"), busy_timeout_ms=PATIENT_BUSY_TIMEOUT_MS)
    clock = FixedClock(NOW)
    with Session(engine) as session:
        load_demo(session, clock)
        session.commit()
        admins = {name: token_for(session, clock, name) for name in ("west.admin", "east.admin")}
    hub = HubContext.from_settings(Settings(database_url="sqlite://"), clock=clock, engine=engine)
    try:
        yield engine, create_app(hub), admins
    finally:
        engine.dispose()


def test_a_clone_pushed_from_two_devices_at_once_is_found(
    hub_app: tuple[Engine, FastAPI, dict[str, Any]],
) -> None:
    engine, app, admins = hub_app
    gates: list[dict[str, str]] = []
    with TestClient(app) as client:
        for code, admin in (("W-GATE", "west.admin"), ("E-GATE", "east.admin")):
            made = client.post(
                "/api/v1/devices", headers=admins[admin], json={"checkpoint": code, "name": "g"}
            )
            assert made.status_code == 201, made.text
            gates.append({"Authorization": f"Device {made.json()['token']}"})
    answers: list[int] = []

    def push(gate: dict[str, str], minutes: int, start: threading.Barrier) -> None:
        with TestClient(app) as client:
            for round_ in range(ROUNDS):
                scan = {
                    "id": uuid.uuid4().hex,
                    # West Gate to East Gate is about 11 km: 2 minutes apart is a clone.
                    "scanned_at": (NOW + timedelta(minutes=minutes)).isoformat(),
                    "permit": f"P-{700_000 + round_}",
                    "version": 1,
                    "verdict": "valid",
                    "action": "passage",
                    "officer": "Cpl. Nour",
                }
                start.wait()
                answer = client.post("/api/v1/sync/events", json={"events": [scan]}, headers=gate)
                answers.append(answer.status_code)

    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=push, args=(gates[0], 0, start)),
        threading.Thread(target=push, args=(gates[1], 2, start)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * (2 * ROUNDS)
    with Session(engine) as session:
        flagged = session.scalar(
            select(func.count(func.distinct(ScanEventRecord.permit_ref))).where(
                ScanEventRecord.clone_suspected
            )
        )
        told = session.execute(
            select(EventRecord.subject, EventRecord.party_id, func.count())
            .where(EventRecord.kind == CLONE_SUSPECTED.kind)
            .group_by(EventRecord.subject, EventRecord.party_id)
        ).all()
    assert flagged == ROUNDS
    assert len({subject for subject, _, _ in told}) == ROUNDS
    assert {count for _, _, count in told} == {1}
