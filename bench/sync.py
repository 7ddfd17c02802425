"""Sync: 100,000 queued scan events pushed by one device, through the HTTP API in-process
(JSON parsing, per-event validation, idempotent insert, contradiction and clone checks).

Measures on a fresh SQLite file and, when reachable, on PostgreSQL
(TANSIQ_BENCH_POSTGRES_URL, default the local test server; a database is created and dropped).
Then sends the whole queue again to show that a replay stores nothing.
Prints `result: sync_events_per_s = …` (SQLite) and `result: sync_events_per_s_pg = …`.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tansiq.app import create_app
from tansiq.checkpoints.service import register_device
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.text import BilingualText
from tansiq.db.engine import make_engine, normalise_url
from tansiq.db.migrate import upgrade
from tansiq.geo.service import import_checkpoints
from tansiq.parties.domain import PartyKind, Principal, Role
from tansiq.parties.service import create_party, create_user
from tansiq.settings import Settings

EVENTS = 100_000
BATCH = 5_000
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def queue() -> list[dict[str, Any]]:
    start = NOW - timedelta(days=7)
    return [
        {
            "id": uuid.uuid4().hex,
            "scanned_at": (start + timedelta(seconds=6 * i)).isoformat(),
            "permit": f"P-{i % 20_000:06d}",
            "version": 1,
            "verdict": "valid",
            "action": "passage" if i % 50 else "refusal",
            "reason_code": None if i % 50 else "incomplete_documents",
            "officer": "Cpl. Nour",
        }
        for i in range(EVENTS)
    ]


def prepare(url: str) -> tuple[HubContext, str]:
    engine = make_engine(url)
    upgrade(engine)
    clock = FixedClock(NOW)
    with Session(engine) as session:
        hub = create_party(
            session, code="hub", kind=PartyKind.HUB, name=BilingualText("", "Hub"), clock=clock
        )
        authority = create_party(
            session,
            code="auth",
            kind=PartyKind.AUTHORITY,
            name=BilingualText("", "Authority"),
            clock=clock,
        )
        admin = create_user(
            session,
            party=hub,
            username="admin",
            display_name="Admin",
            password="bench-password",  # noqa: S106 - a throwaway bench database
            roles=frozenset({Role.ADMIN}),
            clock=clock,
        )
        principal = Principal(admin.id, "admin", hub.id, PartyKind.HUB, frozenset({Role.ADMIN}))
        import_checkpoints(
            session,
            principal,
            clock=clock,
            authority=authority.code,
            document={
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [41.04, 34.4]},
                "properties": {"code": "CP-1", "name_en": "Gate"},
            },
        )
        device = register_device(session, principal, checkpoint="CP-1", name="bench", clock=clock)
        session.commit()
    context = HubContext.from_settings(
        Settings(database_url=url, max_body_bytes=64 * 1024 * 1024), clock=clock, engine=engine
    )
    return context, device.token


def push_all(client: TestClient, token: str, events: list[dict[str, Any]]) -> tuple[float, int]:
    headers = {"Authorization": f"Device {token}"}
    stored = 0
    started = time.perf_counter()
    for start in range(0, len(events), BATCH):
        response = client.post(
            "/api/v1/sync/events", headers=headers, json={"events": events[start : start + BATCH]}
        )
        response.raise_for_status()
        stored += response.json()["stored"]
    return time.perf_counter() - started, stored


def run(label: str, url: str, events: list[dict[str, Any]]) -> float:
    context, token = prepare(url)
    with TestClient(create_app(context)) as client:
        seconds, stored = push_all(client, token, events)
        replay_seconds, replayed = push_all(client, token, events)
    context.engine.dispose()
    rate = stored / seconds
    print(
        f"{label:<11} {stored:>8} stored in {seconds:6.2f} s = {rate:>9,.0f} events/s; "
        f"replay stored {replayed} in {replay_seconds:.2f} s"
    )
    if stored != len(events) or replayed:
        raise SystemExit(
            f"{label}: lost or duplicated events ({stored} stored, {replayed} replayed)"
        )
    return rate


def postgres_database() -> str | None:
    base = os.environ.get("TANSIQ_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"tq_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(
            make_url(normalise_url(base)), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # no server is a reason to skip it, not to fail
        print(f"PostgreSQL not reachable ({type(error).__name__}); skipping it")
        return None
    return make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    target = make_url(url)
    admin = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    events = queue()
    print(f"{EVENTS:,} events from one device, batches of {BATCH:,}")
    with tempfile.TemporaryDirectory() as folder:
        sqlite_rate = run("SQLite", f"sqlite:///{folder}/bench.db", events)
    pg_url = postgres_database()
    pg_rate = None
    if pg_url is not None:
        try:
            pg_rate = run("PostgreSQL", pg_url, events)
        finally:
            drop(pg_url)
    print(f"result: sync_events_per_s = {sqlite_rate:.0f}")
    if pg_rate is not None:
        print(f"result: sync_events_per_s_pg = {pg_rate:.0f}")


if __name__ == "__main__":
    main()
