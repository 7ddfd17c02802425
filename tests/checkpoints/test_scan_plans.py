"""The statements a sync runs for every group look scans up by index on SQLite: a walk over
the whole scan table costs every sync more as the table grows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tansiq.checkpoints.repository import CheckpointRepository


@pytest.fixture
def plans(session: Session) -> Iterator[list[str]]:
    """The query plan of every statement the session runs meanwhile, one line per step."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's query plans")
    connection = session.connection()
    seen: list[str] = []

    def explain(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        rows = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        seen.extend(str(row[3]) for row in rows)

    event.listen(connection, "before_cursor_execute", explain)
    yield seen
    event.remove(connection, "before_cursor_execute", explain)


def test_marking_clones_looks_up_each_scan_by_its_device_and_id(
    session: Session, plans: list[str]
) -> None:
    CheckpointRepository(session).mark_clones([(1, "event-0001"), (2, "event-0002")])
    assert plans, "no statement ran"
    assert not [step for step in plans if step.startswith("SCAN scan_events")], plans
    assert any("(device_id=? AND event_uid=?)" in step for step in plans), plans


def test_the_look_for_clones_reads_one_index(session: Session, plans: list[str]) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    CheckpointRepository(session).neighbours({"P-000001", "P-000002"}, now - timedelta(1), now, {1})
    assert plans, "no statement ran"
    assert not [step for step in plans if step.startswith("SCAN scan_events")], plans
    assert any("COVERING INDEX ix_scan_events_sightings" in step for step in plans), plans
