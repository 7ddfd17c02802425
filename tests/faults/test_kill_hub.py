"""``kill -9`` of a real hub process in the middle of a request, then a restart and the client's
resend: proved by counting every table's rows that nothing is lost, half-stored or stored twice.

Each case first sends a twin request that is left alone, which gives the request's effect (rows
added per table) and its duration; the request under test is then cut by a SIGKILL at a random
point of that duration. Whether the kill came before, during or after the commit, the database
holds either none or all of the request's rows; after the resend it holds all of them, once.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.pool import NullPool

from tansiq.cli.serve import prepare_signing
from tansiq.core.clock import FixedClock, SystemClock
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.demo.service import load_demo
from tansiq.tallies.models import TallyRecord
from tests.clearances.conftest import application_body, review_of
from tests.conftest import DatabaseFactory
from tests.factories import token_for
from tests.processes import TansiqProcess, free_port, start, wait_until_serving

SECRET = "kill-nine-test-secret-key-that-is-long-enough-0123456789"
USERS = ("trader", "west.admin", "west.reviewer", "east.reviewer")
Answer = tuple[int, Any]


@dataclass
class LiveHub:
    """A ``tansiq serve`` process on a database of its own, restarted on the same port."""

    database_url: str
    folder: Path
    headers: dict[str, dict[str, str]]
    port: int = field(default_factory=free_port)
    process: TansiqProcess | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        self.process = start(
            ["serve", "--no-worker", "--port", str(self.port)],
            database_url=self.database_url,
            log=self.folder / f"hub-{self.starts}.log",
            # Each start queues the next ledger-head job, one per time slot: with the default
            # ten-minute slots a restart in a new slot added a job row, counted as "stored
            # twice". Day-long slots keep the count about the request alone.
            env={"TANSIQ_SECRET_KEY": SECRET, "TANSIQ_LEDGER_HEAD_INTERVAL_MINUTES": "1440"},
        )
        wait_until_serving(self.process, self.port)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def post(self, path: str, body: Any, user: str | dict[str, str]) -> Answer:
        headers = self.headers[user] if isinstance(user, str) else user
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode(),
            headers={**headers, "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def rows(self) -> Counter[str]:
        """Rows in every table of the hub's database; for the figures' running totals, what
        they count (a request adds to a day's row more often than it adds a row)."""
        engine = make_engine(self.database_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                tables = inspect(connection).get_table_names()
                found = Counter(
                    {
                        name: connection.execute(
                            select(func.count()).select_from(sql_table(name))
                        ).scalar_one()
                        for name in tables
                    }
                )
                found[TallyRecord.__tablename__] = connection.execute(
                    select(func.coalesce(func.sum(TallyRecord.count), 0))
                ).scalar_one()
                return found
        finally:
            engine.dispose()


@pytest.fixture
def hub(databases: DatabaseFactory, tmp_path: Path) -> Iterator[LiveHub]:
    """The demo town with signing keys, committed, and a hub process serving it."""
    url = databases.migrated_url("kill")
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        clock = SystemClock()
        with unit_of_work(sessions) as session:
            load_demo(session, clock)
            prepare_signing(session, SECRET, clock)
        with sessions() as session:
            headers = {user: token_for(session, clock, user) for user in USERS}
    finally:
        engine.dispose()
    live = LiveHub(url, tmp_path, headers)
    live.start()
    yield live
    live.stop()


def added(after: Counter[str], before: Counter[str]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def timed(send: Callable[[], Answer]) -> tuple[Answer, float]:
    began = time.monotonic()
    answer = send()
    return answer, time.monotonic() - began


def killed_during(hub: LiveHub, send: Callable[[], Answer], duration_s: float) -> Answer | None:
    """Send in a thread and SIGKILL the hub at a random point of ``duration_s``; the answer,
    if one came back before the kill."""
    answers: list[Answer | None] = []

    def sending() -> None:
        try:
            answers.append(send())
        except (OSError, http.client.HTTPException):
            answers.append(None)  # the connection died with the process

    thread = threading.Thread(target=sending)
    thread.start()
    time.sleep(random.uniform(0.2, 1.0) * duration_s)
    hub.kill()
    thread.join(timeout=60)
    assert answers, "the request neither finished nor failed"
    return answers[0]


def prove_once(
    hub: LiveHub,
    twin: Callable[[], Answer],
    victim: Callable[[], Answer],
    stored_again: Callable[[Answer], bool],
) -> None:
    """The twin's effect, then the victim cut by a kill, the hub restarted and the victim
    resent: all or nothing after the kill, exactly the twin's effect after the resend.
    ``stored_again`` says whether a resend's answer reports storing the request anew."""
    before = hub.rows()
    (status, body), duration_s = timed(twin)
    assert status == 200, body
    effect = added(hub.rows(), before)
    assert effect, "the request stored nothing"

    before = hub.rows()
    answer = killed_during(hub, victim, duration_s)
    after_kill = added(hub.rows(), before)
    assert after_kill in ({}, effect), "a request was stored in part"
    if answer is not None:
        assert answer[0] == 200, answer
        assert after_kill == effect, "answered but not stored"

    hub.start()
    resent = victim()
    assert stored_again(resent) == (after_kill == {}), resent
    assert added(hub.rows(), before) == effect, "lost or stored twice"


def test_a_sync_batch_cut_by_kill_9_is_stored_once(hub: LiveHub) -> None:
    status, device = hub.post(
        "/api/v1/devices", {"checkpoint": "W-GATE", "name": "Gate phone"}, "west.admin"
    )
    assert status == 201, device
    gate = {"Authorization": f"Device {device['token']}"}
    now = SystemClock().now()

    def batch() -> list[dict[str, Any]]:
        return [
            {
                "id": uuid.uuid4().hex,
                "scanned_at": (now - timedelta(seconds=n)).isoformat(),
                "permit": f"P-{n:06d}",
                "version": 1,
                "verdict": "valid",
                "action": "passage",
                "officer": "Cpl. Nour",
            }
            for n in range(3000)
        ]

    twin, victim = batch(), batch()

    def stored_again(answer: Answer) -> bool:
        status, body = answer
        assert status == 200, body
        assert body["stored"] + body["duplicates"] == len(victim)
        assert body["stored"] in (0, len(victim)), body
        return bool(body["stored"])

    prove_once(
        hub,
        lambda: hub.post("/api/v1/sync/events", {"events": twin}, gate),
        lambda: hub.post("/api/v1/sync/events", {"events": victim}, gate),
        stored_again,
    )


def submitted(hub: LiveHub, reference: str, approved_by: tuple[str, ...] = ()) -> Any:
    """An application over the bridge (west and east decide), approved by ``approved_by``."""
    now = SystemClock().now()
    body = application_body(FixedClock(now), client_reference=reference)
    status, application = hub.post("/api/v1/applications", body, "trader")
    assert status == 201, application
    for authority in approved_by:
        application = decision(hub, application, authority)()[1]
    return application


def decision(hub: LiveHub, application: Any, authority: str) -> Callable[[], Answer]:
    """Sending the approval of ``authority``'s review, as its reviewer, resent as is."""
    review = review_of(application, authority)
    reviewer = {"west-command": "west.reviewer", "east-force": "east.reviewer"}[authority]
    body = {"expected_version": review["lock_version"], "decision": "approve"}
    return lambda: hub.post(f"/api/v1/reviews/{review['id']}/decision", body, reviewer)


def refused_as_decided(answer: Answer) -> bool:
    """A resend of a decision already stored is refused (coded), never recorded twice."""
    status, body = answer
    if status == 200:
        return True
    assert status == 409, body
    assert body["error"]["code"].endswith(("stale_version", "not_pending")), body
    return False


def test_a_decision_cut_by_kill_9_is_stored_once(hub: LiveHub) -> None:
    twin = submitted(hub, "KILL-DECISION-1")
    victim = submitted(hub, "KILL-DECISION-2")
    prove_once(
        hub,
        decision(hub, twin, "west-command"),
        decision(hub, victim, "west-command"),
        refused_as_decided,
    )


def test_a_permit_issue_cut_by_kill_9_is_stored_once(hub: LiveHub) -> None:
    twin = submitted(hub, "KILL-PERMIT-1", approved_by=("west-command",))
    victim = submitted(hub, "KILL-PERMIT-2", approved_by=("west-command",))
    before = hub.rows()
    prove_once(
        hub,
        decision(hub, twin, "east-force"),
        decision(hub, victim, "east-force"),
        refused_as_decided,
    )
    issued = added(hub.rows(), before)
    assert issued["permits"] == 2, issued  # the twin's and the victim's, one each
    assert issued["permit_tokens"] == 2, issued
