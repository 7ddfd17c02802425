"""The stored conflict check finds the same conflicts and shift through the SQLite R*Tree over
occurrences, through the plain span-and-box query and through the movements a serving hub holds
in memory (the corridor cache, kept current through updates and withdrawals): filed, updated,
shifted and withdrawn movements and a site, checked against new movements and a new site across
the town and the days."""

from __future__ import annotations

import importlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tansiq.cli.serve import warm_caches
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock, micros
from tansiq.core.projection import utm_epsg
from tansiq.db.engine import make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.deconfliction.conflicts import Conflict, movement_footprint, site_footprint
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.filing import store_plan
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.schedule import Window
from tansiq.deconfliction.schemas import MovementIn
from tansiq.deconfliction.service import env_of, file_movement, preview_movement
from tansiq.deconfliction.stored import (
    ActiveMovements,
    grown_box,
    merged_spans,
    movements_in_memory,
    stored_conflicts,
)
from tansiq.incidents.corridor_cache import corridor_cache, hold_movements
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import principal_of
from tansiq.settings import Settings
from tests.conftest import DatabaseFactory, Tokens, demo_engine
from tests.deconfliction.conftest import NORTH_SOUTH, WEST_ONLY, movement, post, site
from tests.incidents.test_impact import permit_on

ROUTES = [
    NORTH_SOUTH,
    WEST_ONLY,
    {"type": "LineString", "coordinates": [[41.06, 34.385], [41.14, 34.40]]},
    {"type": "LineString", "coordinates": [[41.10, 34.36], [41.12, 34.43]]},
]


def described(conflicts: list[Conflict]) -> list[tuple[int, tuple[Window, ...], object]]:
    return [(c.notification_id, c.overlaps, c.place) for c in conflicts]


def held(hub: HubContext, session: Session) -> ActiveMovements:
    """The movements the app's process holds, loaded (the first use answers None: a one-shot
    command would read the database)."""
    movements = movements_in_memory(hub.caches).source
    assert movements is not None  # the app provides them
    line = shapely.geometry.shape(NORTH_SOUTH)
    hour = Window(hub.clock.now(), hub.clock.now() + timedelta(hours=1))
    probe = movement_footprint(0, line, 300, (hour,), utm_epsg(*line.coords[0]))
    spans = [(hour.start, hour.end)]
    movements.near(session, probe, spans)
    assert movements.near(session, probe, spans) is not None
    return movements


def test_the_rtree_the_plain_query_and_memory_find_the_same(
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    relief, west = tokens("relief"), tokens("west.liaison")
    # Permits share the corridor cache with movements: they never count as conflicts.
    permit_on(client, tokens, clock, "bridge-road")
    filed = [
        post(client, "/movements", relief, movement(clock)),
        post(client, "/sites", relief, site()),
    ]
    for hours, route in zip((2, 5, 9, 30), ROUTES, strict=True):
        start = clock.now() + timedelta(hours=hours)
        body = movement(
            clock,
            checkpoints=None,
            route=route,
            start=start.isoformat(),
            end=(start + timedelta(hours=2)).isoformat(),
            confirm_no_zone=True,
        )
        filed.append(post(client, "/movements", west, body))
    # A new version moves one away; a withdrawn one no longer counts.
    moved = movement(clock, checkpoints=None, route=ROUTES[0], confirm_no_zone=True)
    moved |= {
        "start": (clock.now() + timedelta(days=3)).isoformat(),
        "end": (clock.now() + timedelta(days=3, hours=1)).isoformat(),
        "expected_version": 1,
    }
    post(client, f"/movements/{filed[2]['id']}/versions", west, moved)
    post(client, f"/notifications/{filed[3]['id']}/withdrawal", west, {"note": ""})

    policy = env_of(hub.settings, clock, hub.caches).policy
    memory = held(hub, session)
    both = []
    sites_met: list[list[int]] = []
    for hours in (1, 3, 6, 28, 70):
        for route in ROUTES:
            line = shapely.geometry.shape(route)
            start = clock.now() + timedelta(hours=hours)
            windows = (Window(start, start + timedelta(hours=3)),)
            epsg = utm_epsg(*line.coords[0])
            new = movement_footprint(0, line, 300, windows, epsg)
            box = grown_box(line, 150 + policy.site_margin_m)
            kind = NotificationKind.MOVEMENT
            fast = stored_conflicts(session, new, kind, policy, box)
            from_memory = stored_conflicts(session, new, kind, policy, box, memory)
            with monkeypatch.context() as patched:
                patched.setattr(DeconflictionRepository, "has_occurrence_boxes", lambda _: False)
                plain = stored_conflicts(session, new, kind, policy, box)
            found = [(c.notification_id, c.overlaps, c.place) for c in fast.conflicts]
            assert found == [(c.notification_id, c.overlaps, c.place) for c in plain.conflicts]
            assert found == [
                (c.notification_id, c.overlaps, c.place) for c in from_memory.conflicts
            ]
            assert fast.shift == plain.shift == from_memory.shift
            both.append(sorted(n for n, *_ in found))
            # A new site there, over the same days: the movements passing near it.
            point = line.interpolate(0.5, normalized=True)
            spot = site_footprint(0, point, 100, policy.site_margin_m, windows[0], epsg)
            site_box = grown_box(point, 100 + 2 * policy.site_margin_m)
            site_db = stored_conflicts(session, spot, NotificationKind.SITE, policy, site_box)
            site_memory = stored_conflicts(
                session, spot, NotificationKind.SITE, policy, site_box, memory
            )
            site_found = [c.notification_id for c in site_db.conflicts]
            assert site_found == [c.notification_id for c in site_memory.conflicts]
            sites_met.append(site_found)
    assert any(both)  # the check found conflicts at all
    assert any(sites_met)  # and a new site found movements passing near it
    assert filed[3]["id"] not in {n for found in both for n in found}


def test_merged_spans() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    spans = [(at + 5 * hour, at + 6 * hour), (at, at + 2 * hour), (at + hour, at + 3 * hour)]
    assert merged_spans(spans) == [(at, at + 3 * hour), (at + 5 * hour, at + 6 * hour)]


def test_superseded_and_withdrawn_versions_leave_the_index_and_nothing_is_lost(
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
    session: Session,
) -> None:
    west = tokens("west.liaison")
    policy = env_of(hub.settings, clock, hub.caches).policy
    line = shapely.geometry.shape(NORTH_SOUTH)
    epsg = utm_epsg(*line.coords[0])
    box = grown_box(line, 150 + policy.site_margin_m)

    def found_at(start: datetime) -> set[int]:
        windows = (Window(start, start + timedelta(hours=2)),)
        new = movement_footprint(0, line, 300, windows, epsg)
        result = stored_conflicts(session, new, NotificationKind.MOVEMENT, policy, box)
        # Memory follows every change the database has: the same answer.
        session.commit()  # a new transaction: it sees what the requests have committed
        from_memory = stored_conflicts(
            session, new, NotificationKind.MOVEMENT, policy, box, held(hub, session)
        )
        assert [c.notification_id for c in from_memory.conflicts] == [
            c.notification_id for c in result.conflicts
        ]
        return {c.notification_id for c in result.conflicts}

    body = movement(clock, checkpoints=None, route=NORTH_SOUTH, confirm_no_zone=True)
    filed = post(client, "/movements", west, body)
    repo = DeconflictionRepository(session)
    first = repo.version(filed["id"], 1)
    assert first is not None
    first_start = clock.now() + timedelta(hours=4)
    assert first.id in repo.indexed_versions()
    assert filed["id"] in found_at(first_start)

    later = clock.now() + timedelta(days=3)
    moved = body | {
        "start": later.isoformat(),
        "end": (later + timedelta(hours=1)).isoformat(),
        "expected_version": 1,
    }
    post(client, f"/movements/{filed['id']}/versions", west, moved)
    second = repo.version(filed["id"], 2)
    assert second is not None
    indexed = repo.indexed_versions()
    assert first.id not in indexed  # pruned in the update's transaction
    assert second.id in indexed
    assert filed["id"] not in found_at(first_start)  # the superseded window no longer counts
    assert filed["id"] in found_at(later)
    # Nothing is lost: the superseded version and its occurrences are all still stored.
    assert len(repo.occurrences([first.id])[first.id]) == 1
    assert repo.version(filed["id"], 1) is not None

    post(client, f"/notifications/{filed['id']}/withdrawal", west, {"note": ""})
    assert second.id not in repo.indexed_versions()
    assert filed["id"] not in found_at(later)
    assert len(repo.occurrences([second.id])[second.id]) == 1


def test_migration_0024_indexes_only_current_versions_of_active_movements_exactly(
    client: TestClient,
    tokens: Tokens,
    clock: FixedClock,
    session: Session,
) -> None:
    west = tokens("west.liaison")
    body = movement(clock, checkpoints=None, route=NORTH_SOUTH, confirm_no_zone=True)
    kept = post(client, "/movements", west, body)
    moved = post(client, "/movements", west, body)
    later = clock.now() + timedelta(days=2, minutes=7, microseconds=5)
    post(
        client,
        f"/movements/{moved['id']}/versions",
        west,
        body | {"start": later.isoformat(), "end": (later + timedelta(hours=1)).isoformat()},
    )
    gone = post(client, "/movements", west, body)
    post(client, f"/notifications/{gone['id']}/withdrawal", west, {"note": ""})
    repo = DeconflictionRepository(session)
    box = (-180.0, -90.0, 180.0, 90.0)
    spans = [(clock.now(), clock.now() + timedelta(days=30))]
    filed = sorted(repo.occurrences_meeting(box, spans))
    assert {v for v, *_ in filed} == repo.indexed_versions()
    migration = importlib.import_module("tansiq.migrations.versions.0024_conflict_speed")
    session.execute(text("DELETE FROM deconfliction_occurrence_boxes"))
    migration._backfill(session.connection())
    # The back-fill finds what filing kept: the current versions of the two active movements,
    # with the same exact times (the second's moved start to the microsecond).
    assert sorted(repo.occurrences_meeting(box, spans)) == filed
    current = {repo.version(n, number) for n, number in ((kept["id"], 1), (moved["id"], 2))}
    assert repo.indexed_versions() == {v.id for v in current if v is not None}
    assert any(start == micros(later) for _, start, *_ in filed)


def relief(session: Session) -> Principal:
    user = PartyRepository(session).user_by_username("relief")
    assert user is not None
    return principal_of(user)


def test_a_check_in_an_older_snapshot_never_finds_what_it_cannot_read(
    databases: DatabaseFactory, settings: Settings, clock: FixedClock
) -> None:
    """A request whose snapshot began before another's commit, while a third has moved the
    process's memory past it: memory must not answer it (it would find a movement whose
    notifier that request cannot read: a 500), the database does, as for any request."""
    engine = demo_engine(databases.migrated_url("snapshot"))
    try:
        sessions = make_session_factory(engine)
        hub = HubContext(settings, engine, sessions, clock)
        hold_movements(hub.caches)
        warm_caches(hub)
        env = env_of(settings, clock, hub.caches)
        body = MovementIn.model_validate(movement(clock))
        with unit_of_work(sessions, write=False) as older:
            # Its snapshot begins here.
            before = preview_movement(older, relief(older), body, env, located=True)
            with unit_of_work(sessions) as other:
                filed = file_movement(other, relief(other), body, env).id
            with unit_of_work(sessions, write=False) as third:
                epsg = env.spatial_index.get(third).epsg
                assert corridor_cache(hub.caches).index(third, epsg) is not None  # moved on
            after = preview_movement(older, relief(older), body, env, located=True)
            # What the database path finds in this same snapshot: on SQLite the movement
            # filed since is not in it; on PostgreSQL each statement sees the latest commit.
            plain = {c.notification_id for c in after.conflicts}
            sees_it = DeconflictionRepository(older).notifiers_by_ids({filed}) != {}
            assert plain == {c.notification_id for c in before.conflicts} | (
                {filed} if sees_it else set()
            )
        with unit_of_work(sessions, write=False) as later:
            assert filed in {
                c.notification_id
                for c in preview_movement(later, relief(later), body, env, located=True).conflicts
            }
    finally:
        engine.dispose()


def test_two_movements_filed_at_once_never_both_miss_their_conflict(
    databases: DatabaseFactory, settings: Settings, clock: FixedClock
) -> None:
    """While one filing is checked and stored, another waits (PostgreSQL: an advisory lock;
    SQLite: its single writer), so the second sees the first and records their conflict."""
    engine = demo_engine(databases.migrated_url("at-once"))
    try:
        sessions = make_session_factory(engine)
        env = env_of(settings, clock, HubContext(settings, engine, sessions, clock).caches)
        body = MovementIn.model_validate(movement(clock))
        filed: dict[str, int] = {}

        def second() -> None:
            with unit_of_work(sessions) as session:
                filed["second"] = file_movement(session, relief(session), body, env).id

        with unit_of_work(sessions) as first:
            filed["first"] = file_movement(first, relief(first), body, env).id
            waiting = threading.Thread(target=second)
            waiting.start()
            waiting.join(timeout=1.0)
            assert waiting.is_alive()  # it waits for the first filing's commit
        waiting.join(timeout=30)
        assert not waiting.is_alive()
        with unit_of_work(sessions, write=False) as session:
            repo = DeconflictionRepository(session)
            second_version = repo.version(filed["second"], 1)
            assert second_version is not None
            found = {c.other_notification_id for c in repo.conflicts(second_version.id)}
            assert filed["first"] in found
    finally:
        engine.dispose()


def test_a_previews_plan_is_never_stored(
    databases: DatabaseFactory, settings: Settings, clock: FixedClock
) -> None:
    """A preview counts its conflicts without working them out; stored, it would record none
    and alert nobody of them, so filing refuses it (and stores nothing)."""
    engine = demo_engine(databases.migrated_url("preview-plan"))
    try:
        sessions = make_session_factory(engine)
        env = env_of(settings, clock, HubContext(settings, engine, sessions, clock).caches)
        body = MovementIn.model_validate(movement(clock))
        with unit_of_work(sessions) as session:
            file_movement(session, relief(session), body, env)
        with unit_of_work(sessions, write=False) as session:
            plan = preview_movement(session, relief(session), body, env)
            assert (plan.clashes, plan.conflicts, plan.located) == (1, [], False)
            with pytest.raises(ValueError, match="located"):
                store_plan(session, relief(session), None, plan, env)
    finally:
        engine.dispose()
