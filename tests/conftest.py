"""Test fixtures: a real database (SQLite file or PostgreSQL), each test rolled back.

``TANSIQ_TEST_DATABASE_URL`` picks the backend (a PostgreSQL URL runs the suite there; each
xdist worker gets its own fresh database). The demo data set is loaded and committed once per
worker; every test then runs inside an outer transaction that is rolled back at its end,
using SQLAlchemy's PEP 249 recipe on SQLite (built into ``make_engine``).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Playwright, sync_playwright
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tansiq.app import create_app, use_hub
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine, normalise_url
from tansiq.db.migrate import upgrade
from tansiq.demo.service import load_demo
from tansiq.jobs.service import JobRunner
from tansiq.parties.service import use_password_hash_cost
from tansiq.permits import service as permits_service
from tansiq.settings import Settings
from tests.factories import token_for

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

# Speed is measured by bench/, never asserted by a test: hypothesis's per-example deadline
# fails at random when a parallel worker (a browser test, say) takes the CPU for a moment.
hypothesis_settings.register_profile("tansiq", deadline=None)
hypothesis_settings.load_profile("tansiq")
ENV_URL = "TANSIQ_TEST_DATABASE_URL"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
# SQLite busy timeout for the tests that race real threads on a database file. The hub's
# default (5 s) answers 503 "database.busy" when the writer ahead holds the lock longer,
# which a loaded machine can make happen; these tests assert what a race decides, not how
# long a machine takes, so they wait long enough that a 503 cannot be the answer.
PATIENT_BUSY_TIMEOUT_MS = 120_000
# The suite creates hundreds of users; at the hub's standard argon2 cost each one takes a
# tenth of a second or more. Every hub the tests build (and every `tansiq` subprocess they
# start, which inherits this) reads the same setting a deployment would; Settings accepts
# "minimal" only under pytest.
os.environ.setdefault("TANSIQ_PASSWORD_HASH_COST", "minimal")


@pytest.fixture(scope="session", autouse=True)
def _password_hash_cost() -> None:
    """Tests that use the services without building a hub hash at the configured cost too,
    applied as ``HubContext.from_settings`` applies it."""
    use_password_hash_cost(Settings().password_hash_cost)


# Set by .ci/run for its second pass (PostgreSQL, after SQLite): only the tests that touch a
# database run again; the rest (pure rules, the browser's own code, docs) cannot answer
# differently on another backend. Which tests those are is read from their fixtures. The
# browser journeys are left out too: their pages reach the database only through the services
# and repositories that the HTTP, page and CLI tests run on PostgreSQL, and driving Chromium
# over them again took half of the second pass.
SECOND_PASS = "TANSIQ_TEST_SECOND_PASS"
DATABASE_FIXTURES = frozenset({"databases", "backend"})
BROWSER_TESTS = Path(__file__).parent / "e2e"


def _on_every_backend(item: pytest.Item) -> bool:
    if BROWSER_TESTS in Path(str(item.path)).parents:
        return False
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get(SECOND_PASS):
        return
    kept = [i for i in items if _on_every_backend(i)]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


# How xdist (``--dist loadfile``) deals the suite out to its workers. Its own order sends the
# files with the most tests first, so the slowest ones, each a single long test (the README
# walkthrough, the API contract), started last and kept one worker busy for a minute or more
# after the other had finished. Here the files known to be slow go first, longest first, and
# the page crawls and the contract test are dealt out test by test (each a part of about equal
# length), so the two workers end close together. The weights are seconds per file (for the
# split files, per test): the sum of its tests' times, each from the worker's result before, in
# a ``-v`` run of the SQLite pass on a loaded machine (load about 12), so only their order
# matters; a file not named counts 0.6 s per test. A slow file missing here costs only balance.
# The weights of test_query_counts, test_token and test_access were scaled by the ratio of their
# own times after and before their tests stopped repeating work (each measured alone).
SPLIT_FILES = frozenset({"tests/e2e/test_every_page.py", "tests/test_api_contract.py"})
SLOW_FILES = {
    "tests/test_readme.py": 176,
    "tests/parties/test_admin_pages.py": 151,
    "tests/web/test_openapi.py": 148,
    "tests/cli/test_refusals.py": 125,
    "tests/web/test_query_counts.py": 120,
    "tests/faults/test_kill_hub.py": 118,
    "tests/e2e/test_driver_check.py": 95,
    "tests/e2e/test_admin_browser.py": 94,
    "tests/clearances/test_bad_input.py": 93,
    "tests/e2e/test_checkpoint_app.py": 93,
    "tests/e2e/test_incidents_browser.py": 92,
    "tests/e2e/test_trader_browser.py": 89,
    "tests/cli/test_cli.py": 73,
    "tests/e2e/test_browser.py": 72,
    "tests/jobs/test_worker_processes.py": 68,
    "tests/e2e/test_deconfliction_browser.py": 59,
    "tests/permits/test_route_in_token.py": 56,
    "tests/e2e/test_checkpoint_trust.py": 55,
    "tests/e2e/test_reviewer_browser.py": 54,
    "tests/permits/test_token.py": 45,
    "tests/accountability/test_access.py": 45,
    "tests/notify/test_api.py": 38,
    "tests/geo/test_zone_import_api.py": 37,
    "tests/incidents/test_cap_advisory.py": 34,
    "tests/e2e/test_map_browser.py": 33,
    "tests/db/test_concurrent_upgrade.py": 29,
    "tests/cli/test_checkpoint_retry.py": 21,
    "tests/test_api_contract.py": 76,  # each of its parts
    "tests/e2e/test_every_page.py": 50,  # each of its 10 crawls
}


def _unit_cost(scope: str, tests: int) -> float:
    return SLOW_FILES.get(scope.split("::", 1)[0], 0.6 * tests)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

    class SlowestFirst(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPLIT_FILES else path

        def _assign_work_unit(self, node: Any) -> None:
            units = sorted(
                self.workqueue.items(), key=lambda unit: -_unit_cost(unit[0], len(unit[1]))
            )
            self.workqueue.clear()
            self.workqueue.update(units)
            super()._assign_work_unit(node)

    return SlowestFirst(config, log)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if os.environ.get(ENV_URL, "").startswith("postgres") else "sqlite"


class DatabaseFactory:
    """Creates throwaway databases on the backend under test (for tests that must commit)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.base = os.environ.get(ENV_URL, "")
        self.created: list[str] = []
        self._template: str | None = None

    def migrated_url(self, label: str) -> str:
        """A new database already at the latest revision, for a test that needs a migrated
        database of its own rather than the migration itself: a copy of one this process
        migrated once (SQLite's backup API; PostgreSQL's ``CREATE DATABASE ... TEMPLATE``).
        Migrating each of them took a third of a second of CPU on SQLite, twice that on
        PostgreSQL; the copy, a few milliseconds."""
        if self._template is None:
            template = self.new_url("template")
            engine = make_engine(template)
            try:
                upgrade(engine)
            finally:
                engine.dispose()  # PostgreSQL copies a template only with no one connected
            self._template = template
        if not self.base.startswith("postgres"):
            url = self.new_url(label)
            with (
                closing(sqlite3.connect(_sqlite_path(self._template))) as source,
                closing(sqlite3.connect(_sqlite_path(url))) as target,
            ):
                source.backup(target)
            return url
        return self.new_url(label, template=make_url(self._template).database)

    def new_url(self, label: str, *, template: str | None = None) -> str:
        """A new empty database (on PostgreSQL, a copy of ``template`` if given)."""
        if not self.base.startswith("postgres"):
            return f"sqlite:///{self.tmp / f'{label}-{uuid.uuid4().hex[:8]}.db'}"
        name = f"tq_{label}_{uuid.uuid4().hex[:10]}".replace("-", "_").lower()
        copy = "" if template is None else f' TEMPLATE "{template}"'
        with self._admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        self.created.append(name)
        return (
            make_url(normalise_url(self.base))
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    def drop_all(self) -> None:
        """Drops every database made, all at once: PostgreSQL (15) ends each DROP DATABASE with
        a checkpoint that it waits for, seconds each on a busy machine; one after the other they
        kept each worker about 50 s after its last test. Drops waiting together share one."""
        if not self.created:
            return
        with ThreadPoolExecutor(max_workers=len(self.created)) as pool:
            list(pool.map(self._drop, self.created))

    def _drop(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        url = make_url(normalise_url(self.base))
        admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as connection:
                yield connection
        finally:
            admin.dispose()


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    assert path
    return path


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def engine(databases: DatabaseFactory) -> Iterator[Engine]:
    """The worker's database: migrated, with the demo data committed once."""
    engine = demo_engine(databases.new_url(f"w{_worker()}"))
    yield engine
    engine.dispose()


def demo_engine(url: str) -> Engine:
    """A new database at ``url``, migrated, with the demo town committed and the jobs a running
    hub's worker does next already run (each new authority gets its signing key)."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW))
        session.commit()
    JobRunner(permits_service.job_handlers(SECRET_KEY)).run_due(
        sessionmaker(engine), FixedClock(NOW)
    )
    return engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield connection
        finally:
            outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits only release a savepoint inside the test's transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        database_url="sqlite://",
        max_body_bytes=1024 * 1024,
        secret_key=SECRET_KEY,
    )


@pytest.fixture
def hub(
    settings: Settings, engine: Engine, sessions: sessionmaker[Session], clock: FixedClock
) -> HubContext:
    return HubContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
    )


# One app per test process for each engine and settings, shared by the tests' clients: FastAPI
# prepares each route's dependencies the first time a request reaches the app, about half a
# second of CPU (more on a loaded machine), which every test paid again with an app of its own.
# What a request reads of the hub comes through ``app.state.hub``, set to the test's own hub;
# what the app keeps from the hub it was made with (the engine, the body limit, the signing
# key) is the same for every hub with that key.
_APPS: dict[tuple[int, str], FastAPI] = {}


def app_for(hub: HubContext) -> FastAPI:
    key = (id(hub.engine), hub.settings.model_dump_json())
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(hub)  # holds the engine: its id is not reused
    else:
        use_hub(app, hub)
    return app


@pytest.fixture
def client(hub: HubContext) -> Iterator[TestClient]:
    with TestClient(app_for(hub), raise_server_exceptions=False) as client:
        yield client


Tokens = Callable[[str], dict[str, str]]


@pytest.fixture
def tokens(session: Session, clock: FixedClock) -> Tokens:
    """Authorization headers for demo users by name, made once per test."""
    cache: dict[str, dict[str, str]] = {}

    def get(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = token_for(session, clock, username)
        return cache[username]

    return get


@pytest.fixture(scope="session")
def chromium() -> Iterator[Playwright]:
    """Playwright, started once per test process (each xdist worker) and shared by every test
    that drives Chromium: a second one started in the same process finds the first one's event
    loop running and refuses."""
    with sync_playwright() as playwright:
        yield playwright
