"""The process's corridor cache gives what reading the database gives: the same permits and
movements, at the same distances, through issuing, revoking, suspending, withdrawing, time
passing and a rolled-back change; and a permit or movement filed now is seen by the next
impact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import shapely
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.cli.serve import warm_caches
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.geo.service import spatial_index_cache
from tansiq.incidents.corridor_cache import corridor_cache, key_of
from tansiq.incidents.domain import EventType
from tansiq.incidents.env import IncidentsEnv, env_of
from tansiq.incidents.impact import find_hits
from tansiq.incidents.models import IncidentRecord
from tansiq.permits.domain import PermitStatus
from tansiq.permits.models import PermitRecord
from tests.clearances.conftest import application_body, decide, submit
from tests.conftest import Tokens
from tests.deconfliction.conftest import WEST_ONLY, movement
from tests.incidents.conftest import BRIDGE_ROAD_STRETCH, ON_EAST_ROAD, ROADS, get, post
from tests.incidents.test_impact import REVIEWERS, permit_on

Found = set[tuple[str, int, float]]


def hazard(geometry: Mapping[str, Any], at: datetime) -> IncidentRecord:
    """An armed clash (3 km by default: it reaches across the demo town's roads)."""
    return IncidentRecord(
        id=0,
        event_type=EventType.ARMED_CLASH,
        occurred_at=at,
        relevant_until=at + timedelta(days=2),
        shape_wkb=shapely.to_wkb(shapely.geometry.shape(geometry)),
    )


def found(session: Session, env: IncidentsEnv, at: datetime) -> Found:
    hits = []
    for where in (
        BRIDGE_ROAD_STRETCH,
        ON_EAST_ROAD,
        {"type": "Point", "coordinates": [41.0, 34.35]},
    ):
        hits += find_hits(session, "incident", hazard(where, at), env)
    return {(h.corridor.kind, h.corridor.target_id, round(h.distance_m, 3)) for h in hits}


def cached_and_stored(hub: HubContext, at: datetime | None = None) -> tuple[Found, Found]:
    env = env_of(hub.settings, hub.clock, hub.caches)
    moment = at or hub.clock.now()
    with hub.sessions() as session:
        assert env.corridors is not None
        epsg = env.epsg or 32637
        # The first use answers from the database; every later one from memory.
        env.corridors.index(session, epsg)
        assert env.corridors.index(session, epsg) is not None
        return found(session, env, moment), found(session, replace(env, corridors=None), moment)


def agree(hub: HubContext, at: datetime | None = None) -> Found:
    cached, stored = cached_and_stored(hub, at)
    assert cached == stored
    return cached


def targets(hits: Found) -> set[tuple[str, int]]:
    return {(kind, target) for kind, target, _ in hits}


def test_the_cache_agrees_with_the_database_through_every_change(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    bridge = permit_on(client, tokens, clock, "bridge-road")
    east = permit_on(client, tokens, clock, "east-road")
    across = post(client, "/api/v1/deconfliction/movements", tokens("relief"), movement(clock))
    west = post(
        client,
        "/api/v1/deconfliction/movements",
        tokens("relief"),
        movement(clock, checkpoints=None, route=WEST_ONLY, corridor_m=100),
    )
    everything = {
        ("permit", bridge["id"]),
        ("permit", east["id"]),
        ("movement", across["id"]),
        ("movement", west["id"]),
    }
    assert targets(agree(hub)) == everything

    client.post(
        f"/api/v1/permits/{east['id']}/revoke",
        headers=tokens("east.reviewer"),
        json={"reason_code": "security_concern", "note": "Seal tampered"},
    ).raise_for_status()
    client.post(
        f"/api/v1/deconfliction/notifications/{west['id']}/withdrawal",
        headers=tokens("relief"),
        json={"note": "postponed"},
    ).raise_for_status()
    assert targets(agree(hub)) == everything - {("permit", east["id"]), ("movement", west["id"])}

    client.post(
        f"/api/v1/permits/{bridge['id']}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed", "note": "Flooding"},
    ).raise_for_status()
    assert targets(agree(hub)) == {("movement", across["id"])}

    # A permit and a movement filed now are seen by the very next impact.
    body = application_body(clock, route=ROADS["bridge-road"], client_reference="WT-later")
    application = submit(client, tokens("trader"), body)
    for review in application["reviews"]:
        decide(client, tokens(REVIEWERS[review["authority"]]), review, decision="approve")
    [later] = get(client, f"/api/v1/applications/{application['id']}", tokens("trader"))["permits"]
    again = post(client, "/api/v1/deconfliction/movements", tokens("relief"), movement(clock))
    assert targets(agree(hub)) == {
        ("movement", across["id"]),
        ("permit", later["id"]),
        ("movement", again["id"]),
    }
    # Past every window: nothing, in memory as in the database.
    assert agree(hub, clock.now() + timedelta(days=400)) == set()


def test_a_rolled_back_change_is_not_kept(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")
    assert ("permit", permit["id"]) in targets(agree(hub))
    env = env_of(hub.settings, hub.clock, hub.caches)
    with hub.sessions() as session:
        record = session.get(PermitRecord, permit["id"])
        assert record is not None
        record.status = PermitStatus.REVOKED
        session.flush()
        # Inside the change, only this transaction sees it: it reads the database ...
        assert env.corridors is not None
        assert env.corridors.index(session, 32637) is None
        assert ("permit", permit["id"]) not in targets(found(session, env, clock.now()))
        session.rollback()
        # ... and once it is rolled back, the cache (which never held it) answers again.
        assert env.corridors.index(session, 32637) is not None
    assert ("permit", permit["id"]) in targets(agree(hub))


def test_a_one_shot_process_reads_the_database_and_a_hub_keeps_its_index(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    permit_on(client, tokens, clock, "bridge-road")
    cache = corridor_cache(hub.caches)
    with hub.sessions() as session:
        assert cache.index(session, 32637) is None
        first = cache.index(session, 32637)
        assert first is not None
        assert len(first.base) == 1
        assert cache.index(session, 32637) is first


def test_a_hub_that_warms_its_caches_answers_its_first_check_from_memory(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    across = post(client, "/api/v1/deconfliction/movements", tokens("relief"), movement(clock))
    fresh = HubContext(hub.settings, hub.engine, hub.sessions, hub.clock)  # a process starting
    warm_caches(fresh)
    env = env_of(fresh.settings, fresh.clock, fresh.caches)
    assert env.corridors is not None
    with fresh.sessions() as session:
        epsg = spatial_index_cache(fresh.caches, fresh.settings.metric_epsg).get(session).epsg
        live = env.corridors.index(session, epsg)  # the first use: no database read of it
        assert live is not None
        assert ("movement", across["id"]) in {key_of(c) for c in live.base.corridors}
        assert found(session, env, clock.now()) == found(
            session, replace(env, corridors=None), clock.now()
        )
