"""A small year of the hub's life, built through the API with a fixed clock, whose figures
are counted by hand in the tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.settings import Settings
from tests.checkpoints.test_sync import device, event, push
from tests.clearances.conftest import ROADS, Tokens, application_body, decide, review_of, submit
from tests.conftest import NOW, SECRET_KEY, DatabaseFactory, app_for, demo_engine
from tests.factories import token_for

PERIOD = "from=2026-11-25&to=2026-11-26"


@dataclass(frozen=True)
class Scenario:
    """Ids of what was built: applications A-D (see :func:`scenario`) and B's permit."""

    a: int
    b: int
    c: int
    d: int
    permit_b: int


def _read(client: TestClient, headers: dict[str, str], application_id: int) -> Any:
    response = client.get(f"/api/v1/applications/{application_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass(frozen=True)
class ScenarioDatabase:
    """A database of its own with the scenario committed, and the time it ends at."""

    engine: Engine
    scenario: Scenario
    now: datetime


@pytest.fixture(scope="package")
def scenario_database(databases: DatabaseFactory) -> Iterator[ScenarioDatabase]:
    """The scenario, built once, as every test reading it built it again (about half a second
    of CPU a test, more under coverage): on the demo town as the worker's database has it,
    through the same API, a hub made as the ``hub`` fixture makes one, and the same clock;
    committed, in a database of its own. Each test reading it still runs in a transaction
    that is rolled back (``engine`` below)."""
    engine = demo_engine(databases.migrated_url("figures"))
    clock = FixedClock(NOW)
    with engine.connect() as connection, connection.begin():
        sessions = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        settings = Settings(
            database_url="sqlite://", max_body_bytes=1024 * 1024, secret_key=SECRET_KEY
        )
        hub = HubContext(settings=settings, engine=engine, sessions=sessions, clock=clock)
        made: dict[str, dict[str, str]] = {}
        with (
            sessions() as session,
            TestClient(app_for(hub), raise_server_exceptions=False) as client,
        ):

            def tokens(username: str) -> dict[str, str]:
                if username not in made:
                    made[username] = token_for(session, clock, username)
                return made[username]

            built = build_scenario(client, tokens, clock, hub)
    try:
        yield ScenarioDatabase(engine, built, clock.now())
    finally:
        engine.dispose()


@pytest.fixture
def engine(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """A test reading the scenario runs on its database (the hub, the app and the test's
    rolled-back transaction all on it); any other, on the worker's, as everywhere else."""
    if "scenario" in request.fixturenames:
        built: ScenarioDatabase = request.getfixturevalue("scenario_database")
        return built.engine
    return engine


@pytest.fixture
def scenario(scenario_database: ScenarioDatabase, clock: FixedClock) -> Scenario:
    """The scenario below, with the test's clock where building it left the clock."""
    clock.current = scenario_database.now
    return scenario_database.scenario


def build_scenario(
    client: TestClient, tokens: Tokens, clock: FixedClock, hub: HubContext
) -> Scenario:
    """From T0 = 2026-11-25 12:00 UTC (the tests' fixed clock):

    - T0: the trader submits A and D over the bridge (West Command and East Force decide) and
      B and C on the west road (West Command only).
    - T0+0:30 West refuses C (incomplete documents); T0+1:00 West approves A; T0+2:00 West
      approves B (its permit is issued); T0+3:00 East refuses A (route closed); T0+4:00 the
      trader appeals East's refusal; T0+5:00 West revokes B's permit (cargo mismatch);
      T0+6:00 East refuses A again (route closed): the appeal is upheld.
    - T0+25:00 the jobs run: D's two reviews, past their 24 h deadline, are overdue.
    - Scans, pushed at T0+25:00: W-GATE lets B through (T0+2:30) and P-000042 (T0+1:00);
      W-SOUTH refuses B for a cargo mismatch (T0+2:40: a permit West signed, a
      contradiction); E-GATE sees P-000042 two minutes after W-GATE (a suspected clone),
      refuses B as revoked (T0+6:00) and lets P-000099 through against its verdict on the
      supervisor's order (T0+7:00).
    """
    trader = tokens("trader")
    t0 = clock.now()
    made = {}
    for name, road in (
        ("a", "bridge-road"),
        ("b", "west-road"),
        ("c", "west-road"),
        ("d", "bridge-road"),
    ):
        body = application_body(clock, client_reference=f"FIG-{name}", route=ROADS[road])
        made[name] = submit(client, trader, body)

    def at(hours: float) -> None:
        clock.current = t0 + timedelta(hours=hours)

    west, east = tokens("west.reviewer"), tokens("east.reviewer")
    at(0.5)
    c = made["c"]
    _ok(
        decide(
            client,
            west,
            review_of(c, "west-command"),
            decision="reject",
            reason_code="incomplete_documents",
        )
    )
    at(1)
    _ok(decide(client, west, review_of(made["a"], "west-command"), decision="approve"))
    at(2)
    _ok(decide(client, west, review_of(made["b"], "west-command"), decision="approve"))
    at(3)
    a = _read(client, east, made["a"]["id"])
    _ok(
        decide(
            client, east, review_of(a, "east-force"), decision="reject", reason_code="route_closed"
        )
    )
    at(4)
    east_review = review_of(a, "east-force")
    _ok(
        client.post(
            f"/api/v1/applications/{a['id']}/appeals",
            json={"review_id": east_review["id"], "grounds": "The bridge reopened on Monday."},
            headers=trader,
        )
    )
    at(5)
    b = _read(client, west, made["b"]["id"])
    permit_b = b["permits"][-1]["id"]
    _ok(
        client.post(
            f"/api/v1/permits/{permit_b}/revoke",
            json={"reason_code": "cargo_mismatch"},
            headers=west,
        )
    )
    at(6)
    a = _read(client, east, made["a"]["id"])
    _ok(
        decide(
            client, east, review_of(a, "east-force"), decision="reject", reason_code="route_closed"
        )
    )
    at(25)
    build_runner(hub).run_due(hub.sessions, hub.clock)

    ref_b = f"P-{made['b']['id']:06d}"
    gate = device(client, tokens, "W-GATE", "west.admin")
    south = device(client, tokens, "W-SOUTH", "west.admin")
    east_gate = device(client, tokens, "E-GATE", "east.admin")

    def when(hours: float) -> Any:
        return t0 + timedelta(hours=hours)

    push(client, gate, [event(when(2.5), permit=ref_b), event(when(1), permit="P-000042")])
    contradiction = push(
        client,
        south,
        [event(when(2 + 40 / 60), permit=ref_b, action="refusal", reason_code="cargo_mismatch")],
    )
    assert contradiction["contradictions"] == 1
    pushed = push(
        client,
        east_gate,
        [
            event(when(1 + 2 / 60), permit="P-000042"),
            event(
                when(6),
                permit=ref_b,
                action="refusal",
                reason_code="permit_revoked",
                verdict="revoked",
            ),
            event(
                when(7),
                permit="P-000099",
                action="override",
                reason_code="supervisor_order",
                note="Ambulance behind the truck",
                verdict="expired",
            ),
        ],
    )
    assert pushed["clones_suspected"] == 1
    return Scenario(made["a"]["id"], made["b"]["id"], made["c"]["id"], made["d"]["id"], permit_b)
