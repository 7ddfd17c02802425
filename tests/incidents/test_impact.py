"""Issue 13's impact scenarios through the HTTP API, on the demo town's roads: a road closure
flags exactly the permits and movements whose corridors use that road; an incident near a
notified movement asks its parties to acknowledge it again; an expired advisory stops
flagging; a standing watch is alerted like a permit's holder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.clearances.conftest import application_body, decide, submit
from tests.conftest import Tokens
from tests.deconfliction.conftest import WEST_ONLY, movement
from tests.incidents.conftest import ROADS, get, incident, post, road_closure

REVIEWERS = {"west-command": "west.reviewer", "east-force": "east.reviewer"}


def permit_on(client: TestClient, tokens: Tokens, clock: FixedClock, road: str) -> Any:
    """A permit for a truck along one demo road, approved by every authority it needs."""
    body = application_body(clock, route=ROADS[road], client_reference=f"WT-{road}")
    application = submit(client, tokens("trader"), body)
    for review in application["reviews"]:
        decided = decide(client, tokens(REVIEWERS[review["authority"]]), review, decision="approve")
        assert decided.status_code == 200, decided.text
    approved = get(client, f"/api/v1/applications/{application['id']}", tokens("trader"))
    [permit] = approved["permits"]
    return permit


def kinds(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [event["kind"] for event in get(client, "/api/v1/inbox", headers)]


def test_a_road_closure_flags_exactly_the_corridors_on_that_road(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    on_bridge_road = permit_on(client, tokens, clock, "bridge-road")
    on_east_road = permit_on(client, tokens, clock, "east-road")
    across = post(client, "/api/v1/deconfliction/movements", tokens("relief"), movement(clock))
    away = post(
        client,
        "/api/v1/deconfliction/movements",
        tokens("relief"),
        movement(clock, checkpoints=None, route=WEST_ONLY, corridor_m=100),
    )
    before = kinds(client, tokens("trader")).count("incidents.route_affected")

    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    impacts = get(client, f"/api/v1/advisories/{closure['id']}/impacts", tokens("admin"))
    touched = {(i["target_kind"], i["target_id"]) for i in impacts}
    assert touched == {("permit", on_bridge_road["id"]), ("movement", across["id"])}
    assert ("permit", on_east_road["id"]) not in touched
    assert ("movement", away["id"]) not in touched
    assert all(i["route_affected"] for i in impacts)

    # The holder hears of it in its own inbox, and sees the flag on its permit only.
    assert kinds(client, tokens("trader")).count("incidents.route_affected") == before + 1
    alerts = get(client, f"/api/v1/permits/{on_bridge_road['id']}/alerts", tokens("trader"))
    assert [a["hazard"] for a in alerts] == [f"advisory:{closure['id']}"]
    assert get(client, f"/api/v1/permits/{on_east_road['id']}/alerts", tokens("trader")) == []


def test_an_incident_near_a_movement_asks_for_fresh_acknowledgement(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    across = post(client, "/api/v1/deconfliction/movements", tokens("relief"), movement(clock))
    path = f"/api/v1/deconfliction/notifications/{across['id']}"
    ack = {"version": 1, "answer": "received"}
    post(client, path + "/acknowledgement", tokens("west.liaison"), ack)

    post(client, "/api/v1/incidents", tokens("east.officer"), incident(clock))
    after = get(client, path, tokens("relief"))
    assert after["version"] == 2
    states = {a["party"]: a["state"] for a in after["acknowledgements"]}
    assert states == {"west-command": "pending", "east-force": "pending"}
    assert "incidents.reacknowledge" in kinds(client, tokens("west.liaison"))
    assert "incidents.reacknowledge" in kinds(client, tokens("relief"))
    alerts = get(client, f"/api/v1/movements/{across['id']}/alerts", tokens("relief"))
    assert len(alerts) == 1
    # A party the movement never reached sees neither the movement nor its alerts.
    assert get(client, f"/api/v1/movements/{across['id']}/alerts", tokens("trader")) == []


def test_an_expired_advisory_stops_flagging(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")
    body = road_closure(clock, valid_until=(clock.now() + timedelta(hours=2)).isoformat())
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), body)
    alerts = f"/api/v1/permits/{permit['id']}/alerts"
    assert len(get(client, alerts, tokens("trader"))) == 1

    clock.advance(timedelta(hours=2, minutes=1))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    assert get(client, alerts, tokens("trader")) == []
    ended = get(client, f"/api/v1/advisories/{closure['id']}", tokens("trader"))
    assert ended["status"] == "expired"
    assert "incidents.ended" in kinds(client, tokens("trader"))
    # A later incident elsewhere on the road does not bring the expired closure back.
    assert get(client, "/api/v1/advisories?current=true", tokens("trader")) == []


def test_a_watch_is_alerted_and_a_checkpoint_closure_closes_the_checkpoint(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    watch = post(
        client,
        "/api/v1/watches",
        tokens("municipality"),
        {"name": "Bridge Road", "geometry": ROADS["bridge-road"], "reach_m": 200},
    )
    closure = post(
        client,
        "/api/v1/advisories",
        tokens("west.admin"),
        {
            "kind": "checkpoint_closed",
            "checkpoint": "BRIDGE-W",
            "valid_until": (clock.now() + timedelta(days=1)).isoformat(),
            "description": "Closed for repairs",
        },
    )
    [alert] = get(client, f"/api/v1/watches/{watch['id']}/alerts", tokens("municipality"))
    assert alert["hazard"] == f"advisory:{closure['id']}"
    checkpoints = get(client, "/api/v1/checkpoints", tokens("west.admin"))
    status = {c["code"]: c["status"] for c in checkpoints}
    assert status["BRIDGE-W"] == "closed"

    post(client, f"/api/v1/advisories/{closure['id']}/withdrawal", tokens("west.admin"), {})
    checkpoints = get(client, "/api/v1/checkpoints", tokens("west.admin"))
    assert {c["code"]: c["status"] for c in checkpoints}["BRIDGE-W"] == "open"
    # East Force may not close the west's checkpoint.
    refused = client.post(
        "/api/v1/advisories",
        json={
            "kind": "checkpoint_closed",
            "checkpoint": "BRIDGE-W",
            "valid_until": (clock.now() + timedelta(days=1)).isoformat(),
        },
        headers=tokens("east.admin"),
    )
    assert refused.status_code == 403


def test_a_longer_closure_reaches_a_permit_it_did_not_touch_before(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")  # valid from an hour from now
    body = road_closure(clock, valid_until=(clock.now() + timedelta(minutes=30)).isoformat())
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), body)
    alerts = f"/api/v1/permits/{permit['id']}/alerts"
    assert get(client, alerts, tokens("trader")) == []
    later = {"valid_until": (clock.now() + timedelta(hours=5)).isoformat()}
    assert (
        client.post(
            f"/api/v1/advisories/{closure['id']}/window", json=later, headers=tokens("east.admin")
        ).status_code
        == 403
    )
    post(client, f"/api/v1/advisories/{closure['id']}/window", tokens("west.liaison"), later)
    assert [a["hazard"] for a in get(client, alerts, tokens("trader"))] == [
        f"advisory:{closure['id']}"
    ]
    # The first end job finds the window moved and leaves it in force.
    clock.advance(timedelta(minutes=31))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    assert (
        get(client, f"/api/v1/advisories/{closure['id']}", tokens("trader"))["status"] == "active"
    )


def test_a_checkpoint_reopened_by_its_authority_ends_its_closure(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    body = {
        "kind": "checkpoint_closed",
        "checkpoint": "E-MARKET",
        "valid_until": (clock.now() + timedelta(days=1)).isoformat(),
    }
    closure = post(client, "/api/v1/advisories", tokens("east.admin"), body)
    reopened = client.put(
        "/api/v1/checkpoints/E-MARKET/status",
        json={"status": "open", "reason": ""},
        headers=tokens("east.admin"),
    )
    assert reopened.status_code == 200, reopened.text
    clock.advance(timedelta(minutes=6))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    ended = get(client, f"/api/v1/advisories/{closure['id']}", tokens("trader"))
    assert ended["status"] == "withdrawn"
    assert ended["end_note"] == ""


def test_a_permit_issued_after_a_closure_is_flagged_by_the_next_sweep(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    permit = permit_on(client, tokens, clock, "bridge-road")
    other = permit_on(client, tokens, clock, "east-road")
    clock.advance(timedelta(minutes=6))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    [alert] = get(client, f"/api/v1/permits/{permit['id']}/alerts", tokens("trader"))
    assert alert["hazard"] == f"advisory:{closure['id']}"
    assert alert["route_affected"] is True
    assert get(client, f"/api/v1/permits/{other['id']}/alerts", tokens("trader")) == []
    # Sweeping again tells nobody twice.
    before = kinds(client, tokens("trader")).count("incidents.route_affected")
    clock.advance(timedelta(minutes=6))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    assert kinds(client, tokens("trader")).count("incidents.route_affected") == before
