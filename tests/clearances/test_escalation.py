"""Deadlines as database-backed jobs: reminder at half time, overdue at the deadline, both
surviving a restart of the hub between them (a new app, a new runner, the same database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tansiq.app import create_app
from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit


def kinds(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [item["kind"] for item in client.get("/api/v1/inbox", headers=headers).json()]


def run_jobs(hub: HubContext) -> int:
    """A fresh runner each time, as a restarted hub would build."""
    return build_runner(hub).run_due(hub.sessions, hub.clock)


@pytest.fixture
def restarted(hub: HubContext) -> Iterator[TestClient]:
    """A second app on the same database and clock: the hub after a restart."""
    with TestClient(create_app(hub), raise_server_exceptions=False) as client:
        yield client


def test_reminder_at_half_time_then_overdue_after_a_restart(
    client: TestClient,
    restarted: TestClient,
    hub: HubContext,
    clock: FixedClock,
    tokens: Tokens,
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    east = tokens("east.reviewer")

    clock.advance(timedelta(hours=11, minutes=59))
    run_jobs(hub)
    assert "review.reminder" not in kinds(client, east)

    clock.advance(timedelta(minutes=1))
    run_jobs(hub)
    assert kinds(client, east).count("review.reminder") == 1

    # The hub restarts: nothing held in memory, the jobs are rows.
    clock.advance(timedelta(hours=12))
    run_jobs(hub)
    assert kinds(restarted, east).count("review.overdue") == 1
    assert "application.overdue" in kinds(restarted, tokens("trader"))
    assert "application.overdue" in kinds(restarted, tokens("municipality"))
    seen = restarted.get(
        f"/api/v1/applications/{application['id']}", headers=tokens("municipality")
    )
    assert seen.status_code == 200
    assert review_of(seen.json(), "east-force")["overdue"] is True

    run_jobs(hub)
    assert kinds(restarted, east).count("review.reminder") == 1
    assert kinds(restarted, east).count("review.overdue") == 1


def test_a_decision_in_time_cancels_the_escalation(
    client: TestClient, hub: HubContext, clock: FixedClock, tokens: Tokens
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client, tokens("east.reviewer"), review_of(application, "east-force"), decision="approve"
    )
    clock.advance(timedelta(days=2))
    run_jobs(hub)
    east = kinds(client, tokens("east.reviewer"))
    assert "review.reminder" not in east
    assert "review.overdue" not in east
    assert "review.overdue" in kinds(client, tokens("west.reviewer"))


def test_the_application_expires_with_its_window(
    client: TestClient, hub: HubContext, clock: FixedClock, tokens: Tokens
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    for authority, reviewer in (("west-command", "west.reviewer"), ("east-force", "east.reviewer")):
        decide(client, tokens(reviewer), review_of(application, authority), decision="approve")
    clock.advance(timedelta(days=3, seconds=1))
    run_jobs(hub)
    seen = client.get(f"/api/v1/applications/{application['id']}", headers=tokens("trader")).json()
    assert seen["status"] == "expired"
    assert seen["permits"][0]["status"] == "expired"
