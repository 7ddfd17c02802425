"""Reads never write, writes are short (STYLE rule 11, issue 10): readers on a real database
file get no 503 while a writer writes; a GET runs no INSERT, UPDATE or DELETE; on SQLite a
read (a GET, a route check) takes no write lock at all; and when a token or device was last
used is still recorded, at most every five minutes, after the request's own work."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.checkpoints.models import DeviceRecord
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.parties.models import ApiTokenRecord
from tansiq.parties.service import hash_token
from tansiq.settings import Settings
from tansiq.web.session import SESSION_COOKIE, PageSession, SessionSigner
from tests.checkpoints.test_intake import settle_intake
from tests.clearances.conftest import ROADS, application_body, decide, review_of, submit
from tests.conftest import NOW, PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory, Tokens
from tests.factories import token_for

WRITES = ("INSERT", "UPDATE", "DELETE")


def register_device(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    response = client.post(
        "/api/v1/devices", headers=admin, json={"checkpoint": "W-GATE", "name": "Gate phone"}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Device {response.json()['token']}"}


def scan(at: datetime, number: int) -> dict[str, Any]:
    return {
        "id": f"{number:032x}",
        "scanned_at": at.isoformat(),
        "permit": f"P-{900_000 + number}",
        "version": 1,
        "verdict": "valid",
        "action": "passage",
        "officer": "Cpl. Nour",
    }


@dataclass
class LiveHub:
    """A hub on its own database (a file on SQLite), committing for real."""

    engine: Engine
    app: FastAPI
    clock: FixedClock
    tokens: dict[str, dict[str, str]]


@pytest.fixture
def live(databases: DatabaseFactory, request: pytest.FixtureRequest) -> Iterator[LiveHub]:
    busy_ms = getattr(request, "param", PATIENT_BUSY_TIMEOUT_MS)
    engine = make_engine(databases.migrated_url("reads"), busy_timeout_ms=busy_ms)
    clock = FixedClock(NOW)
    users = ("trader", "west.reviewer", "east.reviewer", "west.admin")
    with Session(engine) as session:
        load_demo(session, clock)
        session.commit()
        tokens = {name: token_for(session, clock, name) for name in users}
    hub = HubContext.from_settings(
        Settings(database_url="sqlite://", secret_key="live-secret-key-0123456789-abcdefghij"),
        clock=clock,
        engine=engine,
    )
    try:
        yield LiveHub(engine, create_app(hub), clock, tokens)
    finally:
        settle_intake(hub)
        engine.dispose()


def test_readers_get_no_busy_answer_while_a_writer_writes(live: LiveHub) -> None:
    """Three readers (a user, the applications list, a device pulling) against a writer that
    applies, decides and pushes scans: before issue 10, most reads were refused with 503."""
    with TestClient(live.app) as client:
        gate = register_device(client, live.tokens["west.admin"])
    writing = threading.Event()
    writing.set()
    answers: list[tuple[str, int, str]] = []
    written: list[tuple[str, int, str]] = []

    def read(path: str, headers: dict[str, str]) -> None:
        with TestClient(live.app) as client:
            count = 0
            while writing.is_set() or count < 5:
                response = client.get(path, headers=headers)
                answers.append((path, response.status_code, response.text[:200]))
                count += 1

    def write() -> None:
        try:
            with TestClient(live.app) as client:
                for i in range(4):
                    body = application_body(live.clock, client_reference=f"RW-{i}")
                    made = submit(client, live.tokens["trader"], body)
                    review = review_of(made, "west-command")
                    reviewer = live.tokens["west.reviewer"]
                    decided = decide(client, reviewer, review, decision="approve")
                    written.append(("decision", decided.status_code, decided.text[:200]))
                    events = [scan(live.clock.now(), i * 100 + n) for n in range(50)]
                    pushed = client.post(
                        "/api/v1/sync/events", json={"events": events}, headers=gate
                    )
                    written.append(("push", pushed.status_code, pushed.text[:200]))
        finally:
            writing.clear()

    readers = [
        threading.Thread(target=read, args=("/api/v1/me", live.tokens["east.reviewer"])),
        threading.Thread(target=read, args=("/api/v1/applications", live.tokens["trader"])),
        threading.Thread(target=read, args=("/api/v1/sync/pull", gate)),
    ]
    writer = threading.Thread(target=write)
    for thread in [*readers, writer]:
        thread.start()
    for thread in [*readers, writer]:
        thread.join()

    assert len(written) == 8
    assert all(status == 200 for _, status, _ in written), written
    assert len(answers) >= 15
    refused = [answer for answer in answers if answer[1] != 200]
    assert refused == []


@pytest.mark.parametrize("live", [200], indirect=True)  # a busy timeout of 0.2 s
def test_on_sqlite_a_read_takes_no_write_lock(live: LiveHub, backend: str) -> None:
    """Another connection holds SQLite's write lock: reads, a route check and a pull are
    answered at once; a write waits out the busy timeout and is refused with 503; a last use
    that could not be written is skipped, never an error, and written once the lock is free."""
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    with TestClient(live.app) as client:
        gate = register_device(client, live.tokens["west.admin"])
        path = make_url(str(live.engine.url)).database
        assert path
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            me = client.get("/api/v1/me", headers=live.tokens["trader"])
            pull = client.get("/api/v1/sync/pull", headers=gate)
            route = client.post(
                "/api/v1/routes/resolve",
                json={"route": ROADS["bridge-road"]},
                headers=live.tokens["trader"],
            )
            applied = client.post(
                "/api/v1/applications",
                json=application_body(live.clock),
                headers=live.tokens["trader"],
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert (me.status_code, pull.status_code, route.status_code) == (200, 200, 200)
        assert applied.status_code == 503
        assert applied.json()["error"]["code"] == "database.busy"
        assert last_used(live.engine, live.tokens["trader"]) is None

        assert client.get("/api/v1/me", headers=live.tokens["trader"]).status_code == 200
    assert last_used(live.engine, live.tokens["trader"]) == NOW


def last_used(engine: Engine, headers: dict[str, str]) -> datetime | None:
    secret = headers["Authorization"].split(" ", 1)[1]
    with Session(engine) as session:
        return session.scalar(
            select(ApiTokenRecord.last_used_at).where(
                ApiTokenRecord.token_hash == hash_token(secret)
            )
        )


class Statements:
    """The SQL statements the engine runs while recording."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement.strip())

    @property
    def writes(self) -> list[str]:
        return [s for s in self.seen if s.upper().startswith(WRITES)]


def test_a_get_runs_no_write_statement(
    client: TestClient, engine: Engine, tokens: Tokens, hub: HubContext
) -> None:
    trader = tokens("trader")
    gate = register_device(client, tokens("west.admin"))
    secret = trader["Authorization"].split(" ", 1)[1]
    cookie = SessionSigner(hub.settings.secret_key).dump(PageSession(token=secret))
    requests = [
        ("/api/v1/me", trader),
        ("/api/v1/applications", trader),
        ("/api/v1/sync/pull", gate),
        ("/home", {"Cookie": f"{SESSION_COOKIE}={cookie}"}),
    ]
    # The first use of a token or device notes it, in one UPDATE after the request's work.
    with Statements(engine) as first:
        for path, headers in requests:
            assert client.get(path, headers=headers).status_code == 200
    noted = [w.split()[:2] for w in first.writes]
    assert noted == [["UPDATE", "api_tokens"], ["UPDATE", "checkpoint_devices"]]
    with Statements(engine) as again:
        for path, headers in requests:
            assert client.get(path, headers=headers).status_code == 200
    assert again.seen
    assert again.writes == []


def test_last_use_is_recorded_at_most_every_five_minutes(
    client: TestClient, session: Session, tokens: Tokens, clock: FixedClock
) -> None:
    trader = tokens("trader")
    gate = register_device(client, tokens("west.admin"))
    secret = trader["Authorization"].split(" ", 1)[1]

    def noted() -> tuple[datetime | None, datetime | None]:
        session.expire_all()
        token = session.scalars(
            select(ApiTokenRecord).where(ApiTokenRecord.token_hash == hash_token(secret))
        ).one()
        device = session.scalars(
            select(DeviceRecord).order_by(DeviceRecord.id.desc()).limit(1)
        ).one()
        return token.last_used_at, device.last_sync_at

    assert noted() == (None, None)
    for minutes, expected in ((0, NOW), (4, NOW), (6, NOW + timedelta(minutes=6))):
        clock.advance(timedelta(minutes=minutes) - (clock.now() - NOW))
        assert client.get("/api/v1/me", headers=trader).status_code == 200
        assert client.get("/api/v1/sync/pull", headers=gate).status_code == 200
        assert noted() == (expected, expected), minutes


def test_a_sign_in_checks_the_password_before_it_takes_the_write_lock(
    live: LiveHub, backend: str
) -> None:
    """argon2 is slow on purpose: a sign-in that took SQLite's write lock first held up every
    writer of the hub for the length of a hash. The lock comes after, for the token alone."""
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    with TestClient(live.app) as client, Statements(live.engine) as statements:
        signed_in = client.post(
            "/api/v1/auth/tokens", json={"username": "trader", "password": "tansiq-demo"}
        )
    assert signed_in.status_code == 201, signed_in.text
    seen = [s.upper() for s in statements.seen]
    begin = seen.index("BEGIN IMMEDIATE")
    user_read = next(i for i, s in enumerate(seen) if s.startswith("SELECT") and "FROM USERS" in s)
    assert user_read < begin
    assert [s.split()[:3] for s in statements.writes] == [["INSERT", "INTO", "api_tokens"]]


def test_an_application_is_routed_before_it_takes_the_write_lock(
    live: LiveHub, backend: str
) -> None:
    """Routing a long route is seconds of CPU: it runs in the read, and SQLite's write lock is
    taken after it, for the application's own statements."""
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    with TestClient(live.app) as client, Statements(live.engine) as statements:
        applied = client.post(
            "/api/v1/applications",
            json=application_body(live.clock),
            headers=live.tokens["trader"],
        )
    assert applied.status_code == 201, applied.text
    seen = [s.upper() for s in statements.seen]
    begin = seen.index("BEGIN IMMEDIATE")
    before = seen[:begin]
    assert any("FROM APPLICATIONS" not in s and s.startswith("SELECT") for s in before)
    assert not any(s.startswith(WRITES) for s in before)
